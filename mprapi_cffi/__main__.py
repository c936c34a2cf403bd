"""``python -m mprapi_cffi``: the ``mprapi`` command."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
