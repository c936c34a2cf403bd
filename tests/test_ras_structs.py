"""The remote access structures (mprapi_cffi/ras.py) decoded from bytes laid out as C lays them out here.

Each structure is built with ctypes at the running platform's layout (HANDLEs
pointer-sized, natural alignment; WCHAR as 16-bit units, since ctypes' c_wchar is 4
bytes on Linux), its members set to distinct values, and decoded with ``decode_array``.
The layouts themselves are held against win32metadata's, x64 and x86, in
tests/test_ras_layouts.py (the Windows lane).  No Windows needed.
"""

from __future__ import annotations

import calendar
import ctypes
import pickle
import struct
import uuid
from ctypes import Structure, Union, c_uint8, c_uint16, c_uint32, c_uint64, c_void_p
from datetime import datetime, timezone
from typing import Any

import pytest

from mprapi_cffi import ras
from mprapi_cffi._wire import MibStruct, c_layout
from mprapi_cffi.ras import (
    ConnectionFlags,
    HardwareCondition,
    PortCondition,
    ProjectionType,
    QuarantineState,
    RouterInterfaceType,
    Tunnel,
)

U32, U64, H = c_uint32, c_uint64, c_void_p
POINTER = ctypes.sizeof(c_void_p)
HANDLE_TOP = 2 ** (8 * POINTER) - 1


def W(n: int) -> Any:
    return c_uint16 * n


class GUID(Structure):
    _fields_ = [("Data1", U32), ("Data2", c_uint16), ("Data3", c_uint16), ("Data4", c_uint8 * 8)]


class FILETIME(Structure):
    _fields_ = [("dwLowDateTime", U32), ("dwHighDateTime", U32)]


class PPP_IPCP_INFO(Structure):
    _fields_ = [("dwError", U32), ("wszAddress", W(16)), ("wszRemoteAddress", W(16))]


class PPP_INFO(Structure):  # nbf, ipx and at opaque, of their sizes and alignment
    _fields_ = [("nbf", U32 * 10), ("ip", PPP_IPCP_INFO), ("ipx", U32 * 13), ("at", U32 * 18)]


def _ppp_projection(embedded: bool) -> list[tuple[str, Any]]:
    tail = 17 if embedded else 16  # PPP_PROJECTION_INFO2 adds dwEmbeddedEAPTypeId
    return [("dwIPv4NegotiationError", U32), ("wszAddress", W(16)), ("wszRemoteAddress", W(16)),
            ("dwIPv4Options", U32), ("dwIPv4RemoteOptions", U32), ("IPv4SubInterfaceIndex", U64),
            ("dwIPv6NegotiationError", U32), ("bInterfaceIdentifier", c_uint8 * 8),
            ("bRemoteInterfaceIdentifier", c_uint8 * 8), ("bPrefix", c_uint8 * 8), ("dwPrefixLength", U32),
            ("IPv6SubInterfaceIndex", U64), ("rest", U32 * tail)]  # fmt: skip


class PPP_PROJECTION_INFO(Structure):
    _fields_ = _ppp_projection(False)


class PPP_PROJECTION_INFO2(Structure):
    _fields_ = _ppp_projection(True)


class _Union(Union):
    _fields_ = [("PppProjectionInfo", PPP_PROJECTION_INFO)]


class _Union2(Union):
    _fields_ = [("PppProjectionInfo", PPP_PROJECTION_INFO2)]


class PROJECTION_INFO(Structure):
    _fields_ = [("projectionInfoType", c_uint8), ("u", _Union)]


class PROJECTION_INFO2(Structure):
    _fields_ = [("projectionInfoType", c_uint8), ("u", _Union2)]


class HEADER(Structure):
    _fields_ = [("revision", c_uint8), ("type", c_uint8), ("size", c_uint16)]


_COUNTERS = [("dwFramesXmited", U32), ("dwFramesRcved", U32), ("dwCrcErr", U32), ("dwTimeoutErr", U32),
             ("dwAlignmentErr", U32), ("dwHardwareOverrunErr", U32), ("dwFramingErr", U32),
             ("dwBufferOverrunErr", U32), ("dwCompressionRatioIn", U32), ("dwCompressionRatioOut", U32)]  # fmt: skip
