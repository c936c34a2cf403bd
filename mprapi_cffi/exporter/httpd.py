"""HTTP/1.1 for the exporter: the request handler, the index page and make_server."""

from __future__ import annotations

import contextlib
import email.utils
import html
import logging
import socket
import socketserver
import struct
import sys
import time
import urllib.parse

from .deadlines import TIMEOUT_HEADER_KEY, scrape_deadline
from .scrape import Exporter, TargetError
from .text import CONTENT_TYPE

log = logging.getLogger("mprapi_cffi.exporter")  # the package logs under one name


class _Server(socketserver.ThreadingTCPServer):
    # Each connection in a daemon thread: a scrape of a hung router never holds up
    # another, nor the exit.
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True  # as http.server's: a restarted exporter binds its port again at once
    exporter: Exporter


MAX_HEAD = 65536
"""The most bytes of a request's line and headers (http.server's limit for one line)."""
MAX_BODY = 65536
"""The most bytes of a request body, which is read and ignored (a scrape has none)."""
_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            413: "Content Too Large", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
            501: "Not Implemented", 505: "HTTP Version Not Supported"}  # fmt: skip
_TEXT = "text/plain; charset=utf-8"
_date = (0, "")  # (second, its IMF-fixdate): formatted once a second


def _http_date() -> str:
    global _date
    now = int(time.time())
    if _date[0] != now:
        _date = (now, email.utils.formatdate(now, usegmt=True))
    return _date[1]


class _Refused(Exception):
    """A request answered with an error status, after which the connection is closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Handler(socketserver.BaseRequestHandler):
    """HTTP/1.1 as Prometheus speaks it: GET and HEAD, kept-alive connections, Content-Length answers.

    Not http.server's BaseHTTPRequestHandler: its headers go through the email
    package and its answer through a file object, which under Wine cost a
    fifth of a router's three round trips.  Here a request's head is read
    whole, split on CRLF, and each answer leaves in one send, headers and body
    together (with Nagle's algorithm off: a kept-alive answer in two writes
    waited 40 ms for the client's delayed ACK).

    A connection is closed when its client leaves it quiet for longer than
    idle_timeout between requests, or takes longer than read_timeout to send
    a request's head, or its body, once it has begun: a stuck client does not
    hold its thread for ever.  An answer the client does not read is given up
    after idle_timeout.
    """

    idle_timeout = 300.0
    """Seconds a kept-alive connection may wait for its next request."""
    read_timeout = 30.0
    """Seconds a request's line and headers may take to arrive once they have begun, and again its body."""

    server: _Server
    request: socket.socket

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket_timeout = 0.0
        self._set_timeout(self.idle_timeout)
        self.pending = b""  # read past the last request's head: the next one's start (pipelining)
        self.keep_open = True

    def handle(self) -> None:
        while self.keep_open:
            try:
                head = self._read_head()
                if head is None:
                    return
                self._answer(head)
            except _Refused as exc:
                self._send(exc.status, _TEXT, f"{exc}\n".encode(), keep=False)
            except OSError:  # the client went away, or left the connection quiet past its timeout
                return
            except Exception:
                log.exception("answering a request failed")
                self._send(500, _TEXT, b"internal error: see the exporter's log\n", keep=False)

    def _read_head(self) -> bytes | None:
        """The next request's line and headers, without the blank line; None at the end of the connection."""
        data = self.pending.lstrip(b"\r\n")  # empty lines before a request are ignored (RFC 9112 2.2)
        searched = 0
        began: float | None = None
        while (end := data.find(b"\r\n\r\n", searched)) < 0:
            if len(data) > MAX_HEAD:
                raise _Refused(431, f"the request's line and headers are longer than {MAX_HEAD} bytes")
            if data and began is None:
                began = time.monotonic()
            chunk = self._recv(began)
            if not chunk:
                return None
            searched = max(0, len(data) - 3)
            data = (data + chunk).lstrip(b"\r\n") if not data else data + chunk
        if end > MAX_HEAD:
            raise _Refused(431, f"the request's line and headers are longer than {MAX_HEAD} bytes")
        self._set_timeout(self.idle_timeout)  # for the answer's send, and the next request
        self.pending = data[end + 4 :]
        return data[:end]

    def _answer(self, head: bytes) -> None:
        line, *fields = head.split(b"\r\n")
        parts = line.split(b" ")
        if len(parts) != 3 or not parts[1] or not parts[2].startswith(b"HTTP/"):
            raise _Refused(400, "not an HTTP request line")
        method, target, version = parts
        if version not in (b"HTTP/1.1", b"HTTP/1.0"):
            raise _Refused(505, "HTTP/1.1 or HTTP/1.0 only")
        headers: dict[bytes, bytes] = {}
        for field_line in fields:
            name, colon, value = field_line.partition(b":")
            if not colon or not name or b" " in name or b"\t" in name:  # a token: RFC 9110 5.1, 9112 5.1
                raise _Refused(400, "a malformed header line")
            headers[name.lower()] = value.strip()
        connection = {token.strip() for token in headers.get(b"connection", b"").lower().split(b",")}
        # HTTP/1.1 connections stay open unless the client closes them; HTTP/1.0 ones are closed.
        keep = version == b"HTTP/1.1" and b"close" not in connection
        self._skip_body(headers)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s", self.client_address[0], line.decode("latin-1"))
        if method not in (b"GET", b"HEAD"):
            self._send(405, _TEXT, b"GET or HEAD only\n", keep=keep, extra="Allow: GET, HEAD\r\n")
            return
        if not target.isascii():
            raise _Refused(400, "the request target is not ASCII")
        url = urllib.parse.urlsplit(target.decode("ascii"))
        head_only = method == b"HEAD"
        if url.path == "/metrics":
            self._metrics(url.query, headers, head_only, keep)
        elif url.path == "/":
            page = _index_page(self.server.exporter).encode()
            self._send(200, "text/html; charset=utf-8", page, keep=keep, head_only=head_only)
        else:
            self._send(404, _TEXT, b"not found: try / or /metrics?target=ROUTER\n", keep=keep, head_only=head_only)

    def _skip_body(self, headers: dict[bytes, bytes]) -> None:
        # A GET has no body, but one sent with Content-Length is read past, not taken for the next request.
        if b"transfer-encoding" in headers:
            raise _Refused(501, "a request body in chunks is not taken")
        length_text = headers.get(b"content-length")
        if length_text is None:
            return
        if not length_text.isdigit():
            raise _Refused(400, "Content-Length is not a number")
        length = int(length_text)
        if length > MAX_BODY:
            raise _Refused(413, f"a request body of more than {MAX_BODY} bytes")
        began = time.monotonic()
        while len(self.pending) < length:
            chunk = self._recv(began)
            if not chunk:
                raise OSError("the client closed the connection within the request body")
            self.pending += chunk
        self._set_timeout(self.idle_timeout)
        self.pending = self.pending[length:]

    def _recv(self, began: float | None) -> bytes:
        """What the client sends next: within idle_timeout of now while no request has begun (``began``
        None), else within read_timeout of ``began`` (time.monotonic()); an OSError after it."""
        self._set_timeout(self.idle_timeout if began is None
                          else max(began + self.read_timeout - time.monotonic(), 1e-3))  # fmt: skip
        return self.request.recv(65536)

    def _set_timeout(self, timeout: float) -> None:
        # The system's own timeouts on the blocking socket, not socket.settimeout(): with that,
        # Python polls before every recv and send, which under Wine cost about a tenth of a scrape.
        # A recv or send past them fails (on Windows the socket is then unusable): the connection ends.
        if timeout != self._socket_timeout:  # a request whose head comes in one piece changes nothing
            self._socket_timeout = timeout
            value = _timeval(timeout)
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)

    def _metrics(self, query: str, headers: dict[bytes, bytes], head_only: bool, keep: bool) -> None:
        exporter = self.server.exporter
        try:
            params = urllib.parse.parse_qs(query, keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError):
            self._send(400, _TEXT, b"the query is not valid UTF-8\n", keep=keep, head_only=head_only)
            return
        targets = params.get("target")
        if targets is None:
            accept = headers.get(b"accept", b"").decode("latin-1")
            body, content_type = exporter.own_metrics(accept)
            self._send(200, content_type, body, keep=keep, head_only=head_only)
            return

        def answer(body: bytes, late: bool) -> None:
            # Late: from the deadline thread, while this one still waits for the router; the
            # connection is closed after, for the next scrape to get a thread of its own.
            self._send(200, CONTENT_TYPE, body, keep=keep and not late, head_only=head_only)
            if late:
                with contextlib.suppress(OSError):
                    self.request.shutdown(socket.SHUT_WR)

        try:
            if len(targets) > 1:
                raise TargetError(400, "give one target per scrape")
            timeout = headers.get(TIMEOUT_HEADER_KEY)
            deadline = scrape_deadline(None if timeout is None else timeout.decode("latin-1"), exporter.timeout)
            if not exporter.serve_scrape(targets[0], deadline, answer):
                self.keep_open = False
        except TargetError as exc:
            self._send(exc.status, _TEXT, f"{exc}\n".encode(), keep=keep, head_only=head_only)

    def _send(self, status: int, content_type: str, body: bytes, *, keep: bool, head_only: bool = False,
              extra: str = "") -> None:
        """The answer in one send; HEAD gets GET's headers, Content-Length included, and no body."""
        head = (f"HTTP/1.1 {status} {_REASONS[status]}\r\nServer: mprapi-exporter\r\nDate: {_http_date()}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"{'' if keep else 'Connection: close' + chr(13) + chr(10)}{extra}\r\n").encode("latin-1")
        if not keep:
            self.keep_open = False
        try:
            self.request.sendall(head if head_only else head + body)
        except OSError:
            self.keep_open = False


def _timeval(seconds: float) -> bytes:
    """SO_RCVTIMEO's and SO_SNDTIMEO's value: a DWORD of milliseconds on Windows (0: none, so at
    least 1), a struct timeval elsewhere."""
    if sys.platform == "win32":
        return struct.pack("=L", max(1, round(seconds * 1000)))
    whole = int(seconds)
    return struct.pack("@ll", whole, max(0 if whole else 1, int((seconds - whole) * 1e6)))


def _index_page(exporter: Exporter) -> str:
    if exporter.servers is None:
        routers = ('<form action="/metrics"><label>Router: <input name="target" placeholder="edge-router-1"></label> '
                   '<button>Scrape</button></form>')  # fmt: skip
    else:
        routers = "<ul>" + "".join(
            f'<li><a href="/metrics?target={urllib.parse.quote(name)}">{html.escape(name)}</a></li>'
            for name in sorted(exporter.servers)
        ) + "</ul>"
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mprapi exporter</title></head><body>"
        "<h1>mprapi exporter</h1><p>Metrics of RRAS routers (Router Management MIB API), named as snmp_exporter's "
        "if_mib module names them.</p>"
        f"<p><a href=\"/metrics\">The exporter's own metrics</a></p><h2>Routers</h2>{routers}</body></html>\n"
    )


def make_server(exporter: Exporter, host: str, port: int) -> socketserver.ThreadingTCPServer:
    """An HTTP server for ``exporter`` bound to host:port (port 0: any free one); call serve_forever()."""

    class Server(_Server):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, port), _Handler)
    server.exporter = exporter
    return server
