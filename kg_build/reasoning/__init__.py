"""OWL reasoning over the ontology and the data."""
