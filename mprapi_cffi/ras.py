"""Remote access (VPN) servers: the structures the admin calls return, and their enumerations.

Unlike the MIB's, these are the SDK's structures as the C API leaves them in the
caller's memory (MprAdminConnectionEnum, MprAdminPortEnum, MprAdminServerGetInfo...),
laid out by the C compiler: pointer-sized HANDLEs and natural alignment, so their
layout is the platform's (``aligned=True``, ``size=(64-bit, 32-bit)``; see
docs/mib-structures.md).  Mprapi.dll converts MS-RRASM's wire forms into them
(docs/remote-access.md lists the differences).  Each is declared once; members
that are not read (PPP_INFO_2/3, the certificate parts of MPR_SERVER_EX1) are
skipped as padding.  ``Struct.decode_array(buffer, count)`` decodes an array of
them.
"""

from __future__ import annotations

import enum
from typing import Literal

from ._fields import (
    Bool,
    Dword,
    DwordFlags,
    Enumerated,
    EnumeratedByte,
    FileTime,
    Guid,
    Handle,
    Qword,
    WChars,
)
from ._wire import MibStruct, field

__all__ = [
    "Connection0",
    "Connection1",
    "Connection2",
    "Connection3",
    "Connection4",
    "ConnectionEx",
    "ConnectionFlags",
    "HardwareCondition",
    "Port0",
    "Port1",
    "PortCondition",
    "ProjectionType",
    "QuarantineState",
    "RouterInterfaceType",
    "ServerInfo0",
    "ServerInfo1",
    "ServerInfo2",
    "ServerInfoEx",
    "Tunnel",
]


# --------------------------------------------------------------- enumerations


class RouterInterfaceType(enum.IntEnum):
    """``dwInterfaceType`` (ROUTER_INTERFACE_TYPE): a remote access client, or a router's interface."""

    CLIENT = 0
    HOME_ROUTER = 1
    FULL_ROUTER = 2
    DEDICATED = 3
    INTERNAL = 4
    LOOPBACK = 5
    TUNNEL1 = 6
    DIALOUT = 7


class PortCondition(enum.IntEnum):
    """``dwPortCondition`` of a port (RAS_PORT_CONDITION)."""

    NON_OPERATIONAL = 0
    DISCONNECTED = 1
    CALLING_BACK = 2
    LISTENING = 3
    AUTHENTICATING = 4
    AUTHENTICATED = 5
    INITIALIZING = 6


class HardwareCondition(enum.IntEnum):
    """``dwHardwareCondition`` of a port (RAS_HARDWARE_CONDITION)."""

    OPERATIONAL = 0
    FAILURE = 1


class QuarantineState(enum.IntEnum):
    """``rasQuarState``: the connection's NAP quarantine state (RAS_QUARANTINE_STATE)."""

    NORMAL = 0
    QUARANTINE = 1
    PROBATION = 2
    NOT_CAPABLE = 3


class ConnectionFlags(enum.IntFlag):
    """``dwConnectionFlags`` (RAS_FLAGS_*); unknown bits are kept."""

    PPP = 0x1
    MESSENGER_PRESENT = 0x2
    QUARANTINE_PRESENT = 0x8
    IKEV2 = 0x10
    DORMANT = 0x20


class ProjectionType(enum.IntEnum):
    """``ProjectionInfo.projectionInfoType``: which member of the projection union is filled."""

    PPP = 1
    IKEV2 = 2


# RASDEVICETYPE's low 16 bits (MS-RRASM 2.2.1.1.16); the class bits (RDT_Tunnel 0x10000...) are above them.
_DEVICE_TYPES = {8: "pptp", 9: "l2tp", 14: "sstp", 15: "ikev2"}
_DEVICE_NAMES = (("PPTP", "pptp"), ("L2TP", "l2tp"), ("SSTP", "sstp"), ("IKEV2", "ikev2"))


