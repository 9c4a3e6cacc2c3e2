"""Build the NTRK gene fusion knowledge graph from curated tables, validate it and query it.

The public API (:mod:`kg_build.api`) is re-exported here on first use, so importing the package
itself costs nothing.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = [
    "BuildResult", "CatalogueQuery", "CurationError", "KgError", "Report", "Result", "UsageError",
    "ValidationFailure", "__version__", "build_graph", "list_queries", "open_store", "run_query", "validate",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kg_build import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg_build' has no attribute {name!r}")
