"""SHACL validation: the report model, the shapes, the constraint components and the engines.

``report`` (results and the SHACL report graph) is at the bottom; ``shapes`` reads and checks a
shapes graph; ``components`` holds each constraint component's SPARQL and default message;
``compile`` turns shapes into SPARQL checks, which ``oxigraph`` runs on an embedded store and
``remote`` on any SPARQL endpoint; ``validation`` is the entry point and holds the pySHACL engine.
"""
