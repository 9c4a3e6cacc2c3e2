"""An HTTP answer as the query workers hand it back: status, media type, body, extra headers."""

from __future__ import annotations

from collections import namedtuple


class Answer(namedtuple("Answer", ("status", "media_type", "body", "headers"), defaults=((),))):
    """What to send: ``headers`` is a tuple of ``(name, value)`` pairs besides Content-Type."""

    __slots__ = ()
    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...]


def error(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    """A plain-text error answer: the one paragraph that says what is wrong, never a traceback."""
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"), headers)