class Tunnel(str, enum.Enum):
    """The VPN tunnel a connection or port uses."""

    PPTP = "pptp"
    L2TP = "l2tp"
    SSTP = "sstp"
    IKEV2 = "ikev2"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def of_device_type(cls, device_type: int) -> Tunnel:
        """From a RASDEVICETYPE (RAS_CONNECTION_4's ``dwDeviceType``): its low 16 bits.

        8 PPTP, 9 L2TP, 14 SSTP, 15 IKEv2; anything else is OTHER.
        """
        return cls(_DEVICE_TYPES.get(device_type & 0xFFFF, "other"))

    @classmethod
    def of_device_name(cls, name: str) -> Tunnel:
        """From a port's device name ("WAN Miniport (SSTP)"): the tunnel it names, case-insensitively, else OTHER."""
        upper = name.upper()
        for token, value in _DEVICE_NAMES:
            if token in upper:
                return cls(value)
        return cls.OTHER


# ------------------------------------------------------------------ the server


class ServerInfo0(MibStruct, sdk="MPR_SERVER_0", aligned=True, size=(16, 16)):
    """The server's state (MprAdminServerGetInfo level 0): mirrors MPR_SERVER_0."""

    lan_only_mode: Bool = field("fLanOnlyMode", "the server routes LANs only: no remote access or demand dial")
    up_time: Dword = field("dwUpTime", "seconds since the server started")
    total_ports: Dword = field("dwTotalPorts", "ports the server has")
    ports_in_use: Dword = field("dwPortsInUse", "ports in use")


class ServerInfo1(MibStruct, sdk="MPR_SERVER_1", aligned=True, size=(16, 16)):
    """Ports per tunnel type (level 1): mirrors MPR_SERVER_1."""

    pptp_ports: Dword = field("dwNumPptpPorts", "PPTP ports")
    pptp_port_flags: Dword = field("dwPptpPortFlags", "PPTP ports' flags (MPR_ENABLE_RAS_ON_DEVICE...)")
    l2tp_ports: Dword = field("dwNumL2tpPorts", "L2TP ports")
    l2tp_port_flags: Dword = field("dwL2tpPortFlags", "L2TP ports' flags")


class ServerInfo2(MibStruct, sdk="MPR_SERVER_2", aligned=True, size=(24, 24)):
    """Ports per tunnel type, SSTP too (level 2): mirrors MPR_SERVER_2."""

    pptp_ports: Dword = field("dwNumPptpPorts", "PPTP ports")
    pptp_port_flags: Dword = field("dwPptpPortFlags", "PPTP ports' flags (MPR_ENABLE_RAS_ON_DEVICE...)")
    l2tp_ports: Dword = field("dwNumL2tpPorts", "L2TP ports")
    l2tp_port_flags: Dword = field("dwL2tpPortFlags", "L2TP ports' flags")
    sstp_ports: Dword = field("dwNumSstpPorts", "SSTP ports")
    sstp_port_flags: Dword = field("dwSstpPortFlags", "SSTP ports' flags")


_IKE = "ConfigParams.IkeConfigParams."
_PPTP = "ConfigParams.PptpConfigParams."
_L2TP = "ConfigParams.L2tpConfigParams."
_SSTP = "ConfigParams.SstpConfigParams."
_GRE = "ConfigParams.GREConfigParams."


