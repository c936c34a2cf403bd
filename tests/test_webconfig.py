"""--web.config.file: exporter-toolkit's web configuration, its errors by line, TLS handshakes and basic auth.

Needs PyYAML and bcrypt (the exporter extra), and skips without them.  The
certificates are made here, with the openssl command or else the cryptography
package; the TLS tests skip when neither is at hand.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import os
import queue
import shutil
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import mprapi_cffi
from mprapi_cffi.exporter import webconfig
from mprapi_cffi.exporter.webconfig import WebConfig, WebConfigError, load_web_config

yaml = pytest.importorskip("yaml")
bcrypt = pytest.importorskip("bcrypt")

PASSWORD = "s3cret pass:word"
HASH = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
OTHER_PASSWORD = "another"
OTHER_HASH = bcrypt.hashpw(OTHER_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def write(folder: Path, text: str, name: str = "web.yml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load(folder: Path, text: str) -> WebConfig:
    return load_web_config(write(folder, text))


def error_of(folder: Path, text: str) -> str:
    path = write(folder, text)
    with pytest.raises(WebConfigError) as caught:
        load_web_config(path)
    return str(caught.value)


def assert_names_line(message: str, folder: Path, line: int, *words: str) -> None:
    assert message.startswith(f"{folder / 'web.yml'}:{line}: "), message
    for word in words:
        assert word in message, message


# Certificates: a CA, a server certificate (localhost, 127.0.0.1) and a client certificate it signs, a client
# certificate from another CA, an encrypted copy of the server key, and a file that is no certificate.


@dataclass(frozen=True)
class Pki:
    folder: Path
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    stranger_cert: Path
    stranger_key: Path
    encrypted_key: Path
    garbage: Path


_OPENSSL_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:scraper.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


def _openssl_pki(folder: Path) -> None:
    config = folder / "openssl.cnf"
    config.write_text(_OPENSSL_CONFIG)

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    for ca in ("ca", "stranger-ca"):
        run("req", "-x509", *ec, "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", "2", "-subj", f"/CN={ca}",
            "-config", "openssl.cnf", "-extensions", "ca")
    for leaf, ca, section in (("server", "ca", "server"), ("client", "ca", "client"),
                              ("stranger", "stranger-ca", "client")):
        run("req", "-new", *ec, "-keyout", f"{leaf}.key", "-out", f"{leaf}.csr", "-subj", f"/CN={leaf}",
            "-config", "openssl.cnf")
        run("x509", "-req", "-in", f"{leaf}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-set_serial", "7",
            "-days", "2", "-out", f"{leaf}.pem", "-extfile", "openssl.cnf", "-extensions", section)
    run("pkey", "-in", "server.key", "-out", "encrypted.key", "-aes256", "-passout", "pass:secret")


def _cryptography_pki(folder: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def save_key(key: Any, file: str, password: bytes | None = None) -> None:
        encryption: Any = (serialization.BestAvailableEncryption(password) if password
                           else serialization.NoEncryption())
        (folder / file).write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      encryption))

    def certificate(common: str, key: Any, issuer: tuple[str, Any] | None, usage: Any = None,
                    sans: list[x509.GeneralName] | None = None) -> x509.Certificate:
        issuer_name, issuer_key = issuer if issuer else (common, key)
        builder = (x509.CertificateBuilder().subject_name(name(common)).issuer_name(name(issuer_name))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
        builder = builder.add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        if issuer is None:
            builder = builder.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                            critical=True)
        else:
            builder = builder.add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                                            critical=True)
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
            builder = builder.add_extension(x509.SubjectAlternativeName(sans or []), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def save_cert(cert: x509.Certificate, file: str) -> None:
        (folder / file).write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    import ipaddress

    cas = {}
    for ca in ("ca", "stranger-ca"):
        key = ec.generate_private_key(ec.SECP256R1())
        cas[ca] = key
        save_cert(certificate(ca, key, None), f"{ca}.pem")
    for leaf, ca, usage, sans in (
        ("server", "ca", ExtendedKeyUsageOID.SERVER_AUTH,
         [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
        ("client", "ca", ExtendedKeyUsageOID.CLIENT_AUTH, [x509.DNSName("scraper.example")]),
        ("stranger", "stranger-ca", ExtendedKeyUsageOID.CLIENT_AUTH, [x509.DNSName("scraper.example")]),
    ):
        key = ec.generate_private_key(ec.SECP256R1())
        save_key(key, f"{leaf}.key")
        save_cert(certificate(leaf, key, (ca, cas[ca]), usage, sans), f"{leaf}.pem")
        if leaf == "server":
            save_key(key, "encrypted.key", b"secret")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    if shutil.which("openssl"):
        _openssl_pki(folder)
    else:
        pytest.importorskip("cryptography", reason="needs the openssl command or the cryptography package")
        _cryptography_pki(folder)
    (folder / "garbage.pem").write_text("this is not a certificate\n")
    return Pki(folder, folder / "ca.pem", folder / "server.pem", folder / "server.key", folder / "client.pem",
               folder / "client.key", folder / "stranger.pem", folder / "stranger.key", folder / "encrypted.key",
               folder / "garbage.pem")


def tls_config(pki: Pki, extra: str = "") -> str:
    return f"tls_server_config:\n  cert_file: {pki.server_cert}\n  key_file: {pki.server_key}\n" + extra


# A tiny TLS echo server on the built context, and Python's ssl client.


@contextlib.contextmanager
def tls_server(context: ssl.SSLContext) -> Iterator[tuple[int, queue.Queue[Any]]]:
    """A port, and each connection's outcome: ("ok", version, cipher) or ("refused", the exception)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    outcomes: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.sendall(b"echo:" + tls.recv(64))
                    cipher = tls.cipher()
                    outcomes.put(("ok", tls.version(), cipher[0] if cipher else None))
            except (ssl.SSLError, OSError) as exc:
                outcomes.put(("refused", exc))
            finally:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], outcomes
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def talk(port: int, pki: Pki, *, cert: Path | None = None, key: Path | None = None,
         maximum: ssl.TLSVersion | None = None) -> bytes | Exception:
    """What the server echoes to a client that trusts the CA, or the exception the client met."""
    context = ssl.create_default_context(cafile=str(pki.ca))
    if cert is not None:
        context.load_cert_chain(str(cert), str(key))
    if maximum is not None:
        context.maximum_version = maximum
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"hello")
                return tls.recv(64)
    except (ssl.SSLError, OSError) as exc:
        return exc