_WHO = [("dwConnectDuration", U32), ("dwInterfaceType", U32), ("dwConnectionFlags", U32),
        ("wszInterfaceName", W(257)), ("wszUserName", W(257)), ("wszLogonDomain", W(16)),
        ("wszRemoteComputer", W(17))]  # fmt: skip


class RAS_CONNECTION_0(Structure):
    _fields_ = [("hConnection", H), ("hInterface", H), *_WHO]


class RAS_CONNECTION_1(Structure):
    _fields_ = [("hConnection", H), ("hInterface", H), ("PppInfo", PPP_INFO), ("dwBytesXmited", U32),
                ("dwBytesRcved", U32), *_COUNTERS]  # fmt: skip


class RAS_CONNECTION_2(Structure):
    _fields_ = [("hConnection", H), ("wszUserName", W(257)), ("dwInterfaceType", U32), ("guid", GUID),
                ("PppInfo2", U32 * 76)]  # fmt: skip


class RAS_CONNECTION_3(Structure):
    _fields_ = [("dwVersion", U32), ("dwSize", U32), ("hConnection", H), ("wszUserName", W(257)),
                ("dwInterfaceType", U32), ("guid", GUID), ("PppInfo3", U32 * 57), ("rasQuarState", U32),
                ("timer", FILETIME)]  # fmt: skip


class RAS_CONNECTION_4(Structure):
    _fields_ = [*_WHO, ("guid", GUID), ("rasQuarState", U32), ("probationTime", FILETIME),
                ("connectionStartTime", FILETIME), ("ullBytesXmited", U64), ("ullBytesRcved", U64), *_COUNTERS,
                ("dwNumSwitchOvers", U32), ("wszRemoteEndpointAddress", W(65)), ("wszLocalEndpointAddress", W(65)),
                ("ProjectionInfo", PROJECTION_INFO2), ("hConnection", H), ("hInterface", H),
                ("dwDeviceType", U32)]  # fmt: skip


class RAS_CONNECTION_EX(Structure):
    _fields_ = [("Header", HEADER), *_WHO, ("guid", GUID), ("rasQuarState", U32), ("probationTime", FILETIME),
                ("dwBytesXmited", U32), ("dwBytesRcved", U32), *_COUNTERS, ("dwNumSwitchOvers", U32),
                ("wszRemoteEndpointAddress", W(65)), ("wszLocalEndpointAddress", W(65)),
                ("ProjectionInfo", PROJECTION_INFO), ("hConnection", H), ("hInterface", H)]  # fmt: skip


class RAS_PORT_0(Structure):
    _fields_ = [("hPort", H), ("hConnection", H), ("dwPortCondition", U32), ("dwTotalNumberOfCalls", U32),
                ("dwConnectDuration", U32), ("wszPortName", W(17)), ("wszMediaName", W(17)),
                ("wszDeviceName", W(129)), ("wszDeviceType", W(17))]  # fmt: skip


class RAS_PORT_1(Structure):
    _fields_ = [("hPort", H), ("hConnection", H), ("dwHardwareCondition", U32), ("dwLineSpeed", U32),
                ("dwBytesXmited", U32), ("dwBytesRcved", U32), *_COUNTERS]  # fmt: skip


class MPR_SERVER_0(Structure):
    _fields_ = [("fLanOnlyMode", U32), ("dwUpTime", U32), ("dwTotalPorts", U32), ("dwPortsInUse", U32)]


_PORTS = [("dwNumPptpPorts", U32), ("dwPptpPortFlags", U32), ("dwNumL2tpPorts", U32), ("dwL2tpPortFlags", U32)]


class MPR_SERVER_1(Structure):
    _fields_ = _PORTS


class MPR_SERVER_2(Structure):
    _fields_ = [*_PORTS, ("dwNumSstpPorts", U32), ("dwSstpPortFlags", U32)]


