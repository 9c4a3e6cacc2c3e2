"""The names of a build folder's files, and of the temporary files and folders a build makes."""

from __future__ import annotations

import re

# -- beside the build folder (in its parent): the lock and the generations -----------------------
_GENERATION = r"\.{name}\.(?P<kind>new|old)-(?P<pid>\d+)"


def lock_name(folder: str) -> str:
    """The lock file of the build folder ``folder``, kept beside it.

    >>> lock_name("build")
    '.build.lock'
    """
    return f".{folder}.lock"


def generation_name(folder: str, kind: str, pid: int) -> str:
    """The folder beside ``folder`` where a build writes its next generation (``new``), or
    where the previous one waits to be removed when no atomic exchange exists (``old``).

    >>> generation_name("build", "new", 42)
    '.build.new-42'
    """
    return f".{folder}.{kind}-{pid}"


def generation_pattern(folder: str) -> re.Pattern[str]:
    """Matches the generation folders of ``folder`` (groups ``kind`` and ``pid``)."""
    return re.compile(_GENERATION.format(name=re.escape(folder)) + "$")


# -- in the build folder: what earlier versions of the build left after a crash ------------------
_LEFTOVERS = (
    re.compile(r"\.build-tmp-(?P<pid>\d+)"),
    re.compile(r"\.store\.(?:tmp|old)-(?P<pid>\d+)"),
    re.compile(r"\.release\.(?:tmp|old)-(?P<pid>\d+)"),
    re.compile(r"\.(?:ntrk-kg[^/]*|manifest\.json|context\.jsonld)\.tmp-(?P<pid>\d+)"),
    re.compile(r"\.ntrk-kg-export-[A-Za-z0-9_]+"),
)


def leftover_pid(name: str) -> int | None:
    """If ``name`` is a temporary file or folder a build of an earlier version made in the build
    folder: the pid of the process that made it (-1 when the name has none); else None.

    >>> leftover_pid(".build-tmp-123"), leftover_pid(".ntrk-kg.ttl.tmp-7"), leftover_pid(".ntrk-kg-export-x1_y")
    (123, 7, -1)
    >>> leftover_pid("release") is None, leftover_pid(".notes.tmp-3") is None
    (True, True)
    """
    for pattern in _LEFTOVERS:
        m = pattern.fullmatch(name)
        if m:
            return int(m.group("pid")) if "pid" in pattern.groupindex else -1
    return None
