"""A Prometheus exporter for RRAS routers, with snmp_exporter's ``if_mib`` metric names.

    mprapi exporter [--listen HOST:PORT] [--server NAME ...] [--timeout SECONDS]

The multi-target pattern of snmp_exporter and blackbox_exporter:
``GET /metrics?target=ROUTER`` reads that router (one MibServer, closed
after) and answers with its metrics; ``GET /metrics`` answers with the
exporter's own (prometheus_client's default registry: process, platform,
garbage collector, and the scrapes it served).

The router's families are named, typed, labelled and described as
snmp_exporter's ``if_mib`` module renders the same MIB-II objects, so the
dashboards and alerts written for it read them unchanged.  prometheus_client's
text writer cannot write them: it renames every counter ``NAME_total``,
which snmp_exporter does not.  So they are written here, in the text format
version 0.0.4 as client_golang writes it (families sorted by name, label
names sorted, numbers in Go's shortest form), and prometheus_client serves
the exporter's own metrics.  prometheus_client is the ``exporter`` extra
(``pip install mprapi-cffi[exporter]``); this package imports without it.

Its modules, each importing only those listed before it: ``text`` (the text
format), ``iftypes`` and ``metrics`` (what a router's MIB becomes),
``deadlines`` (how long a scrape may read, and the thread that gives it up),
``scrape`` (the Exporter), ``httpd`` (HTTP/1.1 and make_server), ``command``
(``mprapi exporter``'s options and main).
"""

from .command import main
from .deadlines import scrape_deadline
from .httpd import make_server
from .metrics import RouterReading, read_router, render_scrape, router_families
from .scrape import Exporter, TargetError
from .text import CONTENT_TYPE, Family, Sample, exposition

__all__ = [
    "CONTENT_TYPE",
    "Exporter",
    "Family",
    "RouterReading",
    "Sample",
    "TargetError",
    "exposition",
    "main",
    "make_server",
    "read_router",
    "render_scrape",
    "router_families",
    "scrape_deadline",
]