class ServerInfoEx(MibStruct, sdk="MPR_SERVER_EX1", aligned=True, size=(248, 180)):
    """The server and its ports per tunnel type (MprAdminServerGetInfoEx): MPR_SERVER_EX1's counts and flags.

    The header, ``Reserved`` and each tunnel's configuration past its port
    count and flags (IKEv2's and L2TP's tunnel parameters, SSTP's certificate)
    are not read.
    """

    lan_only_mode: Bool = field("fLanOnlyMode", "the server routes LANs only", skip=4)  # Header
    up_time: Dword = field("dwUpTime", "seconds since the server started")
    total_ports: Dword = field("dwTotalPorts", "ports the server has")
    ports_in_use: Dword = field("dwPortsInUse", "ports in use")
    ikev2_ports: Dword = field(_IKE + "dwNumPorts", "IKEv2 ports", skip=4)  # Reserved
    ikev2_port_flags: Dword = field(_IKE + "dwPortFlags", "IKEv2 ports' flags")
    # IKEv2's dwTunnelConfigParamFlags and TunnelConfigParams (certificate pointers among them).
    pptp_ports: Dword = field(_PPTP + "dwNumPorts", "PPTP ports", skip=(112, 68))
    pptp_port_flags: Dword = field(_PPTP + "dwPortFlags", "PPTP ports' flags")
    l2tp_ports: Dword = field(_L2TP + "dwNumPorts", "L2TP ports")
    l2tp_port_flags: Dword = field(_L2TP + "dwPortFlags", "L2TP ports' flags")
    # L2TP's dwTunnelConfigParamFlags and TunnelConfigParams.
    sstp_ports: Dword = field(_SSTP + "dwNumPorts", "SSTP ports", skip=(40, 28))
    sstp_port_flags: Dword = field(_SSTP + "dwPortFlags", "SSTP ports' flags")
    # SSTP's isUseHttps, certAlgorithm and sstpCertDetails.
    gre_ports: Dword = field(_GRE + "dwNumPorts", "GRE ports", skip=(32, 20))
    gre_port_flags: Dword = field(_GRE + "dwPortFlags", "GRE ports' flags")


# ----------------------------------------------------------------- connections


class Connection0(MibStruct, sdk="RAS_CONNECTION_0", aligned=True, size=(1128, 1116)):
    """A connection: who, from where, for how long (level 0): mirrors RAS_CONNECTION_0."""

    handle: Handle = field("hConnection", "the connection's handle")
    interface_handle: Handle = field("hInterface", "its interface's handle")
    duration: Dword = field("dwConnectDuration", "seconds connected")
    interface_type: Enumerated[RouterInterfaceType] = field("dwInterfaceType", "client or router interface")
    flags: DwordFlags[ConnectionFlags] = field("dwConnectionFlags", "RAS_FLAGS_*")
    interface_name: WChars[Literal[257]] = field("wszInterfaceName", "interface name")
    user_name: WChars[Literal[257]] = field("wszUserName", "the connected user")
    logon_domain: WChars[Literal[16]] = field("wszLogonDomain", "the user's logon domain")
    remote_computer: WChars[Literal[17]] = field("wszRemoteComputer", "the remote computer's NetBIOS name")


class Connection1(MibStruct, sdk="RAS_CONNECTION_1", aligned=True, size=(296, 288)):
    """A connection's traffic and its IPv4 addresses (level 1): RAS_CONNECTION_1, of PppInfo only ``ip``'s addresses."""

    handle: Handle = field("hConnection", "the connection's handle")
    interface_handle: Handle = field("hInterface", "its interface's handle")
    # PppInfo.nbf (40 bytes) and PppInfo.ip.dwError.
    ipv4_address: WChars[Literal[16]] = field("PppInfo.ip.wszAddress", "the server's IPv4 address on it", skip=44)
    remote_ipv4_address: WChars[Literal[16]] = field("PppInfo.ip.wszRemoteAddress", "the client's IPv4 address")
    # PppInfo.ipx (52 bytes) and PppInfo.at (72 bytes).
    bytes_sent: Dword = field("dwBytesXmited", "bytes sent (32-bit; Connection4 has 64)", skip=124)
    bytes_received: Dword = field("dwBytesRcved", "bytes received (32-bit)")
    frames_sent: Dword = field("dwFramesXmited", "frames sent")
    frames_received: Dword = field("dwFramesRcved", "frames received")
    crc_errors: Dword = field("dwCrcErr", "CRC errors")
    timeout_errors: Dword = field("dwTimeoutErr", "timeout errors")
    alignment_errors: Dword = field("dwAlignmentErr", "alignment errors")
    hardware_overrun_errors: Dword = field("dwHardwareOverrunErr", "hardware overrun errors")
    framing_errors: Dword = field("dwFramingErr", "framing errors")
    buffer_overrun_errors: Dword = field("dwBufferOverrunErr", "buffer overrun errors")
    compression_ratio_in: Dword = field("dwCompressionRatioIn", "compression of received data, percent")
    compression_ratio_out: Dword = field("dwCompressionRatioOut", "compression of sent data, percent")