class BLOB(Structure):
    _fields_ = [("cbData", U32), ("pbData", H)]


class IKEV2_TUNNEL_CONFIG_PARAMS4(Structure):
    _fields_ = [("dw", U32 * 6), ("certificateNames", H), ("machineCertificateName", BLOB),
                ("dwEncryptionType", U32), ("customPolicy", H), ("dwTotalEkus", U32), ("certificateEKUs", H),
                ("machineCertificateHash", BLOB), ("dwMmSaLifeTime", U32)]  # fmt: skip


class IKEV2_CONFIG_PARAMS(Structure):
    _fields_ = [("dwNumPorts", U32), ("dwPortFlags", U32), ("dwTunnelConfigParamFlags", U32),
                ("TunnelConfigParams", IKEV2_TUNNEL_CONFIG_PARAMS4)]  # fmt: skip


class PORTS(Structure):  # PPTP_CONFIG_PARAMS, GRE_CONFIG_PARAMS0
    _fields_ = [("dwNumPorts", U32), ("dwPortFlags", U32)]


class L2TP_TUNNEL_CONFIG_PARAMS2(Structure):
    _fields_ = [("dw", U32 * 4), ("customPolicy", H), ("dwMmSaLifeTime", U32)]


class L2TP_CONFIG_PARAMS1(Structure):
    _fields_ = [("dwNumPorts", U32), ("dwPortFlags", U32), ("dwTunnelConfigParamFlags", U32),
                ("TunnelConfigParams", L2TP_TUNNEL_CONFIG_PARAMS2)]  # fmt: skip


class SSTP_CONFIG_PARAMS(Structure):
    _fields_ = [("dwNumPorts", U32), ("dwPortFlags", U32), ("isUseHttps", U32), ("certAlgorithm", U32),
                ("isDefault", U32), ("certBlob", BLOB)]  # fmt: skip


class MPRAPI_TUNNEL_CONFIG_PARAMS1(Structure):
    _fields_ = [("IkeConfigParams", IKEV2_CONFIG_PARAMS), ("PptpConfigParams", PORTS),
                ("L2tpConfigParams", L2TP_CONFIG_PARAMS1), ("SstpConfigParams", SSTP_CONFIG_PARAMS),
                ("GREConfigParams", PORTS)]  # fmt: skip


class MPR_SERVER_EX1(Structure):
    _fields_ = [("Header", HEADER), ("fLanOnlyMode", U32), ("dwUpTime", U32), ("dwTotalPorts", U32),
                ("dwPortsInUse", U32), ("Reserved", U32), ("ConfigParams", MPRAPI_TUNNEL_CONFIG_PARAMS1)]  # fmt: skip


def build(ctype: type[Structure], **members: Any) -> bytes:
    """A ``ctype`` with the members named (``PppInfo__ip__wszAddress``) set: str as WCHARs, UUID, FILETIME ints."""
    obj = ctype()
    for key, value in members.items():
        path = key.replace("__", ".")
        if path.startswith("ProjectionInfo."):
            path = path.replace("ProjectionInfo.", "ProjectionInfo.u.PppProjectionInfo.", 1)
            path = path.replace("u.PppProjectionInfo.projectionInfoType", "projectionInfoType")
        *parents, last = path.split(".")
        target = obj
        for name in parents:
            target = getattr(target, name)
        current = getattr(target, last)
        if isinstance(value, str):
            units = struct.unpack(f"<{len(value.encode('utf-16-le')) // 2}H", value.encode("utf-16-le"))
            array = type(current)()
            array[: len(units)] = units
            setattr(target, last, array)
        elif isinstance(value, uuid.UUID):
            ctypes.memmove(ctypes.addressof(current), value.bytes_le, 16)
        elif isinstance(current, FILETIME):
            setattr(target, last, FILETIME(value & 0xFFFFFFFF, value >> 32))
        else:
            setattr(target, last, value)
    return bytes(obj)


def one(struct_type: type[MibStruct], data: bytes) -> Any:
    assert len(data) == struct_type.layout.size
    (row,) = struct_type.decode_array(data, 1)
    return row


