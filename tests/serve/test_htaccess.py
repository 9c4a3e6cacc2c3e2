"""The w3id.org redirect rules, run by a real Apache httpd (Debian ``apache2``, mod_rewrite) on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

MODULES = Path("/usr/lib/apache2/modules")
CONF = """\
ServerName 127.0.0.1
ServerRoot "{root}"
Listen 127.0.0.1:{port}
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LogLevel warn
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule rewrite_module {modules}/mod_rewrite.so
User www-data
Group www-data
DocumentRoot "{root}/www"
<Directory "{root}/www">
    AllowOverride All
    Require all granted
</Directory>
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _require_apache() -> str:
    found = shutil.which("apache2") or (shutil.which("apache2", path="/usr/sbin"))
    if found and (MODULES / "mod_rewrite.so").is_file():
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("apache2 is not installed, and under CI=true this test must run (.ci/install-servers.sh installs it)")
    pytest.skip("apache2 is not installed (Debian package 'apache2')")


@pytest.fixture()
def httpd(cli, served) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The URL of w3id.org's ``ntrk-kg/`` folder as served by a local Apache with the generated rules."""
    binary = _require_apache()
    root = Path(tempfile.mkdtemp(prefix="ntrk-kg-httpd-"))  # readable by the www-data children
    try:
        os.chmod(root, 0o755)
        (root / "www" / "ntrk-kg").mkdir(parents=True)
        for d in (root / "www", root / "www" / "ntrk-kg"):
            os.chmod(d, 0o755)
        result = cli("serve", "--write-htaccess", str(root / "www" / "ntrk-kg" / ".htaccess"),
                     "--public-url", served.url)
        assert result.exit_code == 0, result.output
        os.chmod(root / "www" / "ntrk-kg" / ".htaccess", 0o644)
        port = _free_port()
        (root / "httpd.conf").write_text(CONF.format(root=root, port=port, modules=MODULES))
        proc = subprocess.Popen([binary, "-f", str(root / "httpd.conf"), "-DFOREGROUND"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/ntrk-kg"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    log = (root / "error.log").read_text() if (root / "error.log").exists() else ""
                    pytest.fail(f"apache2 exited with {proc.returncode}: {log[-2000:]}")
                time.sleep(0.1)
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _redirect(url: str, accept: str) -> tuple[int, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.headers.get("location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("location", "")


def test_the_rules_redirect_each_kind_of_client(httpd: str, served) -> None:
    path = "id/fusion/ETV6--NTRK3"
    cases = [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", f"{served.url}/{path}"),
        ("text/turtle", f"{served.url}/{path}?format=ttl"),
        ("application/n-triples", f"{served.url}/{path}?format=nt"),
        ("application/ld+json", f"{served.url}/{path}?format=jsonld"),
        ("*/*", f"{served.url}/{path}"),
    ]
    for accept, location in cases:
        assert _redirect(f"{httpd}/{path}", accept) == (303, location), accept
    assert _redirect(f"{httpd}/ontology", "text/html") == (303, f"{served.url}/ontology")


def test_following_the_redirect_gives_the_description(httpd: str, served) -> None:
    request = urllib.request.Request(f"{httpd}/id/fusion/ETV6--NTRK3", headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.url == f"{served.url}/id/fusion/ETV6--NTRK3?format=ttl"
        triples = list(ox.parse(response.read(), format=ox.RdfFormat.TURTLE))
    labels = [t.object.value for t in triples if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"]
    assert labels == ["ETV6::NTRK3"]
    request = urllib.request.Request(f"{httpd}/id/fusion/ETV6--NTRK3", headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert b"<title>ETV6::NTRK3" in response.read()


def test_a_public_url_with_a_query_is_refused(cli, tmp_path: Path) -> None:
    result = cli("serve", "--write-htaccess", str(tmp_path / ".htaccess"),
                 "--public-url", "https://kg.example.org/?x=1")
    assert result.exit_code == 2 and "must be an http:// or https:// URL without query or fragment" in result.output
    assert not (tmp_path / ".htaccess").exists()
