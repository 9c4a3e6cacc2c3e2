"""The settings of one ``ntrk-kg serve``: what it serves and the limits it keeps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServeConfig:
    """Everything the application and its query workers need to know (picklable, immutable).

    ``out_dir`` is the build served (its store, opened read-only) unless ``endpoint`` names a
    SPARQL endpoint to put the pages in front of. ``timeout`` stops a query that runs longer (seconds);
    ``max_rows`` refuses a result of more rows (or triples); ``max_request_bytes`` refuses a larger
    request body or query string; ``allowed_services`` are the only endpoints a ``SERVICE`` clause may name.
    """

    out_dir: Path = Path("build")
    endpoint: str | None = None
    workers: int = 2
    timeout: float = 30.0
    max_rows: int = 100_000
    max_request_bytes: int = 1 << 20
    allowed_services: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    union_default_graph: bool = True
