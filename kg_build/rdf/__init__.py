"""RDF terms, the prefix map, minted IRIs, the closed vocabulary, formats and reading RDF files."""
