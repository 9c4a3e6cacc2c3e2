"""The small fixed layers of the graph: fact check, context, the query catalogue as RDF."""
