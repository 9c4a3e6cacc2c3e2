"""The w3id.org redirect rules (an Apache ``.htaccess``) that send the graph's IRIs to a server."""

from __future__ import annotations

import re

from kg_build.errors import UsageError
from kg_build.serve import negotiation as neg
from kg_build.serve.pages import render


def rules(public_url: str) -> str:
    """The ``.htaccess`` for the ``ntrk-kg/`` folder of w3id.org, redirecting (303) to ``public_url``.

    ``public_url`` is where ``ntrk-kg serve`` answers, as the world reaches it (http or https, no
    query or fragment); the IRI's path after ``https://w3id.org/ntrk-kg/`` is kept.
    """
    public = public_url.rstrip("/")
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?", public):
        raise UsageError(f"--public-url {public_url!r} must be an http:// or https:// URL without query or fragment, "
                         "e.g. https://kg.example.org")
    formats = [(f.media_type, f.short) for f in neg.GRAPH_FORMATS[::-1]]
    return render("htaccess.j2", public=public, formats=formats).decode("utf-8")
