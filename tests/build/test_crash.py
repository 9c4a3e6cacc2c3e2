"""A build killed at any moment leaves the previous build or the new one, never a mix, and the
next build removes what the killed one left (docs/guarantees.md, "one commit point").

A driver runs ``ntrk-kg build`` in a child process with every file-system change it makes
(``mkdir``, ``rename``, ``replace``, ``link``, ``unlink``, ``rmdir``, the atomic exchange) and
every stage counted, and sends itself SIGKILL just before event N. The test runs the build once to
count the events, then kills it before each one in turn and checks the build folder.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, RdfFormat, Store, parse

from kg_build.build.generation import human_size
from kg_build.resources import DATA_DIR

DRIVER = textwrap.dedent("""
    import os, signal, sys
    stop_at, how, count_file = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    seen = 0

    log = open(count_file + ".log", "w")

    def event(label):
        global seen
        seen += 1
        log.write(label + "\\n")
        log.flush()
        if seen == stop_at:
            os.kill(os.getpid(), signal.SIGKILL if how == "kill" else signal.SIGSTOP)

    def counted(owner, name):
        original = getattr(owner, name)
        def wrapper(*args, **kwargs):
            event(name)
            return original(*args, **kwargs)
        setattr(owner, name, wrapper)

    for name in ("mkdir", "rename", "replace", "link", "unlink", "rmdir"):
        counted(os, name)
    from kg_build.build import generation, swap
    counted(swap, "exchange")
    counted(generation, "exchange")
    from kg_build.build.progress import Progress
    stage = Progress.stage
    def staged(self, name, total=None):
        event("stage " + name)
        return stage(self, name, total)
    Progress.stage = staged
    from kg_build.cli import main
    try:
        main(sys.argv[4:], prog_name="ntrk-kg")
    finally:
        with open(count_file, "w") as fh:
            fh.write(str(seen))
""")
BUILD_ARGS = ("--no-reason",)
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def run(tmp: Path, out: Path, data: Path, stop_at: int = 0, how: str = "kill") -> subprocess.Popen[bytes]:
    args = [sys.executable, "-c", DRIVER, str(stop_at), how, str(tmp / "events"),
            "build", "--out", str(out), "--data", str(data), *BUILD_ARGS]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _key(q) -> tuple[str, str, object, str]:
    o = q.object
    obj: object = str(o)
    if isinstance(o, Literal) and o.datatype.value == XSD_DECIMAL:
        obj = ("decimal", Decimal(o.value))
    return (str(q.subject), str(q.predicate), obj, str(q.graph_name))


def state(out: Path) -> tuple[dict[str, str], frozenset[tuple[str, str, object, str]]]:
    """The build folder as (file -> sha256, outside the store) and the store's quads."""
    files = {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(out.rglob("*")) if p.is_file() and "store" not in p.relative_to(out).parts}
    st = Store.read_only(str(out / "store"))
    try:
        quads = frozenset(_key(q) for q in st.quads_for_pattern(None, None, None, None))
    finally:
        del st
    return files, quads