GUID_1 = uuid.UUID("12345678-9abc-def0-1122-334455667788")
START = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
UNIX_EPOCH_TICKS = 116444736000000000  # 1970-01-01 in FILETIME ticks (100 ns since 1601-01-01)
START_TICKS = UNIX_EPOCH_TICKS + calendar.timegm((2024, 5, 6, 7, 8, 9)) * 10**7 + 1234567  # 7 ticks START drops
H1, H2 = HANDLE_TOP - 0x10, 0x1234  # a handle with the top bits set, and a small one


# ------------------------------------------------------------------- sizes


CTYPES = {ras.ServerInfo0: MPR_SERVER_0, ras.ServerInfo1: MPR_SERVER_1, ras.ServerInfo2: MPR_SERVER_2,
          ras.ServerInfoEx: MPR_SERVER_EX1, ras.Connection0: RAS_CONNECTION_0, ras.Connection1: RAS_CONNECTION_1,
          ras.Connection2: RAS_CONNECTION_2, ras.Connection3: RAS_CONNECTION_3, ras.Connection4: RAS_CONNECTION_4,
          ras.ConnectionEx: RAS_CONNECTION_EX, ras.Port0: RAS_PORT_0, ras.Port1: RAS_PORT_1}  # fmt: skip


@pytest.mark.parametrize("struct_type", ras.STRUCTS, ids=lambda t: t._sdk)
def test_size_is_the_platforms(struct_type: type[MibStruct]) -> None:
    assert struct_type.layout.size == ctypes.sizeof(CTYPES[struct_type])
    assert struct_type.layout.size == struct_type._sizes[0 if POINTER == 8 else 1]


def test_x64_sizes_are_the_sdks_and_x86_differ_where_handles_are() -> None:
    x64 = {t._sdk: c_layout(t, 8).size for t in ras.STRUCTS}
    assert x64 == {"MPR_SERVER_0": 16, "MPR_SERVER_1": 16, "MPR_SERVER_2": 24, "MPR_SERVER_EX1": 248,
                   "RAS_CONNECTION_0": 1128, "RAS_CONNECTION_1": 296, "RAS_CONNECTION_2": 848,
                   "RAS_CONNECTION_3": 792, "RAS_CONNECTION_4": 1696, "RAS_CONNECTION_EX": 1672,
                   "RAS_PORT_0": 392, "RAS_PORT_1": 72}  # fmt: skip
    x86 = {t._sdk: c_layout(t, 4).size for t in ras.STRUCTS}
    assert x86["RAS_CONNECTION_4"] == 1688 and x86["RAS_PORT_0"] == 380 and x86["MPR_SERVER_EX1"] == 180
    assert c_layout(ras.Connection4, 4).offsets[-3:] == (1672, 1676, 1680)  # the handles after the union


# ------------------------------------------------------------------ decoding


def test_server_info_0_1_2() -> None:
    s0 = one(ras.ServerInfo0, build(MPR_SERVER_0, fLanOnlyMode=2, dwUpTime=86400, dwTotalPorts=352, dwPortsInUse=6))
    assert s0._asdict() == {"lan_only_mode": True, "up_time": 86400, "total_ports": 352, "ports_in_use": 6}
    s1 = one(ras.ServerInfo1, build(MPR_SERVER_1, dwNumPptpPorts=32, dwPptpPortFlags=1, dwNumL2tpPorts=64,
                                    dwL2tpPortFlags=3))  # fmt: skip
    assert tuple(s1) == (32, 1, 64, 3)
    s2 = one(ras.ServerInfo2, build(MPR_SERVER_2, dwNumPptpPorts=1, dwPptpPortFlags=2, dwNumL2tpPorts=3,
                                    dwL2tpPortFlags=4, dwNumSstpPorts=128, dwSstpPortFlags=5))  # fmt: skip
    assert tuple(s2) == (1, 2, 3, 4, 128, 5)
    assert one(ras.ServerInfo0, bytes(16)).lan_only_mode is False


