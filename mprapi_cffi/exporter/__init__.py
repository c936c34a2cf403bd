"""A Prometheus exporter for RRAS routers, with snmp_exporter's ``if_mib`` metric names.

    mprapi exporter --server NAME [--server edge-*] [--web.config.file FILE] [--listen HOST:PORT]

The multi-target pattern of snmp_exporter and blackbox_exporter:
``GET /metrics?target=ROUTER`` reads that router (if the operator allowed it:
``--server``, ``--servers-file``) and answers with its metrics; ``GET /metrics``
answers with the exporter's own (prometheus_client's default registry:
process, platform, garbage collector, and the scrapes it served).

The router's MIB families are named, typed, labelled and described as
snmp_exporter's ``if_mib`` module renders the same MIB-II objects; its remote
access (VPN) server's, read through the admin calls in the same round trip,
are the exporter's own ``mprapi_ras_*`` (``--no-ras`` leaves them out).
prometheus_client's text writer cannot write them: it renames every counter
``NAME_total``, which snmp_exporter does not.  So they are written here, in
the text format version 0.0.4 as client_golang writes it (families sorted by
name, label names sorted, numbers in Go's shortest form), and
prometheus_client serves the exporter's own metrics.  prometheus_client,
PyYAML and bcrypt are the ``exporter`` extra (``pip install
mprapi-cffi[exporter]``); this package imports without them.

Its modules, each importing only those listed before it: ``text`` (the text
format), ``iftypes`` and ``metrics`` (what a router's MIB and remote access server become),
``targets`` (which targets may be scraped), ``scrape`` (the Exporter: reads
within their deadlines, shared and bounded), ``webconfig`` (TLS and basic
auth, exporter-toolkit's file), ``httpd`` (http.server and make_server),
``command`` (``mprapi exporter``'s options and main), ``service`` (the
Windows service).
"""

from .command import main
from .httpd import ExporterServer, make_server
from .metrics import (
    RasByteCounters,
    RasReading,
    RouterConnection,
    RouterReading,
    ras_families,
    read_router,
    router_families,
    scrape_families,
)
from .scrape import Exporter, connect_router, scrape_deadline
from .targets import TargetError, TargetPolicy
from .text import CONTENT_TYPE, Family, Sample, exposition
from .webconfig import WebConfig, WebConfigError, load_web_config

__all__ = [
    "CONTENT_TYPE",
    "Exporter",
    "ExporterServer",
    "Family",
    "RasByteCounters",
    "RasReading",
    "RouterConnection",
    "RouterReading",
    "Sample",
    "TargetError",
    "TargetPolicy",
    "WebConfig",
    "WebConfigError",
    "connect_router",
    "exposition",
    "load_web_config",
    "main",
    "make_server",
    "ras_families",
    "read_router",
    "router_families",
    "scrape_deadline",
    "scrape_families",
]
