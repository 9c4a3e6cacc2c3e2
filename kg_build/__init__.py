"""Build the NTRK gene fusion knowledge graph from curated tables."""

__version__ = "0.1.0"