def test_server_info_ex_reads_counts_and_flags_past_the_pointers() -> None:
    data = build(MPR_SERVER_EX1, Header__revision=2, Header__type=2, Header__size=248, fLanOnlyMode=1,
                 dwUpTime=7, dwTotalPorts=360, dwPortsInUse=9, Reserved=0xEEEEEEEE,
                 ConfigParams__IkeConfigParams__dwNumPorts=128, ConfigParams__IkeConfigParams__dwPortFlags=11,
                 ConfigParams__IkeConfigParams__dwTunnelConfigParamFlags=0xEEEEEEEE,
                 ConfigParams__PptpConfigParams__dwNumPorts=32, ConfigParams__PptpConfigParams__dwPortFlags=12,
                 ConfigParams__L2tpConfigParams__dwNumPorts=64, ConfigParams__L2tpConfigParams__dwPortFlags=13,
                 ConfigParams__SstpConfigParams__dwNumPorts=128, ConfigParams__SstpConfigParams__dwPortFlags=14,
                 ConfigParams__SstpConfigParams__isUseHttps=1,
                 ConfigParams__GREConfigParams__dwNumPorts=8,
                 ConfigParams__GREConfigParams__dwPortFlags=15)  # fmt: skip
    info = one(ras.ServerInfoEx, data)
    assert info._asdict() == {"lan_only_mode": True, "up_time": 7, "total_ports": 360, "ports_in_use": 9,
                              "ikev2_ports": 128, "ikev2_port_flags": 11, "pptp_ports": 32, "pptp_port_flags": 12,
                              "l2tp_ports": 64, "l2tp_port_flags": 13, "sstp_ports": 128, "sstp_port_flags": 14,
                              "gre_ports": 8, "gre_port_flags": 15}  # fmt: skip


WHO = dict(dwConnectDuration=3600, dwInterfaceType=0, dwConnectionFlags=0x11, wszInterfaceName="alice-if",
           wszUserName="alice", wszLogonDomain="CONTOSO", wszRemoteComputer="LAPTOP-7")  # fmt: skip
WHO_READ = dict(duration=3600, interface_type=RouterInterfaceType.CLIENT,
                flags=ConnectionFlags.PPP | ConnectionFlags.IKEV2, interface_name="alice-if", user_name="alice",
                logon_domain="CONTOSO", remote_computer="LAPTOP-7")  # fmt: skip
COUNTERS = dict(dwFramesXmited=101, dwFramesRcved=102, dwCrcErr=103, dwTimeoutErr=104, dwAlignmentErr=105,
                dwHardwareOverrunErr=106, dwFramingErr=107, dwBufferOverrunErr=108, dwCompressionRatioIn=109,
                dwCompressionRatioOut=110)  # fmt: skip
COUNTERS_READ = dict(frames_sent=101, frames_received=102, crc_errors=103, timeout_errors=104, alignment_errors=105,
                     hardware_overrun_errors=106, framing_errors=107, buffer_overrun_errors=108,
                     compression_ratio_in=109, compression_ratio_out=110)  # fmt: skip


def test_connection_0() -> None:
    row = one(ras.Connection0, build(RAS_CONNECTION_0, hConnection=H1, hInterface=H2, **WHO))
    assert row._asdict() == {"handle": H1, "interface_handle": H2, **WHO_READ}


def test_connection_1_reads_ppp_info_ip_addresses() -> None:
    data = build(RAS_CONNECTION_1, hConnection=H1, hInterface=H2, PppInfo__ip__dwError=5,
                 PppInfo__ip__wszAddress="10.0.0.1", PppInfo__ip__wszRemoteAddress="10.0.0.77",
                 dwBytesXmited=0xFFFFFFFF, dwBytesRcved=42, **COUNTERS)  # fmt: skip
    row = one(ras.Connection1, data)
    assert row._asdict() == {"handle": H1, "interface_handle": H2, "ipv4_address": "10.0.0.1",
                             "remote_ipv4_address": "10.0.0.77", "bytes_sent": 0xFFFFFFFF, "bytes_received": 42,
                             **COUNTERS_READ}  # fmt: skip