class Connection2(MibStruct, sdk="RAS_CONNECTION_2", aligned=True, size=(848, 844), tail=304):
    """A connection's user and GUID (level 2): RAS_CONNECTION_2 without PppInfo2 (304 bytes, not read)."""

    handle: Handle = field("hConnection", "the connection's handle")
    user_name: WChars[Literal[257]] = field("wszUserName", "the connected user")
    interface_type: Enumerated[RouterInterfaceType] = field("dwInterfaceType", "client or router interface")
    guid: Guid = field("guid", "the connection's GUID (an incoming one's lasts as long as it does)")


class Connection3(MibStruct, sdk="RAS_CONNECTION_3", aligned=True, size=(792, 788)):
    """A connection's user, GUID and quarantine (level 3): RAS_CONNECTION_3 without PppInfo3."""

    handle: Handle = field("hConnection", "the connection's handle", skip=8)  # dwVersion, dwSize
    user_name: WChars[Literal[257]] = field("wszUserName", "the connected user")
    interface_type: Enumerated[RouterInterfaceType] = field("dwInterfaceType", "client or router interface")
    guid: Guid = field("guid", "the connection's GUID")
    quarantine_state: Enumerated[QuarantineState] = field("rasQuarState", "NAP quarantine state", skip=228)  # PppInfo3
    probation_time: FileTime = field("timer", "when NAP probation ends (UTC), if on probation")


_PROJECTION = "ProjectionInfo."


class Connection4(MibStruct, sdk="RAS_CONNECTION_4", aligned=True, size=(1696, 1688)):
    """A connection, everything (level 4): RAS_CONNECTION_4, of ProjectionInfo its type and IPv4 addresses."""

    duration: Dword = field("dwConnectDuration", "seconds connected")
    interface_type: Enumerated[RouterInterfaceType] = field("dwInterfaceType", "client or router interface")
    flags: DwordFlags[ConnectionFlags] = field("dwConnectionFlags", "RAS_FLAGS_*")
    interface_name: WChars[Literal[257]] = field("wszInterfaceName", "interface name")
    user_name: WChars[Literal[257]] = field("wszUserName", "the connected user")
    logon_domain: WChars[Literal[16]] = field("wszLogonDomain", "the user's logon domain")
    remote_computer: WChars[Literal[17]] = field("wszRemoteComputer", "the remote computer's NetBIOS name")
    guid: Guid = field("guid", "the connection's GUID")
    quarantine_state: Enumerated[QuarantineState] = field("rasQuarState", "NAP quarantine state")
    probation_time: FileTime = field("probationTime", "when NAP probation ends (UTC), if on probation")
    start_time: FileTime = field("connectionStartTime", "when the connection started (UTC)")
    bytes_sent: Qword = field("ullBytesXmited", "bytes sent (64-bit)")
    bytes_received: Qword = field("ullBytesRcved", "bytes received (64-bit)")
    frames_sent: Dword = field("dwFramesXmited", "frames sent")
    frames_received: Dword = field("dwFramesRcved", "frames received")
    crc_errors: Dword = field("dwCrcErr", "CRC errors")
    timeout_errors: Dword = field("dwTimeoutErr", "timeout errors")
    alignment_errors: Dword = field("dwAlignmentErr", "alignment errors")
    hardware_overrun_errors: Dword = field("dwHardwareOverrunErr", "hardware overrun errors")
    framing_errors: Dword = field("dwFramingErr", "framing errors")
    buffer_overrun_errors: Dword = field("dwBufferOverrunErr", "buffer overrun errors")
    compression_ratio_in: Dword = field("dwCompressionRatioIn", "compression of received data, percent")
    compression_ratio_out: Dword = field("dwCompressionRatioOut", "compression of sent data, percent")
    switch_overs: Dword = field("dwNumSwitchOvers", "IKEv2 MOBIKE switch-overs")
    remote_endpoint: WChars[Literal[65]] = field("wszRemoteEndpointAddress", "the tunnel's remote endpoint address")
    local_endpoint: WChars[Literal[65]] = field("wszLocalEndpointAddress", "the tunnel's local endpoint address")
    projection_type: EnumeratedByte[ProjectionType] = field(_PROJECTION + "projectionInfoType", "PPP or IKEv2")
    # The union starts at +8; both members have dwIPv4NegotiationError and then the addresses.
    ipv4_address: WChars[Literal[16]] = field(
        _PROJECTION + "PppProjectionInfo.wszAddress", "the server's IPv4 address on it", skip=11)  # fmt: skip
    remote_ipv4_address: WChars[Literal[16]] = field(
        _PROJECTION + "PppProjectionInfo.wszRemoteAddress", "the client's IPv4 address")  # fmt: skip
    handle: Handle = field("hConnection", "the connection's handle", skip=132)  # the rest of the union
    interface_handle: Handle = field("hInterface", "its interface's handle")
    device_type: Dword = field("dwDeviceType", "RASDEVICETYPE: the tunnel in its low 16 bits (see tunnel)")

    @property
    def tunnel(self) -> Tunnel:
        """The tunnel, from ``device_type``."""
        return Tunnel.of_device_type(self.device_type)