def handshake(config: WebConfig, pki: Pki, **client: Any) -> tuple[bytes | Exception, tuple[Any, ...]]:
    assert config.ssl_context is not None
    with tls_server(config.ssl_context) as (port, outcomes):
        answer = talk(port, pki, **client)
        return answer, outcomes.get(timeout=5)


# The file: what loads, and what each key becomes.


def test_empty_file_is_plain_http_without_authentication(tmp_path: Path) -> None:
    for text in ("", "# nothing configured\n", "---\n"):
        config = load(tmp_path, text)
        assert config.ssl_context is None
        assert dict(config.users) == {}
        assert dict(config.headers) == {}
        assert config.authorized(None)


def test_full_file_loads_every_supported_key(tmp_path: Path, pki: Pki) -> None:
    config = load(tmp_path, f"""
        tls_server_config:
          cert_file: {pki.server_cert}
          key_file: {pki.server_key}
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: {pki.ca}
          min_version: TLS12
          max_version: TLS13
          cipher_suites:
            - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
            - TLS_AES_128_GCM_SHA256
          prefer_server_cipher_suites: true
        http_server_config:
          http2: false
          headers:
            X-Frame-Options: deny
            X-Content-Type-Options: nosniff
            Content-Security-Policy: default-src 'self'
            Strict-Transport-Security: max-age=31536000
            X-XSS-Protection: "1; mode=block"
        basic_auth_users:
          prometheus: {HASH}
        """)
    context = config.ssl_context
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert (context.minimum_version, context.maximum_version) == (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
    assert [c["name"] for c in context.get_ciphers() if c["protocol"] != "TLSv1.3"] == [
        "ECDHE-ECDSA-AES128-GCM-SHA256"]
    assert dict(config.users) == {"prometheus": HASH.encode()}
    assert dict(config.headers) == {
        "X-Frame-Options": "deny", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'self'",
        "Strict-Transport-Security": "max-age=31536000", "X-XSS-Protection": "1; mode=block"}


def test_tls_versions_default_to_exporter_toolkits_tls12_to_tls13(tmp_path: Path, pki: Pki) -> None:
    context = load(tmp_path, tls_config(pki)).ssl_context
    assert context is not None
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.maximum_version == ssl.TLSVersion.TLSv1_3
    assert context.verify_mode == ssl.CERT_NONE


@pytest.mark.parametrize(("name", "version"), [("TLS10", ssl.TLSVersion.TLSv1), ("TLS11", ssl.TLSVersion.TLSv1_1),
                                               ("TLS12", ssl.TLSVersion.TLSv1_2), ("TLS13", ssl.TLSVersion.TLSv1_3)])
def test_min_version_names_map_to_tls_versions(tmp_path: Path, pki: Pki, name: str, version: ssl.TLSVersion) -> None:
    context = load(tmp_path, tls_config(pki, f"  min_version: {name}\n")).ssl_context
    assert context is not None
    assert context.minimum_version == version


def test_relative_paths_resolve_against_the_config_files_folder(tmp_path: Path, pki: Pki,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    path = write(pki.folder, """
        tls_server_config:
          cert_file: server.pem
          key_file: server.key
          client_auth_type: VerifyClientCertIfGiven
          client_ca_file: ca.pem
        """, name="relative.yml")
    context = load_web_config(path).ssl_context
    assert context is not None
    assert context.verify_mode == ssl.CERT_OPTIONAL


@pytest.mark.parametrize(("value", "mode"), [("NoClientCert", ssl.CERT_NONE), ("VerifyClientCertIfGiven",
                                             ssl.CERT_OPTIONAL), ("RequireAndVerifyClientCert", ssl.CERT_REQUIRED)])
def test_client_auth_types_map_to_verify_modes(tmp_path: Path, pki: Pki, value: str, mode: ssl.VerifyMode) -> None:
    ca = f"  client_ca_file: {pki.ca}\n" if value != "NoClientCert" else ""
    context = load(tmp_path, tls_config(pki, f"  client_auth_type: {value}\n" + ca)).ssl_context
    assert context is not None
    assert context.verify_mode == mode


def test_prefer_server_cipher_suites_sets_and_clears_server_preference(tmp_path: Path, pki: Pki) -> None:
    default = load(tmp_path, tls_config(pki)).ssl_context
    prefer = load(tmp_path, tls_config(pki, "  prefer_server_cipher_suites: true\n")).ssl_context
    client = load(tmp_path, tls_config(pki, "  prefer_server_cipher_suites: false\n")).ssl_context
    assert default is not None and prefer is not None and client is not None
    assert default.options & ssl.OP_CIPHER_SERVER_PREFERENCE
    assert prefer.options & ssl.OP_CIPHER_SERVER_PREFERENCE
    assert not client.options & ssl.OP_CIPHER_SERVER_PREFERENCE


def test_cipher_suite_names_map_to_openssl_suites_of_the_same_iana_number() -> None:
    for go_name, (number, openssl) in webconfig._CIPHER_SUITES.items():
        if openssl is None:
            assert go_name.startswith("TLS_") and "_WITH_" not in go_name and 0x1301 <= number <= 0x1303
            continue
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.set_ciphers(openssl)
        except ssl.SSLError:
            continue  # not in this OpenSSL: load_web_config refuses it by name
        assert {c["id"] & 0xFFFF for c in context.get_ciphers() if c["name"] == openssl} == {number}, go_name


def test_tls13_cipher_suite_names_are_accepted_without_effect(tmp_path: Path, pki: Pki) -> None:
    plain = load(tmp_path, tls_config(pki)).ssl_context
    context = load(tmp_path, tls_config(pki, "  min_version: TLS13\n  cipher_suites: [TLS_AES_256_GCM_SHA384]\n"))
    assert plain is not None and context.ssl_context is not None
    assert [c["name"] for c in context.ssl_context.get_ciphers()] == [c["name"] for c in plain.get_ciphers()]


def test_http2_is_accepted_either_way(tmp_path: Path) -> None:
    for value in ("true", "false"):
        config = load(tmp_path, f"http_server_config:\n  http2: {value}\n")
        assert config.ssl_context is None and dict(config.headers) == {}


def test_blank_header_is_not_sent(tmp_path: Path) -> None:
    config = load(tmp_path, """
        http_server_config:
          headers:
            Content-Security-Policy: ""
            X-XSS-Protection:
            Strict-Transport-Security: max-age=60
        """)
    assert dict(config.headers) == {"Strict-Transport-Security": "max-age=60"}


def test_user_names_that_yaml_reads_as_numbers_are_names(tmp_path: Path) -> None:
    config = load(tmp_path, f"basic_auth_users:\n  1234: {HASH}\n")
    assert config.authorized(basic("1234", PASSWORD))


def test_config_is_immutable(tmp_path: Path) -> None:
    config = load(tmp_path, f"basic_auth_users:\n  prometheus: {HASH}\n")
    with pytest.raises(TypeError):
        config.users["intruder"] = HASH.encode()  # type: ignore[index]
    with pytest.raises(AttributeError):
        config.users = {}  # type: ignore[misc]


# Errors: each names the file and the line.


def test_unknown_top_level_key_names_its_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, f"basic_auth_users:\n  a: {HASH}\ntls_config: {{}}\n")
    assert_names_line(message, tmp_path, 3, "unknown key tls_config")


def test_unknown_tls_key_names_its_line(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, tls_config(pki, "  client_auth: RequireAndVerifyClientCert\n"))
    assert_names_line(message, tmp_path, 4, "unknown key tls_server_config.client_auth")


def test_unknown_http_key_names_its_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, "http_server_config:\n  http2: true\n  header: {}\n")
    assert_names_line(message, tmp_path, 3, "unknown key http_server_config.header")