def test_connection_2_and_3() -> None:
    row2 = one(ras.Connection2, build(RAS_CONNECTION_2, hConnection=H1, wszUserName="bob", dwInterfaceType=2,
                                      guid=GUID_1))  # fmt: skip
    assert row2._asdict() == {"handle": H1, "user_name": "bob", "interface_type": RouterInterfaceType.FULL_ROUTER,
                              "guid": GUID_1}  # fmt: skip
    row3 = one(ras.Connection3, build(RAS_CONNECTION_3, dwVersion=3, dwSize=792, hConnection=H2, wszUserName="carol",
                                      dwInterfaceType=0, guid=GUID_1, rasQuarState=2, timer=START_TICKS))  # fmt: skip
    assert row3._asdict() == {"handle": H2, "user_name": "carol", "interface_type": RouterInterfaceType.CLIENT,
                              "guid": GUID_1, "quarantine_state": QuarantineState.PROBATION,
                              "probation_time": START}  # fmt: skip


CONNECTION_4 = dict(WHO, guid=GUID_1, rasQuarState=0, probationTime=0, connectionStartTime=START_TICKS,
                    ullBytesXmited=2**32 + 5, ullBytesRcved=2**63 + 1, **COUNTERS, dwNumSwitchOvers=2,
                    wszRemoteEndpointAddress="203.0.113.9", wszLocalEndpointAddress="198.51.100.1",
                    ProjectionInfo__projectionInfoType=2, ProjectionInfo__dwIPv4NegotiationError=0xEEEEEEEE,
                    ProjectionInfo__wszAddress="10.8.0.1", ProjectionInfo__wszRemoteAddress="10.8.0.23",
                    ProjectionInfo__IPv6SubInterfaceIndex=0xEEEEEEEEEEEEEEEE,
                    hConnection=H1, hInterface=H2, dwDeviceType=0x10000 | 15)  # fmt: skip


def test_connection_4_every_field() -> None:
    row = one(ras.Connection4, build(RAS_CONNECTION_4, **CONNECTION_4))
    assert row._asdict() == {
        **WHO_READ, "guid": GUID_1, "quarantine_state": QuarantineState.NORMAL, "probation_time": None,
        "start_time": START, "bytes_sent": 2**32 + 5, "bytes_received": 2**63 + 1, **COUNTERS_READ,
        "switch_overs": 2, "remote_endpoint": "203.0.113.9", "local_endpoint": "198.51.100.1",
        "projection_type": ProjectionType.IKEV2, "ipv4_address": "10.8.0.1", "remote_ipv4_address": "10.8.0.23",
        "handle": H1, "interface_handle": H2, "device_type": 0x1000F,
    }
    assert row.tunnel is Tunnel.IKEV2
    assert isinstance(row.start_time, datetime) and row.start_time.tzinfo is timezone.utc
    assert pickle.loads(pickle.dumps(row)) == row
    assert row == ras.Connection4(**row._asdict())


def test_connection_ex_every_field() -> None:
    data = build(RAS_CONNECTION_EX, Header__revision=1, Header__type=1, Header__size=1672, **WHO, guid=GUID_1,
                 rasQuarState=1, probationTime=START_TICKS, dwBytesXmited=7, dwBytesRcved=8, **COUNTERS,
                 dwNumSwitchOvers=0, wszRemoteEndpointAddress="2001:db8::1", wszLocalEndpointAddress="2001:db8::2",
                 ProjectionInfo__projectionInfoType=1, ProjectionInfo__wszAddress="10.9.0.1",
                 ProjectionInfo__wszRemoteAddress="", hConnection=H2, hInterface=H1)  # fmt: skip
    row = one(ras.ConnectionEx, data)
    assert row._asdict() == {
        **WHO_READ, "guid": GUID_1, "quarantine_state": QuarantineState.QUARANTINE, "probation_time": START,
        "bytes_sent": 7, "bytes_received": 8, **COUNTERS_READ, "switch_overs": 0, "remote_endpoint": "2001:db8::1",
        "local_endpoint": "2001:db8::2", "projection_type": ProjectionType.PPP, "ipv4_address": "10.9.0.1",
        "remote_ipv4_address": "", "handle": H2, "interface_handle": H1,
    }


