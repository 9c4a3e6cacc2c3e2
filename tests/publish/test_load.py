"""``ntrk-kg load`` against servers that refuse: one-line errors, exit 1, nothing reported as loaded.

The real servers (Oxigraph, Virtuoso) are in ``tests/stores/``; here tiny local HTTP servers play
the refusing or flaky server, so every failure path runs on any machine.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest

from kg_build.errors import UsageError
from kg_build.publish import gsp


def graphs_of(built_dir: Path) -> list[str]:
    """The build's named graphs, in the order the loader sends them (sorted by IRI)."""
    return sorted(json.loads((built_dir / "manifest.json").read_text())["graphs"])


class Fake(BaseHTTPRequestHandler):
    """Answers SPARQL counts with 0 and uploads with the statuses queued in ``server.statuses``."""

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, body: bytes = b"", ctype: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.seen.append(("GET", self.path, self.headers.get("Authorization")))  # type: ignore[attr-defined]
        status = self.server.count_status  # type: ignore[attr-defined]
        if status != 200:
            self._answer(status, b"Internal error")
            return
        body = {"head": {"vars": ["triples"]}, "results": {"bindings": [{"triples": {"type": "literal", "value": "0"}}]}}
        self._answer(200, json.dumps(body).encode(), "application/sparql-results+json")

    def _upload(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, self.path, self.headers.get("Authorization")))  # type: ignore[attr-defined]
        statuses = self.server.statuses  # type: ignore[attr-defined]
        self._answer(statuses.pop(0) if statuses else 204)

    do_PUT = do_POST = do_DELETE = _upload