@pytest.mark.parametrize(("text", "line", "words"), [
    ("basic_auth_users:\n  - alice\n", 2, ("basic_auth_users must be a mapping", "a list")),
    ("basic_auth_users:\n  alice: [a]\n", 2, ("must be a string", "a list")),
    ("http_server_config:\n  http2: 'yes'\n", 2, ("http2 must be true or false", "a string")),
    ("http_server_config:\n  headers: nosniff\n", 2, ("headers must be a mapping",)),
    ("tls_server_config: server.pem\n", 1, ("tls_server_config must be a mapping",)),
    ("- a\n- b\n", 1, ("the web configuration must be a mapping",)),
    ("tls_server_config:\n  min_version: [TLS12]\n", 2, ("min_version must be a string",)),
    ("tls_server_config:\n  cipher_suites: TLS_AES_128_GCM_SHA256\n", 2, ("cipher_suites must be a list",)),
    ("tls_server_config:\n  prefer_server_cipher_suites: 'false'\n", 2, ("must be true or false",)),
    ("tls_server_config:\n  cert_file: true\n", 2, ("cert_file must be a string", "a boolean")),
    ("[1]: x\n", 1, ("keys of the web configuration must be strings",)),
])
def test_wrong_type_names_its_line(tmp_path: Path, text: str, line: int, words: tuple[str, ...]) -> None:
    assert_names_line(error_of(tmp_path, text), tmp_path, line, *words)


