"""``ntrk-kg serve``: the graph as Linked Data over HTTP.

One ASGI application (Starlette, run by uvicorn) in front of the build's store or of any SPARQL
endpoint: the SPARQL 1.1 Protocol at ``/sparql``, a page and RDF for every IRI the graph mints under
``https://w3id.org/ntrk-kg/``, the query catalogue as a web API at ``/api`` with its OpenAPI
description, and a query page. Queries run in worker processes (``workers``), so a query past its
time limit is stopped by ending its process while the other requests go on.
"""