class ConnectionEx(MibStruct, sdk="RAS_CONNECTION_EX", aligned=True, size=(1672, 1664)):
    """A connection (MprAdminConnectionEnumEx): RAS_CONNECTION_EX; Connection4's fields but start time and device type.

    Its byte counters are 32-bit.
    """

    duration: Dword = field("dwConnectDuration", "seconds connected", skip=4)  # Header
    interface_type: Enumerated[RouterInterfaceType] = field("dwInterfaceType", "client or router interface")
    flags: DwordFlags[ConnectionFlags] = field("dwConnectionFlags", "RAS_FLAGS_*")
    interface_name: WChars[Literal[257]] = field("wszInterfaceName", "interface name")
    user_name: WChars[Literal[257]] = field("wszUserName", "the connected user")
    logon_domain: WChars[Literal[16]] = field("wszLogonDomain", "the user's logon domain")
    remote_computer: WChars[Literal[17]] = field("wszRemoteComputer", "the remote computer's NetBIOS name")
    guid: Guid = field("guid", "the connection's GUID")
    quarantine_state: Enumerated[QuarantineState] = field("rasQuarState", "NAP quarantine state")
    probation_time: FileTime = field("probationTime", "when NAP probation ends (UTC), if on probation")
    bytes_sent: Dword = field("dwBytesXmited", "bytes sent (32-bit)")
    bytes_received: Dword = field("dwBytesRcved", "bytes received (32-bit)")
    frames_sent: Dword = field("dwFramesXmited", "frames sent")
    frames_received: Dword = field("dwFramesRcved", "frames received")
    crc_errors: Dword = field("dwCrcErr", "CRC errors")
    timeout_errors: Dword = field("dwTimeoutErr", "timeout errors")
    alignment_errors: Dword = field("dwAlignmentErr", "alignment errors")
    hardware_overrun_errors: Dword = field("dwHardwareOverrunErr", "hardware overrun errors")
    framing_errors: Dword = field("dwFramingErr", "framing errors")
    buffer_overrun_errors: Dword = field("dwBufferOverrunErr", "buffer overrun errors")
    compression_ratio_in: Dword = field("dwCompressionRatioIn", "compression of received data, percent")
    compression_ratio_out: Dword = field("dwCompressionRatioOut", "compression of sent data, percent")
    switch_overs: Dword = field("dwNumSwitchOvers", "IKEv2 MOBIKE switch-overs")
    remote_endpoint: WChars[Literal[65]] = field("wszRemoteEndpointAddress", "the tunnel's remote endpoint address")
    local_endpoint: WChars[Literal[65]] = field("wszLocalEndpointAddress", "the tunnel's local endpoint address")
    # PROJECTION_INFO is 8-aligned (its union holds ULONG64s): 4 bytes of padding before it.
    projection_type: EnumeratedByte[ProjectionType] = field(
        _PROJECTION + "projectionInfoType", "PPP or IKEv2", skip=4)  # fmt: skip
    ipv4_address: WChars[Literal[16]] = field(
        _PROJECTION + "PppProjectionInfo.wszAddress", "the server's IPv4 address on it", skip=11)  # fmt: skip
    remote_ipv4_address: WChars[Literal[16]] = field(
        _PROJECTION + "PppProjectionInfo.wszRemoteAddress", "the client's IPv4 address")  # fmt: skip
    handle: Handle = field("hConnection", "the connection's handle", skip=124)  # the rest of the union
    interface_handle: Handle = field("hInterface", "its interface's handle")