def test_missing_cert_file_names_the_section_line(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, f"basic_auth_users: {{}}\ntls_server_config:\n  key_file: {pki.server_key}\n")
    assert_names_line(message, tmp_path, 2, "tls_server_config needs cert_file")


def test_missing_key_file_names_the_section_line(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, f"tls_server_config:\n  cert_file: {pki.server_cert}\n")
    assert_names_line(message, tmp_path, 1, "tls_server_config needs key_file")


def test_empty_tls_section_is_an_error_not_plain_http(tmp_path: Path) -> None:
    assert_names_line(error_of(tmp_path, "tls_server_config:\n"), tmp_path, 1, "needs cert_file")


def test_bad_client_auth_type_names_its_line(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, tls_config(pki, "  client_auth_type: VerifyEverything\n"))
    assert_names_line(message, tmp_path, 4, "unknown client_auth_type 'VerifyEverything'")


@pytest.mark.parametrize("value", ["RequestClientCert", "RequireAnyClientCert", "RequireClientCert"])
def test_unverified_client_auth_types_are_refused_as_unsupported(tmp_path: Path, pki: Pki, value: str) -> None:
    message = error_of(tmp_path, tls_config(pki, f"  client_ca_file: {pki.ca}\n  client_auth_type: {value}\n"))
    assert_names_line(message, tmp_path, 5, f"client_auth_type {value} is not supported by this exporter")


@pytest.mark.parametrize("key", ["min_version", "max_version"])
def test_bad_tls_version_names_its_line(tmp_path: Path, pki: Pki, key: str) -> None:
    message = error_of(tmp_path, tls_config(pki, f"  {key}: TLS1.2\n"))
    assert_names_line(message, tmp_path, 4, f"unknown {key} 'TLS1.2'")


def test_min_version_above_max_version_names_the_max_version_line(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, tls_config(pki, "  min_version: TLS13\n  max_version: TLS12\n"))
    assert_names_line(message, tmp_path, 5, "min_version is above max_version")


@pytest.mark.parametrize("value", ["VerifyClientCertIfGiven", "RequireAndVerifyClientCert"])
def test_verifying_client_auth_without_client_ca_file_names_its_line(tmp_path: Path, pki: Pki, value: str) -> None:
    message = error_of(tmp_path, tls_config(pki, f"  client_auth_type: {value}\n"))
    assert_names_line(message, tmp_path, 4, f"client_auth_type {value} needs client_ca_file")


def test_client_ca_file_without_client_auth_names_its_line(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, tls_config(pki, f"  client_ca_file: {pki.ca}\n"))
    assert_names_line(message, tmp_path, 4, "client_ca_file is given, but client_auth_type is NoClientCert")


