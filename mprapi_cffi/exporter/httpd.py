"""HTTP for the exporter, on the standard library's http.server: the handler, TLS and basic auth, make_server.

Each connection is served in a daemon thread of its own, so that a slow
client, or a scrape of a hung router, holds up no other.  Connections are
bounded (``max_connections``; past it a new one is refused at once), a
connection left quiet is closed (``idle_timeout``), and a TLS handshake is
made in the connection's own thread, within ``handshake_timeout``, never in
the thread that accepts.
"""

from __future__ import annotations

import html
import logging
import socket
import ssl
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .scrape import TIMEOUT_HEADER, Exporter, scrape_deadline
from .targets import TargetError
from .text import CONTENT_TYPE
from .webconfig import WWW_AUTHENTICATE, WebConfig

log = logging.getLogger("mprapi_cffi.exporter")  # the package logs under one name

__all__ = ["DEFAULT_MAX_CONNECTIONS", "ExporterServer", "make_server"]

DEFAULT_MAX_CONNECTIONS = 128
"""Connections served at once when ``max_connections`` is not given (--max-connections)."""
LISTEN_BACKLOG = 128
"""Connections the system holds before they are accepted: Prometheus opens many at once after a restart."""
MAX_QUERY_FIELDS = 8
_TEXT = "text/plain; charset=utf-8"
_REFUSED = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class _Handler(BaseHTTPRequestHandler):
    """GET and HEAD of ``/metrics`` (with or without ``target``) and ``/``; kept-alive HTTP/1.1."""

    protocol_version = "HTTP/1.1"
    server: ExporterServer
    server_version = "mprapi-exporter"

    def setup(self) -> None:
        self.request.settimeout(self.server.idle_timeout)  # a quiet connection is closed
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _serve(self, body: bool) -> None:
        if self.headers.get_all("Transfer-Encoding") or (self.headers.get_all("Content-Length") or ["0"]) != ["0"]:
            self.close_connection = True  # a body that is not read would be taken for the next request
            return self._send(400, b"a scrape has no request body\n", _TEXT, body)
        web = self.server.web
        if not web.authorized(self.headers.get("Authorization")):
            return self._send(401, b"Unauthorized\n", _TEXT, body, {"WWW-Authenticate": WWW_AUTHENTICATE})
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/":
            return self._send(200, _index_page(), "text/html; charset=utf-8", body)
        if url.path != "/metrics":
            return self._send(404, b"Not Found: try /metrics?target=ROUTER\n", _TEXT, body)
        try:
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS,
                                         errors="strict")
        except (ValueError, UnicodeDecodeError):
            return self._send(400, b"malformed query string\n", _TEXT, body)
        targets = query.get("target", [])
        exporter = self.server.exporter
        if not targets:
            payload, content_type = exporter.own_metrics(self.headers.get("Accept", ""))
            return self._send(200, payload, content_type, body)
        if len(targets) > 1:
            return self._send(400, b"give one target\n", _TEXT, body)
        deadline = scrape_deadline(self.headers.get(TIMEOUT_HEADER), exporter.timeout)
        try:
            payload = exporter.scrape(targets[0], deadline)
        except TargetError as exc:
            return self._send(exc.status, f"{exc}\n".encode("utf-8", "replace"), _TEXT, body)
        return self._send(200, payload, CONTENT_TYPE, body)

    def _send(self, status: int, payload: bytes, content_type: str, body: bool,
              headers: dict[str, str] | None = None) -> None:  # fmt: skip
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in {**self.server.web.headers, **(headers or {})}.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def _index_page() -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>mprapi exporter</title></head><body>"
        "<h1>mprapi exporter</h1><p>Metrics of an RRAS router: "
        f"<a href=\"/metrics?target=ROUTER\">{html.escape('/metrics?target=ROUTER')}</a>; "
        "the exporter's own: <a href=\"/metrics\">/metrics</a>.</p></body></html>\n"
    ).encode()


class ExporterServer(ThreadingHTTPServer):
    """The exporter's HTTP server: ``exporter`` answers its scrapes, ``web`` its TLS, users and headers."""

    daemon_threads = True  # a scrape of a hung router never holds up the exit
    block_on_close = False
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], exporter: Exporter, web: WebConfig, max_connections: int,
                 idle_timeout: float, handshake_timeout: float) -> None:  # fmt: skip
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.exporter = exporter
        self.web = web
        self.idle_timeout = idle_timeout
        self.handshake_timeout = handshake_timeout
        self.max_connections = max_connections
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)  # starts the connection's thread
        except BaseException:
            self._slots.release()
            raise

    def _refuse(self, request: socket.socket) -> None:
        log.warning("refused a connection: %d are open already (--max-connections)", self.max_connections)
        try:
            if self.web.ssl_context is None:
                request.setblocking(False)
                request.send(_REFUSED)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints a traceback on stderr; a client that went away is not worth one.
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            log.debug("%s: connection ended: %s", client_address[0], error)
        else:
            log.error("%s: the request failed", client_address[0], exc_info=True)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def finish_request(self, request: Any, client_address: Any) -> None:
        context = self.web.ssl_context
        if context is None:
            return super().finish_request(request, client_address)
        request.settimeout(self.handshake_timeout)
        try:
            secured = context.wrap_socket(request, server_side=True)  # the handshake, in this thread
        except (ssl.SSLError, OSError) as exc:
            log.debug("%s: TLS handshake failed: %s", client_address[0], exc)
            return
        try:
            super().finish_request(secured, client_address)
        finally:
            secured.close()


def make_server(
    exporter: Exporter,
    host: str = "127.0.0.1",
    port: int = 9425,
    *,
    web_config: WebConfig | None = None,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    idle_timeout: float = 300.0,
    handshake_timeout: float = 10.0,
) -> ExporterServer:
    """An HTTP (or, with a web config's TLS, HTTPS) server for ``exporter``; call serve_forever() on it.

    ``web_config``: TLS, basic auth and extra headers (load_web_config; none by
    default).  ``max_connections``: connections served at once; another is
    refused (503 over plain HTTP).  ``idle_timeout``: seconds a connection may
    stay quiet, between requests or within one.  ``handshake_timeout``:
    seconds a TLS handshake may take.
    """
    if isinstance(max_connections, bool) or not isinstance(max_connections, int) or max_connections < 1:
        raise ValueError(f"max_connections must be a positive int, not {max_connections!r}")
    web = web_config if web_config is not None else WebConfig(None, {}, {})
    return ExporterServer((host, port), exporter, web, max_connections, idle_timeout, handshake_timeout)
