"""A build folder replaced as a whole: the next generation is written beside it and swapped in.

A build writes every file and the store into a new folder beside the build folder
(``.build.new-<pid>`` next to ``build``); when it is complete and on disk, one atomic exchange
(:func:`kg_build.build.swap.exchange`) makes it the build folder, and the previous generation,
now under the temporary name, is removed. A process that looks at the build folder at any moment
sees the previous build or the new one, never parts of both; a process that opened files of the
previous build keeps reading them (Linux and macOS keep removed files readable while open).

Files in the build folder that the build does not write (a release in ``build/release/``, a
report, notes) are carried into the new generation as hard links (copies where the file system
has none) before the exchange, so they are in the build folder before and after it, and none of
their bytes is copied.

The build holds the folder's lock (:mod:`kg_build.build.lock`) throughout, so every temporary
folder or file of a build found beside or in the folder belongs to a build that died:
:func:`sweep` removes them and says how much it removed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg_build.build.swap import SwapUnsupported, exchange
from kg_build.layout import generation_name, generation_pattern, leftover_pid


@dataclass
class Swept:
    """What :func:`sweep` removed: the paths and their total size in bytes."""

    paths: list[Path] = field(default_factory=list)
    size: int = 0

    def describe(self) -> str:
        """One line for the user, e.g. ``removed 155.2 MB left by 3 builds that did not finish``."""
        n = len(self.paths)
        return (f"removed {human_size(self.size)} of temporary files left by interrupted builds "
                f"({n} {'entry' if n == 1 else 'entries'}: {', '.join(p.name for p in self.paths)})")


def human_size(size: int) -> str:
    """``1536`` -> ``'1.5 KB'`` (decimal units, as ``df -H`` prints them).

    >>> human_size(0), human_size(999), human_size(155_200_000), human_size(3_000_000_000)
    ('0 B', '999 B', '155.2 MB', '3.0 GB')
    """
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def resolve_folder(out_dir: Path) -> Path:
    """The build folder's real path (a symbolic link to it is followed, so the link stays)."""
    out_dir = Path(os.path.abspath(out_dir))
    if out_dir.is_symlink() or out_dir.exists():
        return out_dir.resolve()
    return out_dir.parent.resolve() / out_dir.name


def _size(path: Path) -> int:
    """The bytes of the files under ``path`` (folders themselves not counted)."""
    try:
        if path.is_symlink() or not path.is_dir():
            return path.lstat().st_size
    except FileNotFoundError:
        return 0
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:
                pass
    return total


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def sweep(out_dir: Path) -> Swept:
    """Remove what builds of ``out_dir`` that died left behind; call it holding the folder's lock.

    Beside the folder: generations that were being written (``.build.new-<pid>``) or removed
    (``.build.old-<pid>``). In the folder: the temporary files and folders of earlier versions
    of the build (``.build-tmp-<pid>``, ``.store.tmp-<pid>``, ``.ntrk-kg.ttl.tmp-<pid>``,
    ``.ntrk-kg-export-*``, ...) whose process is no longer running. If the folder itself is
    missing while a previous generation waits beside it (a crash between the two renames where
    no atomic exchange exists), that generation is put back first.
    """
    swept = Swept()
    parent, name = out_dir.parent, out_dir.name
    mine = generation_pattern(name)
    if parent.is_dir():
        entries = sorted(parent.iterdir())
        if not out_dir.exists():
            retired = [p for p in entries if (m := mine.match(p.name)) and m.group("kind") == "old"]
            if retired:
                os.rename(retired[-1], out_dir)
                entries.remove(retired[-1])
        for path in entries:
            m = mine.match(path.name)
            if m and int(m.group("pid")) != os.getpid():
                swept.size += _size(path)
                _remove(path)
                swept.paths.append(path)
    if out_dir.is_dir():
        for path in sorted(out_dir.iterdir()):
            pid = leftover_pid(path.name)
            if pid is None or (pid >= 0 and _alive(pid)):
                continue
            swept.size += _size(path)
            _remove(path)
            swept.paths.append(path)
    return swept


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def carry(old: Path, new: Path, owned: Iterable[str]) -> list[str]:
    """Bring every entry of ``old`` that the build does not own into ``new``, as hard links.

    Returns the names carried. Folders are recreated (with their mode and times) and their files
    linked; a file system without hard links gets copies.
    """
    owned = set(owned)
    carried = []
    for path in sorted(old.iterdir()):
        if path.name in owned or leftover_pid(path.name) is not None:
            continue
        target = new / path.name
        if path.is_dir() and not path.is_symlink():
            shutil.copytree(path, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(path), str(target))
        carried.append(path.name)
    return carried


def _fsync(path: Path, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_tree(root: Path) -> None:
    """Flush every file and folder under ``root`` to disk (a crash after the swap must not find
    the new generation's names pointing at unwritten blocks)."""
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = Path(dirpath, f)
            if not p.is_symlink():
                _fsync(p)
        _fsync(Path(dirpath), directory=True)


class Generation:
    """The next generation of the build folder ``out_dir``, written in a folder beside it."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.dir = out_dir.parent / generation_name(out_dir.name, "new", os.getpid())
        if self.dir.exists():
            _remove(self.dir)
        self.dir.mkdir()

    def path(self, name: str) -> Path:
        """Where the file ``name`` of the new build is written."""
        return self.dir / name

    def commit(self, owned: Iterable[str]) -> list[str]:
        """Make the new generation the build folder in one atomic step; remove the previous one.

        Entries of the previous folder outside ``owned`` are carried over first (see
        :func:`carry`). Returns the names carried.
        """
        carried: list[str] = []
        if self.out_dir.is_dir():
            carried = carry(self.out_dir, self.dir, owned)
        sync_tree(self.dir)
        if not self.out_dir.exists():
            os.rename(self.dir, self.out_dir)
            _fsync(self.out_dir.parent, directory=True)
            return carried
        try:
            exchange(self.dir, self.out_dir)
            retired = self.dir
        except SwapUnsupported:
            retired = self.out_dir.parent / generation_name(self.out_dir.name, "old", os.getpid())
            os.rename(self.out_dir, retired)
            os.rename(self.dir, self.out_dir)
        _fsync(self.out_dir.parent, directory=True)
        shutil.rmtree(retired, ignore_errors=True)
        return carried

    def discard(self) -> None:
        """Remove the unfinished generation (the build failed)."""
        shutil.rmtree(self.dir, ignore_errors=True)