@pytest.mark.parametrize("key", ["cert_file", "key_file"])
def test_unreadable_cert_or_key_file_names_line_and_file(tmp_path: Path, pki: Pki, key: str) -> None:
    cert = "missing.pem" if key == "cert_file" else pki.server_cert
    private = "missing.pem" if key == "key_file" else pki.server_key
    message = error_of(tmp_path, f"tls_server_config:\n  cert_file: {cert}\n  key_file: {private}\n")
    line = 2 if key == "cert_file" else 3
    assert_names_line(message, tmp_path, line, f"cannot read {key} {tmp_path / 'missing.pem'}")


def test_unreadable_client_ca_file_names_line_and_file(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, tls_config(pki, "  client_auth_type: RequireAndVerifyClientCert\n"
                                                 "  client_ca_file: nowhere/ca.pem\n"))
    assert_names_line(message, tmp_path, 5, f"cannot read client_ca_file {tmp_path / 'nowhere' / 'ca.pem'}")


def test_cert_file_that_is_no_certificate_names_line_and_file(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, f"tls_server_config:\n  cert_file: {pki.garbage}\n  key_file: {pki.server_key}\n")
    assert_names_line(message, tmp_path, 2, f"cannot load cert_file {pki.garbage}")


def test_key_that_does_not_match_the_certificate_is_an_error(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, f"tls_server_config:\n  cert_file: {pki.server_cert}\n  key_file: {pki.client_key}\n")
    assert_names_line(message, tmp_path, 2, f"cannot load cert_file {pki.server_cert} with key_file {pki.client_key}")


def test_encrypted_key_is_refused_without_a_password_prompt(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, f"tls_server_config:\n  cert_file: {pki.server_cert}\n"
                                 f"  key_file: {pki.encrypted_key}\n")
    assert_names_line(message, tmp_path, 3, "is encrypted")


def test_client_ca_file_without_certificates_names_its_line(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, tls_config(pki, "  client_auth_type: RequireAndVerifyClientCert\n"
                                                 f"  client_ca_file: {pki.garbage}\n"))
    assert_names_line(message, tmp_path, 5, f"cannot load client_ca_file {pki.garbage}")


def test_unknown_cipher_suite_names_its_list_item_line(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, tls_config(pki, "  cipher_suites:\n    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n"
                                                 "    - TLS_RSA_WITH_RC4_128_SHA\n"))
    assert_names_line(message, tmp_path, 6, "unknown cipher suite 'TLS_RSA_WITH_RC4_128_SHA'")


def test_tls13_only_cipher_suites_with_tls12_allowed_are_an_error(tmp_path: Path, pki: Pki) -> None:
    message = error_of(tmp_path, tls_config(pki, "  cipher_suites: [TLS_AES_128_GCM_SHA256]\n"))
    assert_names_line(message, tmp_path, 4, "TLS 1.3 suites only")


@pytest.mark.parametrize(("key", "value"), [
    ("curve_preferences", "[X25519, CurveP256]"),
    ("client_allowed_sans", "[scraper.example]"),
    ("cert", "'-----BEGIN CERTIFICATE-----'"),
    ("key", "'-----BEGIN PRIVATE KEY-----'"),
    ("client_ca", "'-----BEGIN CERTIFICATE-----'"),
])
def test_unsupported_tls_settings_are_refused_by_line(tmp_path: Path, pki: Pki, key: str, value: str) -> None:
    message = error_of(tmp_path, tls_config(pki, f"  {key}: {value}\n"))
    assert_names_line(message, tmp_path, 4, f"tls_server_config.{key} is not supported by this exporter")


def test_rate_limit_is_refused_as_unsupported(tmp_path: Path) -> None:
    message = error_of(tmp_path, "rate_limit:\n  interval: 1s\n  burst: 10\n")
    assert_names_line(message, tmp_path, 1, "rate_limit is not supported by this exporter")


@pytest.mark.parametrize(("header", "line", "words"), [
    ("Content-Type: text/html", 3, ("HTTP header 'Content-Type' can not be configured",)),
    ("x-frame-options: deny", 3, ("HTTP header 'x-frame-options' can not be configured",)),
    ("X-Frame-Options: allow-from", 3, ("invalid value for X-Frame-Options", "deny, sameorigin")),
    ("X-Content-Type-Options: ''", 3, ("invalid value for X-Content-Type-Options",)),
    ('Content-Security-Policy: "a\\r\\nSet-Cookie: x=1"', 3, ("must be printable ASCII",)),
])
def test_header_refused_by_exporter_toolkits_rules_names_its_line(tmp_path: Path, header: str, line: int,
                                                                 words: tuple[str, ...]) -> None:
    message = error_of(tmp_path, f"http_server_config:\n  headers:\n    {header}\n")
    assert_names_line(message, tmp_path, line, *words)


