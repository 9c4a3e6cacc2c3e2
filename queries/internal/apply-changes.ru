# Apply a change set written by 'ntrk-kg diff --format turtle|ntriples' to the old version of the
# graph: remove every value the change set removes and add every value it adds, each in the named
# graph of its entity change. Load the change set into a named graph of its own (any IRI) beside
# the old version's named graphs, run this update, then drop that graph. Standard SPARQL 1.1
# Update: it runs unchanged on Oxigraph, Fuseki, GraphDB, Virtuoso or rdflib.

PREFIX ntrkch: <https://w3id.org/ntrk-kg/changes#>

DELETE { GRAPH ?g { ?s ?p ?o } }
WHERE {
  GRAPH ?changes {
    ?change ntrkch:aboutEntity ?s ; ntrkch:inNamedGraph ?g ; ntrkch:hasValueChange ?value .
    ?value ntrkch:onProperty ?p ; ntrkch:removedValue ?o .
  }
} ;

DELETE { GRAPH ?g { ?s ?p ?target } }
WHERE {
  GRAPH ?changes {
    ?change ntrkch:aboutEntity ?s ; ntrkch:inNamedGraph ?g ; ntrkch:hasMappingChange ?mapping .
    ?mapping ntrkch:mappingTarget ?target ; ntrkch:oldPredicate ?p .
  }
} ;

INSERT { GRAPH ?g { ?s ?p ?o } }
WHERE {
  GRAPH ?changes {
    ?change ntrkch:aboutEntity ?s ; ntrkch:inNamedGraph ?g ; ntrkch:hasValueChange ?value .
    ?value ntrkch:onProperty ?p ; ntrkch:addedValue ?o .
  }
} ;

INSERT { GRAPH ?g { ?s ?p ?target } }
WHERE {
  GRAPH ?changes {
    ?change ntrkch:aboutEntity ?s ; ntrkch:inNamedGraph ?g ; ntrkch:hasMappingChange ?mapping .
    ?mapping ntrkch:mappingTarget ?target ; ntrkch:newPredicate ?p .
  }
}
