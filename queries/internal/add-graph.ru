# Add one staging graph to its graph, then remove the staging graph (ntrk-kg load --atomic --append).
# ntrk-kg load replaces ?staging and ?graph by checked IRIs, and sends every graph's operations in
# one SPARQL Update request.
ADD GRAPH ?staging TO GRAPH ?graph ;
DROP GRAPH ?staging