@pytest.mark.parametrize("value", ["plaintext", "'$2y$10$tooshort'", "'$2y$99$" + "a" * 53 + "'",
                                   "'$1$" + "a" * 56 + "'", "", "12345"])
def test_bad_bcrypt_hash_names_its_line(tmp_path: Path, value: str) -> None:
    message = error_of(tmp_path, f"basic_auth_users:\n  alice: {HASH}\n  bob: {value}\n")
    assert_names_line(message, tmp_path, 3, "the password of 'bob' is not a bcrypt hash")


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, "basic_auth_users:\n  alice: x\n  bob: [unclosed\n")
    assert message.startswith(f"{tmp_path / 'web.yml'}:"), message
    assert "not valid YAML" in message
    line = int(message[len(str(tmp_path / "web.yml")) + 1:].split(":")[0])
    assert line in (3, 4), message  # where the flow sequence was opened, or the end where it should have closed


def test_yaml_indentation_error_names_its_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, "http_server_config:\n  http2: true\n   headers: {}\n")
    assert_names_line(message, tmp_path, 3, "not valid YAML")


def test_duplicate_key_names_its_second_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, f"basic_auth_users:\n  alice: {HASH}\n  alice: {OTHER_HASH}\n")
    assert_names_line(message, tmp_path, 3, "'alice' is given twice", "first on line 2")


def test_second_yaml_document_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, "basic_auth_users: {}\n---\nbasic_auth_users: {}\n")
    assert_names_line(message, tmp_path, 2, "not valid YAML")


def test_yaml_tags_are_never_constructed(tmp_path: Path) -> None:
    message = error_of(tmp_path, "basic_auth_users:\n  alice: !!python/object/apply:os.system ['true']\n")
    assert_names_line(message, tmp_path, 2, "must be a string")


def test_deep_nesting_is_refused_by_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, "basic_auth_users: {}\na: " + "[" * 50_000 + "]" * 50_000 + "\n")
    assert_names_line(message, tmp_path, 2, "nested too deeply")  # not PyYAML's RecursionError


def test_file_over_one_mebibyte_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "web.yml"
    path.write_bytes(b"# " + b"x" * webconfig.MAX_CONFIG_SIZE + b"\n")
    with pytest.raises(WebConfigError, match="at most 1048576 bytes") as caught:
        load_web_config(path)
    assert str(caught.value).startswith(str(path))


def test_non_utf8_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "web.yml"
    path.write_bytes(b"basic_auth_users:\n  caf\xe9: x\n")
    with pytest.raises(WebConfigError, match=r":2: not UTF-8"):
        load_web_config(path)


def test_missing_config_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(WebConfigError, match="cannot read the web configuration file") as caught:
        load_web_config(tmp_path / "absent.yml")
    assert str(tmp_path / "absent.yml") in str(caught.value)


