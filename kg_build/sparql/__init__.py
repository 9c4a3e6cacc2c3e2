"""Running SPARQL: engines (embedded store, rdflib, remote endpoint), result formats, query text helpers."""
