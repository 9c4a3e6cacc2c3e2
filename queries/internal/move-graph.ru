# Put one staging graph in place of its graph (ntrk-kg load --atomic --replace): the graph ends up
# holding exactly the staging graph's triples, and the staging graph is gone.
# ntrk-kg load replaces ?staging and ?graph by checked IRIs, and sends every graph's operation in
# one SPARQL Update request.
MOVE GRAPH ?staging TO GRAPH ?graph