@pytest.fixture()
def fake() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    server.seen, server.statuses, server.count_status = [], [], 200  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def url(server: ThreadingHTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def load(cli, built_dir: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    base = {gsp.USER_ENV: "", gsp.PASSWORD_ENV: "", "NETRC": "/nonexistent"}
    result = cli("load", "--out", str(built_dir), *args, env={**base, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def test_a_server_answering_500_gives_a_one_line_error_with_endpoint_and_status(cli, built_dir: Path, fake) -> None:
    graphs = graphs_of(built_dir)
    fake.count_status = 500
    code, out, err = load(cli, built_dir, "--endpoint", url(fake, "/sparql"))
    assert (code, out) == (1, "")
    assert err == (
        f"ntrk-kg: error: GET {url(fake, '/sparql')} (SPARQL count of <{graphs[0]}>) failed: "
        "HTTP 500 Internal Server Error: Internal error; nothing was written\n"
    )


def test_a_500_in_the_middle_of_the_upload_is_reported_as_an_incomplete_load(cli, built_dir: Path, fake) -> None:
    graphs = graphs_of(built_dir)
    fake.statuses = [204, 500]
    code, out, err = load(cli, built_dir, "--endpoint", url(fake, "/sparql"), "--gsp", url(fake, "/store"), "--replace")
    assert (code, out) == (1, "")
    put = url(fake, "/store") + "?" + urlencode({"graph": graphs[1]})
    assert err == (
        f"ntrk-kg: error: PUT {put} failed: HTTP 500 Internal Server Error; "
        f"the load is INCOMPLETE: graphs already changed before the failure: <{graphs[0]}>\n"
    )
    assert [m for m, _, _ in fake.seen if m != "GET"] == ["PUT", "PUT"]


def test_an_upload_the_server_accepts_but_does_not_store_fails_the_count_check(cli, built_dir: Path, fake) -> None:
    manifest = json.loads((built_dir / "manifest.json").read_text())
    graphs = graphs_of(built_dir)
    code, out, err = load(cli, built_dir, "--endpoint", url(fake, "/sparql"), "--gsp", url(fake, "/store"), "--replace")
    assert (code, out) == (1, "")
    problems = "; ".join(
        f"<{g}> holds 0 triples on {url(fake, '/sparql')} after the upload, expected {manifest['graphs'][g]} "
        f"(before: 0, uploaded: {manifest['graphs'][g]})"
        for g in graphs
    )
    assert err == f"ntrk-kg: error: the load is incomplete: {problems}\n"


def test_an_unreachable_port_names_the_endpoint(cli, built_dir: Path) -> None:
    graphs = graphs_of(built_dir)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out, err = load(cli, built_dir, "--endpoint", f"http://127.0.0.1:{port}/sparql")
    assert (code, out) == (1, "")
    assert err == (
        f"ntrk-kg: error: GET http://127.0.0.1:{port}/sparql (SPARQL count of <{graphs[0]}>) failed: "
        "no HTTP response (connection refused: is the server running on that port?); nothing was written\n"
    )


def test_transient_errors_are_retried_with_backoff_then_succeed(built_dir: Path, fake) -> None:
    fake.statuses = [503, 503]
    waits: list[float] = []
    client = gsp.Client(url(fake, "/sparql"), url(fake, "/store"), retries=3, backoff=0.5, sleep=waits.append)
    resp = client.put_graph("https://w3id.org/ntrk-kg/graph/guide", b"")
    assert (resp.status, waits) == (204, [0.5, 1.0])


def test_transient_errors_stop_after_the_last_retry(fake) -> None:
    fake.statuses = [503, 503, 503]
    waits: list[float] = []
    client = gsp.Client(url(fake, "/sparql"), url(fake, "/store"), retries=2, backoff=0.5, sleep=waits.append)
    with pytest.raises(gsp.LoadError, match=r"^PUT .*/store\?graph=.* failed: HTTP 503 Service Unavailable$"):
        client.put_graph("https://w3id.org/ntrk-kg/graph/guide", b"")
    assert waits == [0.5, 1.0]


def test_a_permanent_error_is_not_retried(fake) -> None:
    fake.statuses = [400]
    waits: list[float] = []
    client = gsp.Client(url(fake, "/sparql"), url(fake, "/store"), sleep=waits.append)
    with pytest.raises(gsp.LoadError, match="HTTP 400 Bad Request"):
        client.post_graph("https://w3id.org/ntrk-kg/graph/guide", b"")
    assert waits == []


def test_uploads_name_the_graph_and_never_target_the_default_graph(cli, built_dir: Path, fake) -> None:
    load(cli, built_dir, "--endpoint", url(fake, "/sparql"), "--gsp", url(fake, "/store"), "--append")
    uploads = [(m, p) for m, p, _ in fake.seen if m != "GET"]
    assert uploads == [("POST", "/store?" + urlencode({"graph": g})) for g in graphs_of(built_dir)]


def test_credentials_from_the_environment_are_sent_with_basic_auth(cli, built_dir: Path, fake) -> None:
    class Auth(Fake):
        def do_GET(self) -> None:
            if self.headers.get("Authorization") != "Basic dTpwdw==":  # u:pw
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="kg"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_GET()

    fake.RequestHandlerClass = Auth
    fake.count_status = 500  # stop after the first count: we only look at its credentials
    code, _, err = load(cli, built_dir, "--endpoint", url(fake, "/sparql"), env={gsp.USER_ENV: "u", gsp.PASSWORD_ENV: "pw"})
    assert code == 1 and "HTTP 500" in err
    assert [a for m, _, a in fake.seen] == ["Basic dTpwdw=="]
    fake.seen.clear()
    code, _, err = load(cli, built_dir, "--endpoint", url(fake, "/sparql"))
    assert code == 1
    assert err.startswith(f"ntrk-kg: error: GET {url(fake, '/sparql')} (SPARQL count of <{graphs_of(built_dir)[0]}>) failed: "
                          f"HTTP 401 Unauthorized (check {gsp.USER_ENV}/{gsp.PASSWORD_ENV} or the netrc entry")


def test_credentials_come_from_a_netrc_file_by_host(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine db.example login dba password s3cret\n")
    netrc.chmod(0o600)
    env = {"NETRC": str(netrc)}
    assert gsp.credentials("http://db.example:8890/sparql", env) == gsp.Credentials("dba", "s3cret", str(netrc))
    assert gsp.credentials("http://other.example/sparql", env) is None
    both = {**env, gsp.USER_ENV: "u", gsp.PASSWORD_ENV: "p"}
    assert gsp.credentials("http://db.example/sparql", both) == gsp.Credentials("u", "p", "environment")
    with pytest.raises(UsageError, match="set both NTRK_KG_USER and NTRK_KG_PASSWORD, or neither"):
        gsp.credentials("http://db.example/sparql", {gsp.USER_ENV: "u"})


def test_layout_options_exclude_each_other(cli, built_dir: Path) -> None:
    code, _, err = load(cli, built_dir, "--endpoint", "http://127.0.0.1:9/sparql", "--graph", "https://w3id.org/x", "--dataset")
    assert (code, err) == (2, "ntrk-kg: error: --graph and --dataset exclude each other: choose one layout\n")


def test_a_target_graph_that_is_not_an_iri_is_a_usage_error(cli, built_dir: Path) -> None:
    code, _, err = load(cli, built_dir, "--endpoint", "http://127.0.0.1:9/sparql", "--graph", "x> } DROP ALL #")
    assert (code, err) == (2, "ntrk-kg: error: not an absolute IRI: 'x> } DROP ALL #'\n")


def test_loading_without_a_build_is_a_usage_error(cli, tmp_path: Path) -> None:
    result = cli("load", "--out", str(tmp_path), "--endpoint", "http://127.0.0.1:9/sparql")
    assert result.exit_code == 2
    assert result.stderr == f"ntrk-kg: error: {tmp_path / 'ntrk-kg.nq'} does not exist; run 'ntrk-kg build --out {tmp_path}' first\n"


class Closing(Fake):
    """Cuts the connection of the first upload without reading its body, as Virtuoso does when it
    answers 401 to a request whose body is still arriving: the client's send breaks."""

    def _upload(self) -> None:
        if self.server.cut:  # type: ignore[attr-defined]
            self.server.cut -= 1  # type: ignore[attr-defined]
            self.server.seen.append(("cut", self.path, None))  # type: ignore[attr-defined]
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.connection.close()
            return
        super()._upload()

    do_PUT = do_POST = do_DELETE = _upload


def test_a_connection_cut_while_the_body_is_sent_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Closing)
    server.seen, server.statuses, server.count_status, server.cut = [], [], 200, 1  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    failures: list[type] = []
    original = gsp._transient

    def seen(reason: object) -> bool:
        failures.append(type(reason))
        return original(reason)

    monkeypatch.setattr(gsp, "_transient", seen)
    try:
        waits: list[float] = []
        client = gsp.Client(url(server, "/sparql"), url(server, "/store"), retries=3, backoff=0.5, sleep=waits.append)
        resp = client.put_graph("https://w3id.org/ntrk-kg/graph/guide", b"<urn:s> <urn:p> <urn:o> .\n" * 1_500_000)
        assert (resp.status, waits) == (204, [0.5])
        assert [s[0] for s in server.seen] == ["cut", "PUT"]  # type: ignore[attr-defined]
        assert len(failures) == 1 and issubclass(failures[0], (BrokenPipeError, ConnectionResetError))
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("cut", [BrokenPipeError(32, "Broken pipe"), ConnectionResetError(104, "Connection reset by peer")])
def test_a_broken_pipe_is_retried_like_a_reset(fake, cut: OSError) -> None:
    """Whether the client sees the cut connection as a broken pipe or a reset depends on timing."""
    import urllib.error

    waits: list[float] = []
    client = gsp.Client(url(fake, "/sparql"), url(fake, "/store"), retries=3, backoff=0.5, sleep=waits.append)
    real_open = client.opener.open
    calls = []

    def open_once_cut(req, timeout=None):  # type: ignore[no-untyped-def]
        calls.append(req.get_method())
        if len(calls) == 1:
            raise urllib.error.URLError(cut)
        return real_open(req, timeout=timeout)

    client.opener.open = open_once_cut  # type: ignore[method-assign]
    resp = client.put_graph("https://w3id.org/ntrk-kg/graph/guide", b"")
    assert (resp.status, waits, calls) == (204, [0.5], ["PUT", "PUT"])