def test_module_imports_without_yaml_and_bcrypt_and_load_names_the_extra(tmp_path: Path) -> None:
    (tmp_path / "web.yml").write_text("")
    script = textwrap.dedent(f"""
        import sys
        sys.modules["yaml"] = None
        sys.modules["bcrypt"] = None
        from mprapi_cffi.exporter.webconfig import load_web_config
        try:
            load_web_config({str(tmp_path / "web.yml")!r})
        except ImportError as exc:
            print(exc)
        """)
    root = str(Path(mprapi_cffi.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "pip install mprapi-cffi[exporter]" in result.stdout


# TLS handshakes against the context built.


def test_tls_handshake_serves_the_configured_certificate(tmp_path: Path, pki: Pki) -> None:
    answer, outcome = handshake(load(tmp_path, tls_config(pki)), pki)
    assert answer == b"echo:hello"
    assert outcome[0] == "ok"


def test_required_client_certificate_signed_by_client_ca_is_accepted(tmp_path: Path, pki: Pki) -> None:
    config = load(tmp_path, tls_config(pki, f"  client_auth_type: RequireAndVerifyClientCert\n"
                                            f"  client_ca_file: {pki.ca}\n"))
    answer, outcome = handshake(config, pki, cert=pki.client_cert, key=pki.client_key)
    assert answer == b"echo:hello"
    assert outcome[0] == "ok"


def test_required_client_certificate_refuses_a_client_without_one(tmp_path: Path, pki: Pki) -> None:
    config = load(tmp_path, tls_config(pki, f"  client_auth_type: RequireAndVerifyClientCert\n"
                                            f"  client_ca_file: {pki.ca}\n"))
    answer, outcome = handshake(config, pki)
    assert answer != b"echo:hello"
    assert outcome[0] == "refused"
    assert isinstance(outcome[1], ssl.SSLError)


def test_required_client_certificate_refuses_one_from_another_ca(tmp_path: Path, pki: Pki) -> None:
    config = load(tmp_path, tls_config(pki, f"  client_auth_type: RequireAndVerifyClientCert\n"
                                            f"  client_ca_file: {pki.ca}\n"))
    answer, outcome = handshake(config, pki, cert=pki.stranger_cert, key=pki.stranger_key)
    assert answer != b"echo:hello"
    assert outcome[0] == "refused"


def test_optional_client_certificate_admits_a_client_without_one(tmp_path: Path, pki: Pki) -> None:
    config = load(tmp_path, tls_config(pki, f"  client_auth_type: VerifyClientCertIfGiven\n"
                                            f"  client_ca_file: {pki.ca}\n"))
    assert handshake(config, pki)[0] == b"echo:hello"
    answer, outcome = handshake(config, pki, cert=pki.stranger_cert, key=pki.stranger_key)
    assert answer != b"echo:hello" and outcome[0] == "refused"


def test_min_version_tls13_refuses_a_tls12_client(tmp_path: Path, pki: Pki) -> None:
    config = load(tmp_path, tls_config(pki, "  min_version: TLS13\n"))
    answer, outcome = handshake(config, pki, maximum=ssl.TLSVersion.TLSv1_2)
    assert answer != b"echo:hello"
    assert outcome[0] == "refused"


def test_max_version_tls12_negotiates_tls12(tmp_path: Path, pki: Pki) -> None:
    answer, outcome = handshake(load(tmp_path, tls_config(pki, "  max_version: TLS12\n")), pki)
    assert answer == b"echo:hello"
    assert outcome[:2] == ("ok", "TLSv1.2")


def test_cipher_suites_choose_the_tls12_cipher(tmp_path: Path, pki: Pki) -> None:
    config = load(tmp_path, tls_config(pki, "  max_version: TLS12\n  cipher_suites:\n"
                                            "    - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n"
                                            "    - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n"))
    answer, outcome = handshake(config, pki)
    assert answer == b"echo:hello"
    assert outcome == ("ok", "TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384")


# Basic authentication.


@pytest.fixture
def users(tmp_path: Path) -> WebConfig:
    return load(tmp_path, f"basic_auth_users:\n  prometheus: {HASH}\n  grafana: {OTHER_HASH}\n")


@pytest.fixture
def checkpw_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    calls: list[tuple[bytes, bytes]] = []
    real: Callable[[bytes, bytes], bool] = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        calls.append((password, hashed))
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    return calls


def test_www_authenticate_is_exporter_toolkits_challenge() -> None:
    assert webconfig.WWW_AUTHENTICATE == "Basic"


def test_no_users_authorizes_every_request(tmp_path: Path) -> None:
    config = load(tmp_path, "http_server_config:\n  http2: true\n")
    for header in (None, "", "Basic !!!", basic("anyone", "anything")):
        assert config.authorized(header)


def test_basic_auth_accepts_good_credentials(users: WebConfig) -> None:
    assert users.authorized(basic("prometheus", PASSWORD))
    assert users.authorized(basic("grafana", OTHER_PASSWORD))


def test_basic_auth_scheme_is_case_insensitive(users: WebConfig) -> None:
    assert users.authorized("basic " + basic("prometheus", PASSWORD)[6:])


def test_wrong_password_is_refused(users: WebConfig) -> None:
    assert not users.authorized(basic("prometheus", PASSWORD + "x"))
    assert not users.authorized(basic("prometheus", ""))


def test_wrong_user_is_refused_even_with_a_configured_password(users: WebConfig) -> None:
    assert not users.authorized(basic("root", PASSWORD))
    assert not users.authorized(basic("prometheus", OTHER_PASSWORD))
    assert not users.authorized(basic("Prometheus", PASSWORD))


def test_missing_authorization_is_refused(users: WebConfig) -> None:
    assert not users.authorized(None)


def test_htpasswd_2y_hashes_are_accepted(tmp_path: Path) -> None:
    config = load(tmp_path, f"basic_auth_users:\n  alice: {HASH.replace('$2b$', '$2y$', 1)}\n")
    assert config.authorized(basic("alice", PASSWORD))
    assert not config.authorized(basic("alice", "wrong"))


def test_password_over_72_bytes_is_compared_on_its_first_72_as_go_does(tmp_path: Path) -> None:
    hashed = bcrypt.hashpw(b"p" * 72, bcrypt.gensalt(rounds=4)).decode()
    config = load(tmp_path, f"basic_auth_users:\n  alice: {hashed}\n")
    assert config.authorized(basic("alice", "p" * 100))
    assert not config.authorized(basic("alice", "p" * 71))


HOSTILE = [
    "",
    "Basic",
    "Basic ",
    "Basic !!!",
    "Basic " + "A" * (1 << 20),
    "Basic " + base64.b64encode(b"prometheus:" + PASSWORD.encode() + b"x" * (1 << 20)).decode(),
    "Basic cHJvbWV0aGV1czp4\u00e9",
    "Basic \u00e9\u00e9\u00e9\u00e9",
    "B\u00e4sic " + base64.b64encode(f"prometheus:{PASSWORD}".encode()).decode(),
    "Bearer x",
    "Bearer " + base64.b64encode(f"prometheus:{PASSWORD}".encode()).decode(),
    "Basic " + base64.b64encode(b"prometheus").decode(),
    "Basic " + base64.b64encode(b"prometheus:\xff\xfe").decode(),
    "Basic " + base64.b64encode(b"prometheus:\x00").decode(),
    "Basic " + base64.b64encode(f"prometheus:{PASSWORD}".encode()).decode()[:-1],
    "Basic " + base64.b64encode(f"prometheus:{PASSWORD}".encode()).decode() + "\n",
    "Basic\t\t",
    "\x00",
]


@pytest.mark.parametrize("header", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_authorization_header_is_refused_without_exception(users: WebConfig, header: str) -> None:
    assert users.authorized(header) is False


def test_authorization_over_4_kib_is_refused_even_with_good_credentials(users: WebConfig) -> None:
    good = basic("prometheus", PASSWORD)
    assert users.authorized(good + " " * 100)
    assert not users.authorized(good + " " * webconfig.MAX_AUTHORIZATION)


def test_non_string_authorization_is_refused_without_exception(users: WebConfig) -> None:
    assert users.authorized(b"Basic eDp5") is False  # type: ignore[arg-type]


def test_second_check_of_good_credentials_does_not_run_bcrypt(users: WebConfig,
                                                              checkpw_calls: list[tuple[bytes, bytes]]) -> None:
    header = basic("prometheus", PASSWORD)
    assert users.authorized(header)
    assert len(checkpw_calls) == 1
    for _ in range(5):
        assert users.authorized(header)
    assert len(checkpw_calls) == 1


def test_wrong_password_runs_bcrypt_every_time(users: WebConfig, checkpw_calls: list[tuple[bytes, bytes]]) -> None:
    assert users.authorized(basic("prometheus", PASSWORD))
    for attempt in range(1, 4):
        assert not users.authorized(basic("prometheus", "guess"))
        assert len(checkpw_calls) == 1 + attempt


def test_unknown_user_runs_bcrypt_like_a_known_one(users: WebConfig, checkpw_calls: list[tuple[bytes, bytes]]) -> None:
    assert not users.authorized(basic("nobody", PASSWORD))
    assert not users.authorized(basic("nobody", PASSWORD))
    assert len(checkpw_calls) == 2
    assert all(hashed in (HASH.encode(), OTHER_HASH.encode()) for _, hashed in checkpw_calls)


def test_cache_is_per_password(users: WebConfig, checkpw_calls: list[tuple[bytes, bytes]]) -> None:
    assert users.authorized(basic("prometheus", PASSWORD))
    assert not users.authorized(basic("prometheus", PASSWORD + " "))
    assert not users.authorized(basic("grafana", PASSWORD))
    assert len(checkpw_calls) == 3


def test_verification_cache_is_bounded(users: WebConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []

    def accept_all(password: bytes, hashed: bytes) -> bool:
        calls.append(password)
        return True

    monkeypatch.setattr(bcrypt, "checkpw", accept_all)
    size = webconfig.AUTH_CACHE_SIZE
    for n in range(size + 1):
        assert users.authorized(basic("prometheus", f"password {n}"))
    assert len(calls) == size + 1
    assert users.authorized(basic("prometheus", f"password {size}"))  # the newest is remembered
    assert len(calls) == size + 1
    assert users.authorized(basic("prometheus", "password 0"))  # the oldest was forgotten: checked again
    assert len(calls) == size + 2
    assert len(users._verifier._good) == size


def test_constructed_config_checks_passwords_too() -> None:
    config = WebConfig(ssl_context=None, users={"alice": HASH.encode()}, headers={})
    assert config.authorized(basic("alice", PASSWORD))
    assert not config.authorized(basic("alice", "nope"))
