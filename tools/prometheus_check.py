#!/usr/bin/env python3
"""`make test-prometheus`: a real Prometheus scrapes `mprapi exporter`, which runs in the Windows lane.

The exporter runs under Windows CPython in Wine, through the compiled
extension, against the stand-in router (tools/standin_exporter.py), on
127.0.0.1; Debian's Prometheus (installed here with apt if missing) scrapes
it every second with the README's scrape config (its targets, address and
intervals set here): router names, relabelled into ?target= and instance,
every scrape sent to the exporter's address, over TLS (tests/certs' test
certificate) with basic auth, as the README's web config and scrape config
set them up.
Then Prometheus's HTTP API must give, for the router, ifInOctets and
ifOperStatus as the stand-in serves them (read directly, through the
extension, by the Windows side), TYPE counter for ifInOctets with no
`_total`, the if_mib labels, mprapi_up 1, and mprapi_up 0 for a router that
does not answer (the stand-in's "unreachable": RPC error 1722).  And the
remote access metrics of the stand-in's default server (tests/router/README.md):
mprapi_ras_up 1, mprapi_ras_ports and mprapi_ras_ports_in_use by tunnel,
mprapi_ras_connections agreeing with the ports in use, the byte counters
typed counter; and the README's remote access alert rules, loaded by
Prometheus and evaluated without error, their ratio computed per tunnel.

Prints one line per check and a last line "N passed" (or what failed);
exits 0 when every check passed.  Everything runs in a temporary folder;
nothing is left running.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lanelib
import winlane

PROMETHEUS = "/usr/bin/prometheus"
ROUTER = "edge-router-1"
DEAD_ROUTER = "unreachable"  # the stand-in's name for a router whose first call fails with 1722
# INTERNAL_IF_OPER_STATUS -> MIB-II ifOperStatus, as the README's mapping gives it.
MIB2_OPER = {5: 1, 4: 1, 3: 5, 2: 2, 1: 2, 0: 2}
PATIENCE = 60.0  # seconds for each of: the exporter to listen, Prometheus to hold every answer
# The stand-in's remote access server by default (tests/router/README.md): ports by tunnel type, and six
# connections, at least one per tunnel type, each on a port of its own.
RAS_PORTS = {"pptp": 32, "l2tp": 64, "sstp": 128, "ikev2": 128}
RAS_CONNECTIONS = 6
RAS_RULES = "RRASPortsNearlyExhausted"  # the README's remote access rule group holds this alert



CERTS = winlane.ROOT / "tests" / "certs"
USER, PASSWORD = "prometheus", "prometheus-check-password"


def readme_yaml(starting: str) -> str:
    """The yaml block of README.md's Exporter section that starts with ``starting``."""
    readme = (winlane.ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## Exporter\n"):]
    for block in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL):
        if block.startswith(starting):
            return str(block)
    raise AssertionError(f"README.md's Exporter section has no yaml block starting {starting!r}")


def readme_rules() -> str:
    """The yaml block of README.md's remote access section that holds its alert rules."""
    readme = (winlane.ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## Remote access (VPN) servers\n"):]
    for block in re.findall(r"```yaml\n(.*?)```", section, re.DOTALL):
        if RAS_RULES in block:
            return str(block)
    raise AssertionError(f"README.md's remote access section has no rule {RAS_RULES}")


def web_config(work: Path) -> Path:
    """The README's web config with the test certificate and a bcrypt hash of PASSWORD."""
    import bcrypt

    shutil.copy(CERTS / "localhost.pem", work / "exporter.pem")
    shutil.copy(CERTS / "localhost-key.pem", work / "exporter-key.pem")
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(10)).decode()
    text, count = re.subn(r"prometheus: \S+", f"{USER}: {hashed}", readme_yaml("tls_server_config:"))
    if count != 1:
        raise AssertionError("README.md's web config no longer has the user to set")
    path = work / "web.yml"
    path.write_text(text)
    return path