def test_ports() -> None:
    p0 = one(ras.Port0, build(RAS_PORT_0, hPort=H1, hConnection=0, dwPortCondition=3, dwTotalNumberOfCalls=12,
                              dwConnectDuration=0, wszPortName="VPN3-127", wszMediaName="rastapi",
                              wszDeviceName="WAN Miniport (SSTP)", wszDeviceType="vpn"))  # fmt: skip
    assert p0._asdict() == {"handle": H1, "connection_handle": 0, "condition": PortCondition.LISTENING,
                            "total_calls": 12, "duration": 0, "port_name": "VPN3-127", "media_name": "rastapi",
                            "device_name": "WAN Miniport (SSTP)", "device_type": "vpn"}  # fmt: skip
    assert p0.tunnel is Tunnel.SSTP
    p1 = one(ras.Port1, build(RAS_PORT_1, hPort=H2, hConnection=H1, dwHardwareCondition=1, dwLineSpeed=10**9,
                              dwBytesXmited=1, dwBytesRcved=2, **COUNTERS))  # fmt: skip
    assert p1._asdict() == {"handle": H2, "connection_handle": H1, "hardware_condition": HardwareCondition.FAILURE,
                            "line_speed": 10**9, "bytes_sent": 1, "bytes_received": 2, **COUNTERS_READ}  # fmt: skip


# ------------------------------------------------------ the kinds' edges


def test_strings_without_nul_are_read_whole() -> None:
    data = build(RAS_CONNECTION_0, wszLogonDomain="D" * 16, wszRemoteComputer="R" * 17, wszUserName="u" * 257)
    row = one(ras.Connection0, data)
    assert (row.logon_domain, row.remote_computer, row.user_name) == ("D" * 16, "R" * 17, "u" * 257)


def test_strings_stop_at_the_first_nul_and_bad_utf16_is_replaced() -> None:
    data = bytearray(build(RAS_PORT_0, wszPortName="VPN1-0", wszDeviceName="WAN Miniport (PPTP)"))
    offset = ras.Port0._offsets["port_name"]
    data[offset + 14 : offset + 20] = "xyz".encode("utf-16-le")  # after the NUL: not read
    media = ras.Port0._offsets["media_name"]
    data[media : media + 4] = b"\x00\xd8A\x00"  # an unpaired high surrogate, then "A"
    row = one(ras.Port0, bytes(data))
    assert row.port_name == "VPN1-0"
    assert row.media_name == "\ufffdA"
    assert row.tunnel is Tunnel.PPTP


def test_enums_outside_their_range_stay_ints() -> None:
    values = dict(CONNECTION_4, dwInterfaceType=99, rasQuarState=7, ProjectionInfo__projectionInfoType=9,
                  dwConnectionFlags=0x80000001, dwDeviceType=0x2)  # fmt: skip
    row = one(ras.Connection4, build(RAS_CONNECTION_4, **values))
    assert row.interface_type == 99 and type(row.interface_type) is int
    assert row.quarantine_state == 7 and type(row.quarantine_state) is int
    assert row.projection_type == 9 and type(row.projection_type) is int
    assert ConnectionFlags.PPP in row.flags and int(row.flags) == 0x80000001
    assert row.tunnel is Tunnel.OTHER
    port = one(ras.Port0, build(RAS_PORT_0, dwPortCondition=0xFFFFFFFF))
    assert port.condition == 0xFFFFFFFF and port.tunnel is Tunnel.OTHER


