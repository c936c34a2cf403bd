"""mprapi_cffi: the Windows Router Management API (Mprapi.dll) for Python: the MIB and remote access servers."""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from .admin import AdminServer, RemoteAccessSnapshot
from .constants import *  # noqa: F403
from .constants import __all__ as _constants_all
from .errors import ApiUnavailableError, MprError
from .fleet import PollResult, apoll, poll
from .mib import *  # noqa: F403
from .mib import __all__ as _mib_all
from .ras import *  # noqa: F403
from .ras import __all__ as _ras_all
from .server import MibServer, connect, is_service_running
from .traps import TrapSubscription, subscribe_traps

try:
    __version__ = _version("mprapi-cffi")
except _PackageNotFoundError:  # a source checkout that is not installed
    __version__ = "0+unknown"

__all__ = [
    "AdminServer",
    "ApiUnavailableError",
    "MibServer",
    "MprError",
    "PollResult",
    "RemoteAccessSnapshot",
    "TrapSubscription",
    "apoll",
    "connect",
    "is_service_running",
    "poll",
    "subscribe_traps",
]
__all__ += _constants_all
__all__ += _mib_all
__all__ += _ras_all