# ----------------------------------------------------------------------- ports


class Port0(MibStruct, sdk="RAS_PORT_0", aligned=True, size=(392, 380)):
    """A port: its state and device (MprAdminPortEnum level 0): mirrors RAS_PORT_0."""

    handle: Handle = field("hPort", "the port's handle")
    connection_handle: Handle = field("hConnection", "the connection on it, 0 if none")
    condition: Enumerated[PortCondition] = field("dwPortCondition", "the port's condition")
    total_calls: Dword = field("dwTotalNumberOfCalls", "calls since the server started")
    duration: Dword = field("dwConnectDuration", "seconds the current connection has lasted")
    port_name: WChars[Literal[17]] = field("wszPortName", "port name (VPN1-0...)")
    media_name: WChars[Literal[17]] = field("wszMediaName", "media name")
    device_name: WChars[Literal[129]] = field("wszDeviceName", "device name (WAN Miniport (SSTP)...)")
    device_type: WChars[Literal[17]] = field("wszDeviceType", "device type (vpn...)")

    @property
    def tunnel(self) -> Tunnel:
        """The tunnel, from ``device_name``."""
        return Tunnel.of_device_name(self.device_name)


class Port1(MibStruct, sdk="RAS_PORT_1", aligned=True, size=(72, 64)):
    """A port's line and traffic (level 1): mirrors RAS_PORT_1."""

    handle: Handle = field("hPort", "the port's handle")
    connection_handle: Handle = field("hConnection", "the connection on it, 0 if none")
    hardware_condition: Enumerated[HardwareCondition] = field("dwHardwareCondition", "operational or failed")
    line_speed: Dword = field("dwLineSpeed", "bits per second")
    bytes_sent: Dword = field("dwBytesXmited", "bytes sent")
    bytes_received: Dword = field("dwBytesRcved", "bytes received")
    frames_sent: Dword = field("dwFramesXmited", "frames sent")
    frames_received: Dword = field("dwFramesRcved", "frames received")
    crc_errors: Dword = field("dwCrcErr", "CRC errors")
    timeout_errors: Dword = field("dwTimeoutErr", "timeout errors")
    alignment_errors: Dword = field("dwAlignmentErr", "alignment errors")
    hardware_overrun_errors: Dword = field("dwHardwareOverrunErr", "hardware overrun errors")
    framing_errors: Dword = field("dwFramingErr", "framing errors")
    buffer_overrun_errors: Dword = field("dwBufferOverrunErr", "buffer overrun errors")
    compression_ratio_in: Dword = field("dwCompressionRatioIn", "compression of received data, percent")
    compression_ratio_out: Dword = field("dwCompressionRatioOut", "compression of sent data, percent")


STRUCTS: tuple[type[MibStruct], ...] = (
    ServerInfo0, ServerInfo1, ServerInfo2, ServerInfoEx, Connection0, Connection1, Connection2, Connection3,
    Connection4, ConnectionEx, Port0, Port1,
)  # fmt: skip
"""Every remote access structure, for the layout tests."""
