"""``ntrk-kg serve``: the graph as Linked Data over HTTP (SPARQL endpoint, IRIs, catalogue API, query page)."""

from __future__ import annotations

import socket
from pathlib import Path

import click

from kg_build.cli.options import errors_to_exit, out_option


@click.command("serve")
@out_option
@click.option("--endpoint", metavar="URL", default=None,
              help="Serve this SPARQL endpoint's graph instead of the build in OUT (the same pages in front of your store).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port; the address is printed when the server is ready).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Query worker processes (each holds the graph open and runs one query at a time).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a query may run; a longer one is stopped and answered with HTTP 503.")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Largest result (rows or triples) answered; a larger one is refused with HTTP 400.")
@click.option("--max-request-bytes", type=click.IntRange(min=1024), default=1 << 20, show_default=True,
              help="Largest request body or query string accepted (HTTP 413/414 beyond).")
@click.option("--allow-service", "allowed_services", multiple=True, metavar="URL",
              help="An endpoint SERVICE clauses may query; repeat for several. No other is queried.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Allow scripts from this origin (or '*') to read the answers (CORS); repeat for several.")
@click.option("--root-path", default="", metavar="PATH",
              help="The path prefix a reverse proxy serves this server under (e.g. /ntrk-kg), for the links of its pages.")
@click.option("--proxy-headers/--no-proxy-headers", default=False, show_default=True,
              help="Trust X-Forwarded-Proto/-For from --forwarded-allow-ips (behind a reverse proxy).")
@click.option("--forwarded-allow-ips", default="127.0.0.1", show_default=True, metavar="IPS",
              help="Comma-separated proxy addresses whose forwarded headers are trusted.")
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log each request on stderr.")
@click.option("--write-htaccess", "htaccess_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the w3id.org redirect rules for --public-url to this file and exit (no server).")
@click.option("--public-url", default=None, metavar="URL",
              help="Where this server is reached from the world, for --write-htaccess.")
@errors_to_exit
def command(out_dir: Path, endpoint: str | None, host: str, port: int, workers: int, timeout: float, max_rows: int,
            max_request_bytes: int, allowed_services: tuple[str, ...], cors_origins: tuple[str, ...], root_path: str,
            proxy_headers: bool, forwarded_allow_ips: str, access_log: bool, htaccess_file: Path | None,
            public_url: str | None) -> None:
    """Serve the graph as Linked Data: a read-only SPARQL endpoint (/sparql), a page and RDF for
    every IRI under https://w3id.org/ntrk-kg/, the query catalogue as a web API (/api, described
    by /openapi.json) and a query page (/query).

    Serves the build in OUT (its store, read-only), or with --endpoint any SPARQL endpoint.
    With --write-htaccess FILE --public-url URL it writes the w3id.org redirect rules and exits.
    Exit codes: 0 stopped normally; 2 bad option, missing build, address in use.
    """
    from kg_build.errors import UsageError

    if htaccess_file is not None or public_url is not None:
        if htaccess_file is None or public_url is None:
            raise UsageError("--write-htaccess FILE and --public-url URL go together")
        from kg_build.build.staging import Output, write_atomically
        from kg_build.serve.htaccess import rules

        text = rules(public_url)
        target = htaccess_file.resolve()
        try:
            write_atomically(target.parent, [Output(target.name, text.encode("utf-8"))])
        except OSError as exc:
            raise UsageError(f"{htaccess_file}: cannot write the redirect rules: {exc.strerror}") from exc
        click.echo(f"wrote {target}")
        return
    _serve(out_dir, endpoint, host, port, workers, timeout, max_rows, max_request_bytes, allowed_services,
           cors_origins, root_path, proxy_headers, forwarded_allow_ips, access_log)


def _serve(out_dir: Path, endpoint: str | None, host: str, port: int, workers: int, timeout: float, max_rows: int,
           max_request_bytes: int, allowed_services: tuple[str, ...], cors_origins: tuple[str, ...], root_path: str,
           proxy_headers: bool, forwarded_allow_ips: str, access_log: bool) -> None:
    import uvicorn

    from kg_build.errors import UsageError
    from kg_build.serve.app import create_app
    from kg_build.serve.config import ServeConfig
    from kg_build.serve.handlers import Backend

    if root_path and (not root_path.startswith("/") or root_path.endswith("/")):
        raise UsageError(f"--root-path {root_path!r} must start with '/' and not end with one, e.g. /ntrk-kg")
    config = ServeConfig(out_dir=out_dir, endpoint=endpoint, workers=workers, timeout=timeout, max_rows=max_rows,
                         max_request_bytes=max_request_bytes, allowed_services=allowed_services,
                         cors_origins=cors_origins)
    Backend(config)  # opens the graph once here, so a missing build is a clear error, not a failed worker
    sock = listening_socket(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    url = f"http://{shown}:{bound_port}"
    prefix = f"; its pages link under {root_path}/ for the proxy in front" if root_path else ""

    def ready() -> None:
        click.echo(f"serving {endpoint or out_dir} on {url}/ (SPARQL endpoint {url}/sparql{prefix}; Ctrl-C stops)")

    app = create_app(config, on_ready=ready)
    server = uvicorn.Server(uvicorn.Config(
        app, root_path=root_path, proxy_headers=proxy_headers, forwarded_allow_ips=forwarded_allow_ips,
        access_log=access_log, log_level="info" if access_log else "warning", timeout_graceful_shutdown=5,
        server_header=False,
    ))
    server.run(sockets=[sock])


def listening_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A TCP socket bound to ``host:port`` and already listening.

    It listens before the server prints that it is ready: uvicorn reports the application ready
    (its lifespan) before it starts serving the socket, and a client that connects in between would
    be refused if the socket were only bound. Connections made then wait in the backlog.
    """
    from kg_build.errors import UsageError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family = infos[0][0]
        # IPPROTO_TCP given, so that asyncio sets TCP_NODELAY on each connection (it checks the
        # protocol number); without it, keep-alive answers wait on delayed ACKs (about 40 ms each).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock
