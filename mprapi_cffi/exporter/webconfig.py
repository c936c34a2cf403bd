"""``--web.config.file``: TLS and basic authentication from exporter-toolkit's web configuration file.

Every Prometheus exporter built on prometheus/exporter-toolkit (node_exporter,
windows_exporter, ...) reads the same YAML file, described in exporter-toolkit's
``docs/web-configuration.md``; an operator's file for them is read here with the
same meaning, or refused with the line that cannot be honoured.  What is read:

``tls_server_config``
    ``cert_file`` and ``key_file`` (both required once the section is given; an
    unencrypted PEM key, as Go's ``tls.X509KeyPair`` reads), ``client_auth_type``
    (``NoClientCert``, the default, ``VerifyClientCertIfGiven`` or
    ``RequireAndVerifyClientCert``, the last two with ``client_ca_file``),
    ``client_ca_file`` (an error with ``NoClientCert``, as in exporter-toolkit),
    ``min_version`` and ``max_version`` (``TLS10`` to ``TLS13``; TLS 1.2 to 1.3 by
    default), ``cipher_suites`` (Go's names for the suites Go's
    ``tls.CipherSuites()`` lists, each mapped to OpenSSL's suite of the same IANA
    number; TLS 1.3 suites are accepted and change nothing, as Go does not let them
    be chosen either) and ``prefer_server_cipher_suites`` (OpenSSL's
    ``SSL_OP_CIPHER_SERVER_PREFERENCE``; true by default).  Relative file names are
    taken from the configuration file's folder, as exporter-toolkit takes them.
``http_server_config``
    ``headers``: only the five exporter-toolkit allows (``Content-Security-Policy``,
    ``Strict-Transport-Security``, ``X-Content-Type-Options``, which must be
    ``nosniff``, ``X-Frame-Options``, ``deny`` or ``sameorigin``, and
    ``X-XSS-Protection``); a blank value sends none.  ``http2``: a boolean, accepted
    and without effect: this exporter speaks HTTP/1.1 only, over TLS as without.
``basic_auth_users``
    user name to bcrypt hash (``htpasswd -nBC 10 "" | tr -d ':\\n'``), checked in
    :meth:`WebConfig.authorized`.

Refused as not supported by this exporter, each with its line, rather than
ignored: the inline ``cert``, ``key`` and ``client_ca`` (name files instead),
``curve_preferences`` (Python's ssl module sets one curve, not a preference
list), ``client_allowed_sans`` (it has no hook to check a client certificate's
names), the ``client_auth_type`` values ``RequestClientCert``,
``RequireAnyClientCert`` and ``RequireClientCert`` (Python's ssl module cannot
accept a client certificate without verifying it against a CA) and
``rate_limit``.  Keys exporter-toolkit does not know are errors, as its strict
unmarshalling makes them; an empty file is valid (plain HTTP, no
authentication).  Unlike exporter-toolkit, which reads the file again on every
request, the file is read once, by :func:`load_web_config`: the certificates
and keys are loaded then, so that a bad one stops the exporter at startup.

PyYAML and bcrypt are the ``exporter`` extra (``pip install
mprapi-cffi[exporter]``): imported by :func:`load_web_config` and
:meth:`WebConfig.authorized`, so that this module imports without them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import os
import re
import ssl
import threading
import warnings
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType
from typing import Any

__all__ = ["WWW_AUTHENTICATE", "MAX_CONFIG_SIZE", "MAX_AUTHORIZATION", "AUTH_CACHE_SIZE", "WebConfigError",
           "WebConfig", "load_web_config"]

WWW_AUTHENTICATE = "Basic"
"""The ``WWW-Authenticate`` header of a 401 answer: exporter-toolkit's, word for word."""
MAX_CONFIG_SIZE = 1 << 20
"""The most bytes of a web configuration file."""
MAX_AUTHORIZATION = 4096
"""The most characters of an ``Authorization`` header :meth:`WebConfig.authorized` reads; a longer one is refused."""
AUTH_CACHE_SIZE = 100
"""How many good (user, password) pairs are remembered, so that a scrape costs no bcrypt (exporter-toolkit's 100)."""

_MAX_DEPTH = 16  # the file's deepest collection is 3 levels down; PyYAML's composer recurses on each
_BCRYPT_HASH = re.compile(rb"\$2[abxy]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}")  # cost 4 to 31, as Go's bcrypt
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")  # printable ASCII: no line break to smuggle a header in
_BCRYPT_MAX_PASSWORD = 72  # bcrypt reads no further; Go's CompareHashAndPassword ignores the rest, bcrypt 5 raises

_TLS_VERSIONS = {"TLS10": ssl.TLSVersion.TLSv1, "TLS11": ssl.TLSVersion.TLSv1_1,
                 "TLS12": ssl.TLSVersion.TLSv1_2, "TLS13": ssl.TLSVersion.TLSv1_3}  # fmt: skip

# Go's crypto/tls names (those tls.CipherSuites() lists, which exporter-toolkit accepts) by IANA number, with
# OpenSSL's name for the same number; None: a TLS 1.3 suite, which neither Go's tls.Config nor Python's ssl chooses.
_CIPHER_SUITES: dict[str, tuple[int, str | None]] = {
    "TLS_RSA_WITH_AES_128_CBC_SHA": (0x002F, "AES128-SHA"),
    "TLS_RSA_WITH_AES_256_CBC_SHA": (0x0035, "AES256-SHA"),
    "TLS_RSA_WITH_AES_128_GCM_SHA256": (0x009C, "AES128-GCM-SHA256"),
    "TLS_RSA_WITH_AES_256_GCM_SHA384": (0x009D, "AES256-GCM-SHA384"),
    "TLS_AES_128_GCM_SHA256": (0x1301, None),
    "TLS_AES_256_GCM_SHA384": (0x1302, None),
    "TLS_CHACHA20_POLY1305_SHA256": (0x1303, None),
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA": (0xC009, "ECDHE-ECDSA-AES128-SHA"),
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA": (0xC00A, "ECDHE-ECDSA-AES256-SHA"),
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": (0xC013, "ECDHE-RSA-AES128-SHA"),
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": (0xC014, "ECDHE-RSA-AES256-SHA"),
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256": (0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256"),
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384": (0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384"),
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": (0xC02F, "ECDHE-RSA-AES128-GCM-SHA256"),
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": (0xC030, "ECDHE-RSA-AES256-GCM-SHA384"),
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256": (0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305"),
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256": (0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305"),
}

# exporter-toolkit's extraHTTPHeaders: the only headers it lets the file set, and the values some must have.
_HEADERS: dict[str, tuple[str, ...]] = {
    "Strict-Transport-Security": (),
    "X-Content-Type-Options": ("nosniff",),
    "X-Frame-Options": ("deny", "sameorigin"),
    "X-XSS-Protection": (),
    "Content-Security-Policy": (),
}

_CLIENT_AUTH = {"NoClientCert": ssl.CERT_NONE, "VerifyClientCertIfGiven": ssl.CERT_OPTIONAL,
                "RequireAndVerifyClientCert": ssl.CERT_REQUIRED}  # fmt: skip
_CLIENT_AUTH_REFUSED = ("RequestClientCert", "RequireAnyClientCert", "RequireClientCert")

# exporter-toolkit's keys this exporter refuses, with why, by section.
_TLS_UNSUPPORTED = {
    "cert": "the certificate is read from cert_file only",
    "key": "the key is read from key_file only",
    "client_ca": "client CA certificates are read from client_ca_file only",
    "curve_preferences": "Python's ssl module sets one ECDH curve, not a list of preferences",
    "client_allowed_sans": "Python's ssl module has no hook to check a client certificate's names",
}
_TOP_UNSUPPORTED = {"rate_limit": "requests are not rate limited"}

_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STRING_TAGS = frozenset({_STR, "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"})


class WebConfigError(ValueError):
    """A web configuration file that cannot be honoured: the message names the file and, where it has one, the line."""


def _extra(name: str) -> ModuleType:
    """PyYAML or bcrypt, or an ImportError that names the extra that installs it."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"--web.config.file needs {'PyYAML' if name == 'yaml' else name}: pip install mprapi-cffi[exporter]"
        ) from exc


class _Verifier:
    """Basic authentication's passwords, checked with bcrypt one at a time, and the good ones remembered."""

    def __init__(self, users: Mapping[str, bytes]) -> None:
        # Names are compared by their digests: the same length whatever the name, and every one compared.
        self._users = [(hashlib.sha256(name.encode("utf-8")).digest(), hashed) for name, hashed in users.items()]
        self._key = os.urandom(32)  # the cache holds keyed digests, never a password
        self._good: OrderedDict[bytes, None] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()
        self._bcrypt = threading.Lock()  # bcrypt is CPU-bound: one at a time, as exporter-toolkit's bcryptMtx

    def check(self, user: str, password: str) -> bool:
        wanted = hashlib.sha256(user.encode("utf-8")).digest()
        found: bytes | None = None
        for name, hashed in self._users:
            if hmac.compare_digest(name, wanted):
                found = hashed
        # An unknown user costs a bcrypt too (against a configured hash, so it takes as long): no user enumeration.
        hashed = found if found is not None else self._users[0][1]
        secret = password.encode("utf-8")
        key = hmac.new(self._key, b"%d:%d:" % (len(wanted), len(hashed)) + wanted + hashed + secret,
                       hashlib.sha256).digest()
        if found is not None:
            with self._lock:
                if key in self._good:
                    self._good.move_to_end(key)
                    return True
        bcrypt = _extra("bcrypt")  # looked up at each check: a test may count its calls
        with self._bcrypt:
            try:
                ok = bool(bcrypt.checkpw(secret[:_BCRYPT_MAX_PASSWORD], hashed))
            except ValueError:  # a NUL in the password, or a hash bcrypt will not read
                ok = False
        if not ok or found is None:
            return False  # a failure is never remembered: the next attempt is checked again
        with self._lock:
            self._good[key] = None
            self._good.move_to_end(key)
            while len(self._good) > AUTH_CACHE_SIZE:
                self._good.popitem(last=False)
        return True


def _basic_credentials(authorization: str) -> tuple[str, str] | None:
    """(user, password) of a ``Basic`` Authorization header (RFC 7617), or None for anything else."""
    scheme, _, token = authorization.strip(" \t").partition(" ")
    if scheme.lower() != "basic":
        return None
    token = token.lstrip(" ")
    if not token.isascii():
        return None
    try:
        user, colon, password = base64.b64decode(token, validate=True).decode("utf-8").partition(":")
    except ValueError:  # binascii.Error and UnicodeDecodeError
        return None
    return (user, password) if colon else None


@dataclass(frozen=True)
class WebConfig:
    """What a web configuration file asks of the exporter's HTTP server.

    ``ssl_context``: a server context, certificate and key loaded, or None for
    plain HTTP.  ``users``: user name to bcrypt hash; empty, no authentication.
    ``headers``: headers to add to every answer.  Safe to share between threads.
    """

    ssl_context: ssl.SSLContext | None
    users: Mapping[str, bytes]
    headers: Mapping[str, str]
    _verifier: _Verifier = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "users", MappingProxyType(dict(self.users)))
        object.__setattr__(self, "headers", MappingProxyType(dict(self.headers)))
        object.__setattr__(self, "_verifier", _Verifier(self.users))

    def authorized(self, authorization: str | None) -> bool:
        """Whether a request with this ``Authorization`` header (None: without one) may be answered.

        True when no users are configured; otherwise only for ``Basic`` and the
        base64 of a configured ``user:password``.  Anything else (another scheme,
        bad base64, no colon, not UTF-8, over MAX_AUTHORIZATION characters) is
        False, never an exception.  A request refused is answered 401 with
        ``WWW-Authenticate: Basic`` (WWW_AUTHENTICATE).  Good credentials are remembered
        (the last AUTH_CACHE_SIZE), so that only their first check costs a bcrypt;
        a wrong password costs one every time.
        """
        if not self.users:
            return True
        if not isinstance(authorization, str) or len(authorization) > MAX_AUTHORIZATION:
            return False
        credentials = _basic_credentials(authorization)
        return credentials is not None and self._verifier.check(*credentials)


class _File:
    """The file being read: its name and folder for paths, and errors that name it and a line."""

    def __init__(self, path: str, yaml: ModuleType) -> None:
        self.path = path
        self.folder = os.path.dirname(path)
        self.yaml = yaml

    def error(self, node: Any, message: str) -> WebConfigError:
        return WebConfigError(f"{self.path}:{int(node.start_mark.line) + 1}: {message}")

    def kind(self, node: Any) -> str:
        if isinstance(node, self.yaml.MappingNode):
            return "a mapping"
        if isinstance(node, self.yaml.SequenceNode):
            return "a list"
        return {_NULL: "nothing", _BOOL: "a boolean", _STR: "a string"}.get(str(node.tag), f"{node.tag}")

    def mapping(self, node: Any, what: str) -> list[tuple[str, Any, Any]]:
        """(key, key node, value node) of a mapping; a key with no value (null) is an empty one."""
        if self.is_null(node):
            return []
        if not isinstance(node, self.yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping, not {self.kind(node)}")
        items: list[tuple[str, Any, Any]] = []
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, self.yaml.ScalarNode) or key_node.tag not in _STRING_TAGS:
                raise self.error(key_node, f"the keys of {what} must be strings, not {self.kind(key_node)}")
            key = str(key_node.value)
            if key in lines:
                raise self.error(key_node, f"{key!r} is given twice in {what} (first on line {lines[key]})")
            lines[key] = int(key_node.start_mark.line) + 1
            items.append((key, key_node, value_node))
        return items

    def is_null(self, node: Any) -> bool:
        return isinstance(node, self.yaml.ScalarNode) and node.tag == _NULL

    def string(self, node: Any, what: str) -> str:
        if not isinstance(node, self.yaml.ScalarNode) or node.tag not in _STRING_TAGS:
            raise self.error(node, f"{what} must be a string, not {self.kind(node)}")
        return str(node.value)

    def boolean(self, node: Any, what: str) -> bool:
        if not isinstance(node, self.yaml.ScalarNode) or node.tag != _BOOL:
            raise self.error(node, f"{what} must be true or false, not {self.kind(node)}")
        return str(node.value).lower() in ("true", "yes", "on")

    def strings(self, node: Any, what: str) -> list[tuple[str, Any]]:
        if self.is_null(node):
            return []
        if not isinstance(node, self.yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list, not {self.kind(node)}")
        return [(self.string(item, f"each of {what}"), item) for item in node.value]

    def readable(self, node: Any, key: str, name: str) -> str:
        """The file a key names, from the configuration's folder when relative, once it is known to open."""
        path = os.path.join(self.folder, name)  # an absolute name is kept, as Go's filepath.Join in JoinDir
        try:
            with open(path, "rb") as file:
                file.read(1)
        except OSError as exc:
            raise self.error(node, f"cannot read {key} {path}: {exc.strerror or exc}") from exc
        return path


def _refuse(file: _File, key: str, node: Any, section: str, known: tuple[str, ...],
            unsupported: Mapping[str, str]) -> WebConfigError:
    """The error for a key this exporter does not read: one it refuses, or one exporter-toolkit does not know."""
    if key in unsupported:
        return file.error(node, f"{section}{key} is not supported by this exporter: {unsupported[key]}")
    return file.error(node, f"unknown key {section}{key} (exporter-toolkit's are: {', '.join((*known, *unsupported))})")


class _NoPassword(Exception):
    pass


def _no_password() -> bytes:
    raise _NoPassword  # never OpenSSL's prompt on the terminal


def _tls_context(file: _File, section_node: Any, value: Any) -> ssl.SSLContext:
    known = ("cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version",
             "cipher_suites", "prefer_server_cipher_suites")  # fmt: skip
    given: dict[str, tuple[Any, Any]] = {}
    texts: dict[str, str] = {}
    suites: list[tuple[str, Any]] = []
    prefer = True
    for key, key_node, value_node in file.mapping(value, "tls_server_config"):
        if key not in known:
            raise _refuse(file, key, key_node, "tls_server_config.", known, _TLS_UNSUPPORTED)
        given[key] = (key_node, value_node)
        what = f"tls_server_config.{key}"
        if key == "cipher_suites":
            suites = file.strings(value_node, what)
        elif key == "prefer_server_cipher_suites":
            prefer = file.boolean(value_node, what)
        else:
            texts[key] = "" if file.is_null(value_node) else file.string(value_node, what)

    def text(key: str) -> str:
        return texts.get(key, "")

    names: dict[str, str] = {}
    for key in ("cert_file", "key_file"):
        names[key] = text(key)
        if not names[key]:
            raise file.error(section_node, f"tls_server_config needs {key}")
    cert = file.readable(given["cert_file"][1], "cert_file", names["cert_file"])
    key_path = file.readable(given["key_file"][1], "key_file", names["key_file"])

    client_auth = text("client_auth_type") or "NoClientCert"
    if client_auth in _CLIENT_AUTH_REFUSED:
        raise file.error(given["client_auth_type"][1], f"client_auth_type {client_auth} is not supported by this "
                         "exporter: Python's ssl module cannot accept a client certificate without verifying it; use "
                         "VerifyClientCertIfGiven or RequireAndVerifyClientCert with client_ca_file")
    if client_auth not in _CLIENT_AUTH:
        raise file.error(given["client_auth_type"][1], f"unknown client_auth_type {client_auth!r} (one of "
                         f"{', '.join(_CLIENT_AUTH)})")
    ca_name = text("client_ca_file")
    if ca_name and client_auth == "NoClientCert":
        raise file.error(given["client_ca_file"][1], "client_ca_file is given, but client_auth_type is NoClientCert")
    if not ca_name and client_auth != "NoClientCert":
        raise file.error(given["client_auth_type"][1], f"client_auth_type {client_auth} needs client_ca_file")

    versions: dict[str, ssl.TLSVersion] = {}
    for key, default in (("min_version", "TLS12"), ("max_version", "TLS13")):
        name = text(key) or default
        if name not in _TLS_VERSIONS:
            raise file.error(given[key][1], f"unknown {key} {name!r} (one of {', '.join(_TLS_VERSIONS)})")
        versions[key] = _TLS_VERSIONS[name]
    if versions["min_version"] > versions["max_version"]:
        where = given["max_version"][1] if "max_version" in given else given["min_version"][1]
        raise file.error(where, "min_version is above max_version")

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():  # TLS 1.0 and 1.1 are deprecated, and still the operator's to choose
        warnings.simplefilter("ignore", DeprecationWarning)
        for key, version in versions.items():
            try:
                setattr(context, "minimum_version" if key == "min_version" else "maximum_version", version)
            except ValueError as exc:
                raise file.error(given[key][1], f"{key}: this Python's OpenSSL refuses it: {exc}") from exc
    try:
        context.load_cert_chain(cert, key_path, password=_no_password)
    except _NoPassword:
        raise file.error(given["key_file"][1], f"key_file {key_path} is encrypted; give an unencrypted key, "
                         "as exporter-toolkit reads") from None
    except ssl.SSLError as exc:
        raise file.error(given["cert_file"][1], f"cannot load cert_file {cert} with key_file {key_path}: "
                         f"{exc.reason or exc}") from exc
    context.verify_mode = _CLIENT_AUTH[client_auth]
    if ca_name:
        ca = file.readable(given["client_ca_file"][1], "client_ca_file", ca_name)
        try:
            context.load_verify_locations(cafile=ca)
        except ssl.SSLError as exc:
            raise file.error(given["client_ca_file"][1], f"cannot load client_ca_file {ca}: "
                             f"{exc.reason or exc}") from exc

    if suites:
        _set_cipher_suites(file, context, given["cipher_suites"][0], suites, versions["min_version"])
    if prefer:
        context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    else:
        context.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
    context.set_alpn_protocols(["http/1.1"])
    return context


def _set_cipher_suites(file: _File, context: ssl.SSLContext, key_node: Any, given: list[tuple[str, Any]],
                       minimum: ssl.TLSVersion) -> None:
    """Go's cipher_suites as OpenSSL's list for TLS 1.2 and below, in their order (the server's preference)."""
    chosen: list[tuple[int, str, Any]] = []
    for name, node in given:
        if name not in _CIPHER_SUITES:
            raise file.error(node, f"unknown cipher suite {name!r} (Go's crypto/tls names, as tls.CipherSuites() "
                             "gives them, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)")
        number, openssl = _CIPHER_SUITES[name]
        if openssl is not None:
            chosen.append((number, openssl, node))
    if minimum >= ssl.TLSVersion.TLSv1_3:
        return  # with TLS 1.3 only, Go uses none of the list either
    if not chosen:
        raise file.error(key_node, "cipher_suites names TLS 1.3 suites only, which leaves TLS 1.2 none; "
                         "name TLS 1.2 suites too, or set min_version: TLS13")
    try:
        context.set_ciphers(":".join(openssl for _, openssl, _ in chosen))
    except ssl.SSLError as exc:
        raise file.error(key_node, f"this Python's OpenSSL offers none of cipher_suites: {exc.reason or exc}") from exc
    offered = {int(suite["id"]) & 0xFFFF for suite in context.get_ciphers()}
    for number, openssl, node in chosen:
        if number not in offered:
            raise file.error(node, f"cipher suite {openssl} is not available in this Python's OpenSSL")


def _headers(file: _File, value: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, key_node, value_node in file.mapping(value, "http_server_config.headers"):
        if name not in _HEADERS:
            raise file.error(key_node, f"HTTP header {name!r} can not be configured (exporter-toolkit allows "
                             f"{', '.join(_HEADERS)})")
        text = "" if file.is_null(value_node) else file.string(value_node, f"header {name}")
        allowed = _HEADERS[name]
        if allowed and text not in allowed:
            raise file.error(value_node, f"invalid value for {name}: expected one of {', '.join(allowed)}, "
                             f"not {text!r}")
        if not _HEADER_VALUE.fullmatch(text):
            raise file.error(value_node, f"header {name} must be printable ASCII")
        if text:
            headers[name] = text  # blank: not sent
    return headers


def _http(file: _File, value: Any) -> dict[str, str]:
    known = ("http2", "headers")
    headers: dict[str, str] = {}
    for key, key_node, value_node in file.mapping(value, "http_server_config"):
        if key == "http2":
            file.boolean(value_node, "http_server_config.http2")  # HTTP/1.1 only: either value changes nothing
        elif key == "headers":
            headers = _headers(file, value_node)
        else:
            raise _refuse(file, key, key_node, "http_server_config.", known, {})
    return headers


def _users(file: _File, value: Any) -> dict[str, bytes]:
    users: dict[str, bytes] = {}
    for user, _, value_node in file.mapping(value, "basic_auth_users"):
        hashed = file.string(value_node, f"the password hash of {user!r}") if not file.is_null(value_node) else ""
        if not (hashed.isascii() and _BCRYPT_HASH.fullmatch(hashed.encode("ascii"))):
            raise file.error(value_node, f"the password of {user!r} is not a bcrypt hash (as htpasswd -nBC 10 gives, "
                             "$2y$10$ and 53 characters)")
        users[user] = hashed.encode("ascii")
    return users


def load_web_config(path: str | os.PathLike[str]) -> WebConfig:
    """Read an exporter-toolkit web configuration file: its TLS context built, its users' hashes checked.

    Raises WebConfigError, whose message names the file and the line, for a
    file that cannot be read, is over MAX_CONFIG_SIZE, is not YAML, or asks
    for anything this exporter cannot honour; and ImportError when PyYAML or
    bcrypt is not installed.
    """
    yaml = _extra("yaml")
    _extra("bcrypt")  # needed for the first request; missing, the exporter should not start
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            data = handle.read(MAX_CONFIG_SIZE + 1)
    except OSError as exc:
        raise WebConfigError(f"{name}: cannot read the web configuration file: {exc.strerror or exc}") from exc
    if len(data) > MAX_CONFIG_SIZE:
        raise WebConfigError(f"{name}: a web configuration file is at most {MAX_CONFIG_SIZE} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise WebConfigError(f"{name}:{line}: not UTF-8") from exc
    file = _File(name, yaml)
    try:
        depth = 0  # before composing: PyYAML's composer recurses once a level, and would exhaust the stack
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > _MAX_DEPTH:
                    raise file.error(event, "nested too deeply for a web configuration file")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{int(mark.line) + 1}:" if mark is not None else ""
        problem = " ".join(str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part)
        raise WebConfigError(f"{name}:{where} not valid YAML: {problem or exc}") from exc

    context: ssl.SSLContext | None = None
    users: dict[str, bytes] = {}
    headers: dict[str, str] = {}
    if root is not None:
        known = ("tls_server_config", "http_server_config", "basic_auth_users")
        for key, key_node, value_node in file.mapping(root, "the web configuration"):
            if key == "tls_server_config":
                context = _tls_context(file, key_node, value_node)
            elif key == "http_server_config":
                headers = _http(file, value_node)
            elif key == "basic_auth_users":
                users = _users(file, value_node)
            else:
                raise _refuse(file, key, key_node, "", known, _TOP_UNSUPPORTED)
    return WebConfig(ssl_context=context, users=users, headers=headers)