def test_filetimes() -> None:
    row = one(ras.Connection4, build(RAS_CONNECTION_4, **dict(CONNECTION_4, connectionStartTime=0)))
    assert row.start_time is None and row.probation_time is None
    epoch = one(ras.Connection4, build(RAS_CONNECTION_4, **dict(CONNECTION_4, connectionStartTime=1)))
    assert epoch.start_time == datetime(1601, 1, 1, tzinfo=timezone.utc)
    known = one(ras.Connection4, build(RAS_CONNECTION_4, **dict(CONNECTION_4, connectionStartTime=UNIX_EPOCH_TICKS)))
    assert known.start_time == datetime(1970, 1, 1, tzinfo=timezone.utc)
    latest = one(ras.Connection4, build(RAS_CONNECTION_4, **dict(CONNECTION_4, connectionStartTime=2**64 - 1)))
    assert latest.start_time == datetime.max.replace(tzinfo=timezone.utc)
    repr(latest)


def test_constructor_checks_what_it_is_given() -> None:
    values = one(ras.Connection4, build(RAS_CONNECTION_4, **CONNECTION_4))._asdict()
    with pytest.raises(ValueError, match="user_name"):
        ras.Connection4(**{**values, "user_name": "u" * 258})
    with pytest.raises(ValueError, match="handle"):
        ras.Connection4(**{**values, "handle": HANDLE_TOP + 1})
    with pytest.raises(ValueError, match="start_time"):
        ras.Connection4(**{**values, "start_time": datetime(2024, 1, 1)})
    with pytest.raises(TypeError, match="guid"):
        ras.Connection4(**{**values, "guid": 5})
    assert ras.Connection4(**{**values, "guid": str(GUID_1)}).guid == GUID_1


# ------------------------------------------------------------ decode_array


def test_decode_array_bounds() -> None:
    size = ras.Port1.layout.size
    rows = [build(RAS_PORT_1, hPort=i + 1, dwLineSpeed=i) for i in range(3)]
    data = b"".join(rows)
    assert [r.handle for r in ras.Port1.decode_array(data, 3)] == [1, 2, 3]
    assert [r.handle for r in ras.Port1.decode_array(data + b"junk", 2)] == [1, 2]
    assert ras.Port1.decode_array(memoryview(data), 1)[0].handle == 1
    assert ras.Port1.decode_array(b"", 0) == [] and ras.Port1.decode_array(data, 0) == []
    with pytest.raises(ValueError, match="RAS_PORT_1"):
        ras.Port1.decode_array(data[: 3 * size - 1], 3)
    with pytest.raises(ValueError, match="RAS_PORT_1"):
        ras.Port1.decode_array(b"", 1)
    with pytest.raises(ValueError, match="negative"):
        ras.Port1.decode_array(data, -1)
    with pytest.raises(TypeError):
        ras.Port1.decode_array(data, True)


def test_decode_array_of_a_cffi_buffer() -> None:
    cffi = pytest.importorskip("cffi")
    ffi = cffi.FFI()
    data = build(RAS_CONNECTION_4, **CONNECTION_4) * 2
    memory = ffi.new("char[]", data)
    rows = ras.Connection4.decode_array(ffi.buffer(memory, len(data)), 2)
    del memory
    assert rows[1].user_name == "alice" and rows[1].bytes_sent == 2**32 + 5


def test_tunnel_helpers() -> None:
    assert [Tunnel.of_device_type(v) for v in (8, 9, 14, 15, 0x10008, 0x1000E, 0, 16, 0x10)] == [
        Tunnel.PPTP, Tunnel.L2TP, Tunnel.SSTP, Tunnel.IKEV2, Tunnel.PPTP, Tunnel.SSTP, Tunnel.OTHER,
        Tunnel.OTHER, Tunnel.OTHER]  # fmt: skip
    names = ["WAN Miniport (SSTP)", "WAN Miniport (IKEv2)", "wan miniport (l2tp)", "WAN Miniport (PPTP)",
             "WAN Miniport (PPPOE)", ""]  # fmt: skip
    assert [Tunnel.of_device_name(n) for n in names] == [Tunnel.SSTP, Tunnel.IKEV2, Tunnel.L2TP, Tunnel.PPTP,
                                                         Tunnel.OTHER, Tunnel.OTHER]  # fmt: skip
    assert str(Tunnel.SSTP) == "sstp" and Tunnel("ikev2") is Tunnel.IKEV2