def quads_of(nq: Path) -> frozenset[tuple[str, str, object, str]]:
    with nq.open("rb") as fh:
        return frozenset(_key(q) for q in parse(fh, format=RdfFormat.N_QUADS))


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two different builds (the packaged data, and the same with one gene's name edited), each
    with a file the build does not own in its folder."""
    root = tmp_path_factory.mktemp("two-builds")
    edited = root / "data-edited"
    shutil.copytree(DATA_DIR, edited)
    genes = edited / "genes.tsv"
    genes.write_text(genes.read_text().replace("neurotrophic receptor tyrosine kinase 1", "NTRK1 edited", 1))
    out = {}
    for name, data in (("old", DATA_DIR), ("new", edited)):
        target = root / name
        proc = run(root, target, data)
        assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""
        (target / "notes.txt").write_text("kept across builds\n")
        out[name] = target
    out["edited"] = edited
    return out


def test_a_build_killed_before_any_of_its_steps_leaves_the_old_or_the_new_build(tmp_path: Path, two_builds) -> None:
    old, new = state(two_builds["old"]), state(two_builds["new"])
    assert old != new and old[1] == quads_of(two_builds["old"] / "ntrk-kg.nq")
    out = tmp_path / "build"
    shutil.copytree(two_builds["old"], out)
    shutil.copytree(two_builds["old"], tmp_path / "count")
    assert run(tmp_path, tmp_path / "count", two_builds["edited"]).wait() == 0
    labels = (tmp_path / "events.log").read_text().splitlines()
    swap_at = labels.index("exchange") + 1
    # Every event up to just after the exchange; after it, only the removal of the previous
    # generation remains (one unlink per file), of which every fifth is enough.
    points = [*range(1, swap_at + 2), *range(swap_at + 2, len(labels) + 1, 10), len(labels)]
    outcomes = []
    for n in sorted(set(points)):
        proc = run(tmp_path, out, two_builds["edited"], stop_at=n)
        assert proc.wait() == -signal.SIGKILL
        now = state(out)
        assert now in (old, new), f"killed before event {n} ({labels[n - 1]}): the build folder is a mix"
        outcomes.append((n, "old" if now == old else "new"))
        if now == new:  # start the next round from the old build again
            shutil.rmtree(out)
            shutil.copytree(two_builds["old"], out)
        for left in tmp_path.glob(".build.new-*"):  # the same start for every round
            shutil.rmtree(left)
    # Killed before the exchange the old build stays; from the exchange on the new one is there.
    assert outcomes == [(n, "old" if n <= swap_at else "new") for n, _ in outcomes]
    # The next build removes what a build killed just before the exchange left, and says so.
    assert run(tmp_path, out, two_builds["edited"], stop_at=swap_at - 1).wait() == -signal.SIGKILL
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".build."))
    assert len(left) == 2 and left[0] == ".build.lock" and left[1].startswith(".build.new-")
    size = sum(p.stat().st_size for p in (tmp_path / left[1]).rglob("*") if p.is_file())
    proc = run(tmp_path, out, two_builds["edited"])
    assert proc.wait() == 0
    assert proc.stderr is not None and (
        f"removed {human_size(size)} of temporary files left by interrupted builds (1 entry: {left[1]})\n"
    ).encode() in proc.stderr.read()
    assert state(out) == new
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "count", "events", "events.log"]


def test_a_build_killed_after_growing_delays_leaves_the_old_or_the_new_build(tmp_path: Path, two_builds) -> None:
    old, new = state(two_builds["old"]), state(two_builds["new"])
    out = tmp_path / "build"
    shutil.copytree(two_builds["old"], out)
    for delay in (0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.7, 2.0):
        proc = run(tmp_path, out, two_builds["edited"])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert state(out) in (old, new), f"killed after {delay} s: the build folder is a mix"
        if state(out) == new:
            shutil.rmtree(out)
            shutil.copytree(two_builds["old"], out)


def test_readers_see_the_previous_build_while_a_build_runs(cli, tmp_path: Path, two_builds) -> None:
    """A build stopped (SIGSTOP) just before it swaps the new build in holds the lock: queries
    read the previous build, a second build is refused naming the holder, and once the first
    build goes on, queries read the new one."""
    out = tmp_path / "build"
    shutil.copytree(two_builds["old"], out)
    shutil.copytree(two_builds["old"], tmp_path / "count")
    assert run(tmp_path, tmp_path / "count", two_builds["edited"]).wait() == 0
    proc = run(tmp_path, out, two_builds["edited"], stop_at=_event_before_exchange(tmp_path, two_builds), how="stop")
    try:
        _wait_stopped(proc.pid)
        query = ["query", "gene-card", "-p", "gene=NTRK1", "--out", str(out), "--format", "ntriples"]
        before = cli(*query)
        assert before.exit_code == 0 and "neurotrophic receptor tyrosine kinase 1" in before.stdout
        for command in (["build", "--out", str(out), *BUILD_ARGS], ["release", "--out", str(out)]):
            second = cli(*command)
            assert second.exit_code == 2
            assert second.stderr.startswith(f"ntrk-kg: error: {out}: 'ntrk-kg build' (pid {proc.pid} on ")
            assert second.stderr.endswith(" is writing to this build folder; wait for it to finish, or pass --wait to start when it has\n")
            assert second.stderr.count("\n") == 1
    finally:
        proc.send_signal(signal.SIGCONT)
    assert proc.wait() == 0
    after = cli(*query)
    assert after.exit_code == 0 and "NTRK1 edited" in after.stdout
    assert state(out) == state(two_builds["new"])


def _event_before_exchange(tmp_path: Path, two_builds) -> int:
    """The number of the event that is the atomic exchange, in a build of ``edited`` over a build."""
    labels = (tmp_path / "events.log").read_text().splitlines()
    return labels.index("exchange") + 1


def _wait_stopped(pid: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("T"):
            return
        time.sleep(0.05)
    raise AssertionError("the build did not reach the exchange")
