"""``ntrk-kg diff``: what changed between two releases of the graph.

``sides`` finds the N-Quads of a build folder, a release bundle or a file; ``stream`` walks two
sorted N-Quads files one subject at a time; ``compare`` turns the subjects that differ into the
changes of each entity in each named graph (``model``), classified by ``kinds``; ``markdown``,
``report`` (JSON) and ``rdf`` (the change set, in the vocabulary of ``ontology/changes.ttl``)
write them; ``apply`` applies a change set to a store.
"""