def scrape_config(targets: list[str], exporter_address: str, work: Path) -> str:
    """The README's scrape config (its Exporter section's YAML) with our targets, address, files and 1 s scrapes.

    Only those values change: the TLS, basic auth and relabelling Prometheus runs are the README's, as written.
    """
    (work / "password").write_text(PASSWORD)
    text, count = re.subn(r"replacement: \S+:9425", f"replacement: {exporter_address}", readme_yaml("scrape_configs:"))
    text, count2 = re.subn(r"- targets: \[.*\]", f"- targets: [{', '.join(targets)}]", text)
    text, count3 = re.subn(r"(scrape_interval|scrape_timeout): \S+", r"\1: 1s", text)
    text, count4 = re.subn(r"ca_file: \S+", f"ca_file: {CERTS / 'localhost.pem'}", text)
    text, count5 = re.subn(r"password_file: \S+", f"password_file: {work / 'password'}", text)
    if (count, count2, count3, count4, count5) != (1, 1, 2, 1, 1):
        raise AssertionError("README.md's scrape config no longer has the address, targets, intervals and files to set")
    return text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def query(api: str, promql: str) -> list[dict[str, Any]]:
    answer = get_json(f"{api}/api/v1/query?{urllib.parse.urlencode({'query': promql})}")
    assert answer["status"] == "success", answer
    return list(answer["data"]["result"])


def wait_for(what: str, check: Callable[[], str | None], patience: float = PATIENCE) -> None:
    """Call check() until it returns None (done); raise with its last complaint after `patience` s."""
    deadline = time.monotonic() + patience
    complaint: str | None = "never checked"
    while time.monotonic() < deadline:
        try:
            complaint = check()
        except (OSError, AssertionError, KeyError, ValueError) as exc:
            complaint = f"{type(exc).__name__}: {exc}"
        if complaint is None:
            return
        time.sleep(0.5)
    raise AssertionError(f"{what}: {complaint}")


def ensure_prometheus() -> None:
    if not os.access(PROMETHEUS, os.X_OK):
        winlane.log("apt-get install prometheus")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL, env=env)
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "prometheus"],
                       check=True, stdout=subprocess.DEVNULL, env=env)  # fmt: skip


def stop(process: subprocess.Popen[bytes] | None, grace: float = 10.0) -> None:
    """Stop a process started in a session of its own, and what it started."""
    if process is None or process.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def run(work: Path) -> tuple[list[str], str]:
    """Start both, run the checks; returns what passed and Prometheus's version (AssertionError: a failure)."""
    lane = winlane.Lane.from_env()
    lane.wine_env()
    python = lane.pydir() / "python.exe"
    if not python.is_file() or not (lane.router / "mprapi.dll").is_file():
        raise AssertionError("no Windows CPython or stand-in router: run make build")
    exporter_port, prometheus_port = free_port(), free_port()
    exporter_address = f"127.0.0.1:{exporter_port}"
    api = f"http://127.0.0.1:{prometheus_port}"
    expected_path, stop_file = work / "expected.json", work / "stop"
    passed: list[str] = []
    exporter = prometheus = None
    exporter_log = open(work / "exporter.log", "wb")  # noqa: SIM115 (open for the process's life)
    prometheus_log = open(work / "prometheus.log", "wb")  # noqa: SIM115
    try:
        exporter = subprocess.Popen(
            [winlane.WINE, str(python), winlane.winpath(winlane.ROOT / "tools" / "standin_exporter.py"),
             winlane.winpath(expected_path), winlane.winpath(stop_file), ROUTER, "--",
             "--listen", exporter_address, "--server", ROUTER, "--server", DEAD_ROUTER, "--timeout", "5",
             "--web.config.file", winlane.winpath(web_config(work))],
            cwd=winlane.ROOT, env={**os.environ, lanelib.ROUTER_ENV: winlane.winpath(lane.router),
                                   "PYTHONUNBUFFERED": "1"},
            # A pipe: Windows CPython under Wine cannot start with a regular file as stdout.
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        assert exporter.stdout is not None
        threading.Thread(target=shutil.copyfileobj, args=(exporter.stdout, exporter_log, 4096), daemon=True).start()

        tls = ssl.create_default_context(cafile=str(CERTS / "localhost.pem"))
        credentials = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

        def get_status(headers: dict[str, str]) -> int:
            request = urllib.request.Request(f"https://{exporter_address}/", headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=5, context=tls) as response:
                    return int(response.status)
            except urllib.error.HTTPError as exc:
                return int(exc.code)

        def exporter_listens() -> str | None:
            if exporter is not None and exporter.poll() is not None:
                raise SystemExit(f"the exporter exited with status {exporter.returncode}")
            status = get_status({"Authorization": credentials})
            return None if status == 200 else f"status {status}"

        wait_for("the exporter under Wine listens", exporter_listens)
        passed.append(f"mprapi exporter listens on https://{exporter_address} (Windows CPython {lane.pyver}, "
                      "Wine), the README's web config: TLS and basic auth")  # fmt: skip
        assert get_status({}) == 401, "an unauthenticated request was not refused"
        assert get_status({"Authorization": "Basic " + base64.b64encode(b"prometheus:wrong").decode()}) == 401
        passed.append("a request without the password, or with a wrong one, is 401")
        expected = json.loads(expected_path.read_text(encoding="utf-8"))

        # The README's scrape config, with its remote access rules loaded and evaluated every second.
        (work / "rules.yml").write_text(readme_rules())
        (work / "prometheus.yml").write_text(
            f"global:\n  evaluation_interval: 1s\nrule_files:\n  - {work / 'rules.yml'}\n"
            + scrape_config([ROUTER, DEAD_ROUTER], exporter_address, work))
        prometheus = subprocess.Popen(
            [PROMETHEUS, f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={work / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{prometheus_port}", "--log.level=warn"],
            stdin=subprocess.DEVNULL, stdout=prometheus_log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        version = subprocess.run([PROMETHEUS, "--version"], capture_output=True, text=True, check=False)
        # "prometheus, version 2.42.0+ds (branch: ...)" -> "Prometheus 2.42.0+ds"
        said = (version.stdout or version.stderr).split("\n")[0]
        shown_version = "Prometheus " + said.partition("version ")[2].split(" ")[0]

        interfaces = {str(row["index"]): row for row in expected["interfaces"]}

        def in_octets() -> str | None:
            got = {r["metric"]["ifIndex"]: r for r in query(api, f'ifInOctets{{instance="{ROUTER}"}}')}
            if set(got) != set(interfaces):
                return f"ifInOctets for interfaces {sorted(got)}, not {sorted(interfaces)}"
            for index, row in interfaces.items():
                labels, value = got[index]["metric"], float(got[index]["value"][1])
                if value != row["in_octets"]:
                    return f"ifInOctets{{ifIndex={index}}} is {value}, the stand-in serves {row['in_octets']}"
                # ifAlias="" is not there: in Prometheus an empty label is no label, as with snmp_exporter.
                want = {"__name__": "ifInOctets", "instance": ROUTER, "job": "rras", "ifIndex": index,
                        "ifDescr": row["descr"], "ifName": row["name"]}  # fmt: skip
                if labels != want:
                    return f"ifInOctets labels {labels}, not {want}"
            return None

        wait_for("Prometheus's ifInOctets", in_octets)
        passed.append(f"ifInOctets of {len(interfaces)} interfaces as the stand-in serves them, labelled ifIndex, "
                      "ifDescr, ifName (ifAlias is empty), instance and job")  # fmt: skip

        def oper_status() -> str | None:
            got = {r["metric"]["ifIndex"]: float(r["value"][1])
                   for r in query(api, f'ifOperStatus{{instance="{ROUTER}"}}')}  # fmt: skip
            want = {index: float(MIB2_OPER[row["oper_status"]]) for index, row in interfaces.items()}
            return None if got == want else f"ifOperStatus {got}, not {want}"

        wait_for("Prometheus's ifOperStatus", oper_status)
        passed.append("ifOperStatus: the stand-in's operational status as MIB-II's (1 up, 2 down)")

        def metadata() -> str | None:
            answer = get_json(f"{api}/api/v1/metadata?metric=ifInOctets")
            kinds = {entry["type"] for entry in answer["data"].get("ifInOctets", [])}
            return None if kinds == {"counter"} else f"ifInOctets's metadata types {kinds}"

        wait_for("Prometheus's metadata", metadata)
        passed.append("ifInOctets is a counter under its MIB name (no _total)")

        def scalars() -> str | None:
            got = {r["metric"]["__name__"]: float(r["value"][1])
                   for r in query(api, f'{{__name__=~"ipInReceives|ipForwarding|ipCidrRouteNumber",'
                                       f'instance="{ROUTER}"}}')}  # fmt: skip
            want = {"ipInReceives": expected["ip_stats"]["in_receives"],
                    "ipForwarding": expected["ip_stats"]["forwarding"], "ipCidrRouteNumber": expected["routes"]}
            return None if got == want else f"{got}, not {want}"

        wait_for("Prometheus's IP-MIB scalars", scalars)
        passed.append("ipInReceives, ipForwarding and ipCidrRouteNumber as the stand-in serves them")

        def up() -> str | None:
            got = {r["metric"]["instance"]: float(r["value"][1]) for r in query(api, "mprapi_up")}
            want = {ROUTER: 1.0, DEAD_ROUTER: 0.0}
            return None if got == want else f"mprapi_up {got}, not {want}"

        wait_for("Prometheus's mprapi_up", up)
        passed.append(f"mprapi_up 1 for {ROUTER}, 0 for {DEAD_ROUTER} (RPC error 1722)")

        def targets_healthy() -> str | None:
            active = get_json(f"{api}/api/v1/targets")["data"]["activeTargets"]
            health = {t["labels"]["instance"]: (t["health"], t["scrapeUrl"]) for t in active}
            want = {name: ("up", f"https://{exporter_address}/metrics?target={name}") for name in (ROUTER, DEAD_ROUTER)}
            return None if health == want else f"targets {health}, not {want}"

        def ras_ports() -> str | None:
            ports = {r["metric"]["tunnel"]: float(r["value"][1])
                     for r in query(api, f'mprapi_ras_ports{{instance="{ROUTER}"}}')}  # fmt: skip
            if ports != {tunnel: float(count) for tunnel, count in RAS_PORTS.items()}:
                return f"mprapi_ras_ports {ports}, not {RAS_PORTS}"
            in_use = {r["metric"]["tunnel"]: float(r["value"][1])
                      for r in query(api, f'mprapi_ras_ports_in_use{{instance="{ROUTER}"}}')}  # fmt: skip
            connections = {r["metric"]["tunnel"]: float(r["value"][1]) for r in query(
                api, f'sum by (tunnel) (mprapi_ras_connections{{instance="{ROUTER}"}})')}  # fmt: skip
            if sum(connections.values()) != RAS_CONNECTIONS or min(connections.values(), default=0) < 1:
                return f"mprapi_ras_connections by tunnel {connections}: not {RAS_CONNECTIONS}, one at least each"
            if in_use != connections:  # each connection holds one port
                return f"mprapi_ras_ports_in_use {in_use}, not the connections by tunnel {connections}"
            up = {r["metric"]["instance"]: float(r["value"][1]) for r in query(api, "mprapi_ras_up")}
            return None if up == {ROUTER: 1.0} else f"mprapi_ras_up {up}, not {{{ROUTER!r}: 1}} alone"

        wait_for("Prometheus's mprapi_ras_ports, mprapi_ras_ports_in_use and mprapi_ras_connections", ras_ports)
        passed.append(f"mprapi_ras_ports {RAS_PORTS}, mprapi_ras_ports_in_use as the {RAS_CONNECTIONS} "
                      "connections of mprapi_ras_connections hold them, by tunnel; mprapi_ras_up 1 "
                      f"(none for {DEAD_ROUTER}, whose MIB fails)")  # fmt: skip

        def ras_counters() -> str | None:
            answer = get_json(f"{api}/api/v1/metadata?metric=mprapi_ras_sent_bytes_total")
            kinds = {entry["type"] for entry in answer["data"].get("mprapi_ras_sent_bytes_total", [])}
            if kinds != {"counter"}:
                return f"mprapi_ras_sent_bytes_total's metadata types {kinds}"
            sent = query(api, f'sum(mprapi_ras_sent_bytes_total{{instance="{ROUTER}"}})')
            return None if sent and float(sent[0]["value"][1]) > 2**32 else f"bytes sent {sent}: not past 2**32"

        wait_for("Prometheus's mprapi_ras_sent_bytes_total", ras_counters)
        passed.append("mprapi_ras_sent_bytes_total is a counter, past 2**32 bytes (64-bit counters)")

        def ras_rules() -> str | None:
            groups = get_json(f"{api}/api/v1/rules")["data"]["groups"]
            rules = {rule["name"]: rule for group in groups for rule in group["rules"]}
            if RAS_RULES not in rules:
                return f"rules {sorted(rules)}: no {RAS_RULES}"
            bad = {name: (rule.get("health"), rule.get("lastError")) for name, rule in rules.items()
                   if rule.get("health") != "ok"}  # fmt: skip
            if bad:
                return f"rules not evaluated cleanly: {bad}"
            found = re.search(rf"alert: {RAS_RULES}\n\s+expr: (.*) > [0-9.]+\n", readme_rules())
            if found is None:
                raise AssertionError(f"README.md's {RAS_RULES} is no longer RATIO > THRESHOLD")
            expr = found.group(1)
            ratio = query(api, expr.replace('job="rras"', f'job="rras",instance="{ROUTER}"'))
            tunnels = sorted(r["metric"]["tunnel"] for r in ratio)
            return None if tunnels == sorted(RAS_PORTS) else f"{expr}: the ratio for tunnels {tunnels}"

        wait_for("Prometheus's evaluation of the README's remote access rules", ras_rules)
        passed.append(f"the README's remote access alert rules load and evaluate; {RAS_RULES}'s ratio is computed "
                      "for every tunnel type")  # fmt: skip

        wait_for("Prometheus's targets", targets_healthy)
        passed.append("both targets scraped through the exporter's address over TLS with basic auth, each scrape "
                      "whole (a dead router is mprapi_up 0, not a failed scrape)")  # fmt: skip
        return passed, shown_version
    finally:
        stop_file.touch()  # the exporter stops as on Ctrl-C
        if exporter is not None:
            try:
                status = exporter.wait(20)
                if status != 0:
                    print(f"the exporter exited with status {status}", file=sys.stderr)
            except subprocess.TimeoutExpired:
                stop(exporter)
        stop(prometheus)
        exporter_log.close()
        prometheus_log.close()


def main() -> int:
    ensure_prometheus()
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="mprapi-prometheus-"))
    try:
        passed, version = run(work)
    except (AssertionError, SystemExit) as exc:
        for name in ("exporter.log", "prometheus.log"):
            path = work / name
            if path.is_file() and path.stat().st_size:
                print(f"--- {name} (end)", file=sys.stderr)
                print(path.read_bytes()[-4000:].decode("utf-8", "replace"), file=sys.stderr)
        print(f"FAILED: {exc}")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for line in passed:
        print(f"ok: {line}")
    # pytest's form, which the lane's summary reads: "7 passed in 12.3s (Prometheus 2.42.0+ds)".
    print(f"{len(passed)} passed in {time.monotonic() - started:.1f}s ({version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
