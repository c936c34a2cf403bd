"""cffi build script for mprapi_cffi._mprapi (out-of-line API mode).

Importing this module only declares ``ffibuilder``; nothing is compiled.
``python build_mprapi.py`` compiles the extension in place (Windows only);
setuptools finds it through ``cffi_modules`` in setup.py.

The cdef declares the Windows typedefs it uses, with the same definitions
cffi itself uses on Windows, so the same C is emitted on every OS: the
Windows lane emits it on Linux and cross-compiles it with MinGW-w64.
Constants are ``...``: the compiler takes their values from the SDK headers.
"""

import cffi

CDEF = r"""
typedef unsigned long DWORD;
typedef unsigned long ULONG;
typedef int BOOL;
typedef unsigned char BYTE;
typedef unsigned long long ULONGLONG;
typedef wchar_t WCHAR;
typedef WCHAR *LPWSTR;
typedef void *LPVOID;
typedef DWORD *LPDWORD;
typedef void *HANDLE;
typedef HANDLE HLOCAL;
typedef HANDLE MIB_SERVER_HANDLE;
typedef unsigned char UCHAR;
typedef unsigned short USHORT;
typedef unsigned long long ULONG64;
typedef BYTE *LPBYTE;
typedef HANDLE RAS_SERVER_HANDLE;
typedef HANDLE MPR_SERVER_HANDLE;

#define PID_IP ...
#define PID_IPX ...
#define IPRTRMGR_PID ...

#define IF_NUMBER ...
#define IF_TABLE ...
#define IF_ROW ...
#define IP_STATS ...
#define IP_ADDRTABLE ...
#define IP_ADDRROW ...
#define IP_FORWARDNUMBER ...
#define IP_FORWARDTABLE ...
#define IP_FORWARDROW ...
#define IP_NETTABLE ...
#define IP_NETROW ...
#define ICMP_STATS ...
#define TCP_STATS ...
#define TCP_TABLE ...
#define TCP_ROW ...
#define UDP_STATS ...
#define UDP_TABLE ...
#define UDP_ROW ...
#define MCAST_MFE ...
#define MCAST_MFE_STATS ...
#define BEST_IF ...
#define BEST_ROUTE ...
#define PROXY_ARP ...
#define MCAST_IF_ENTRY ...
#define MCAST_GLOBAL ...
#define IF_STATUS ...
#define MCAST_BOUNDARY ...
#define MCAST_SCOPE ...
#define DEST_MATCHING ...
#define DEST_LONGER ...
#define DEST_SHORTER ...
#define ROUTE_MATCHING ...
#define ROUTE_LONGER ...
#define ROUTE_SHORTER ...
#define ROUTE_STATE ...
#define MCAST_MFE_STATS_EX ...
#define IP6_STATS ...
#define UDP6_STATS ...
#define TCP6_STATS ...

typedef struct _MIB_OPAQUE_QUERY {
    DWORD dwVarId;
    DWORD rgdwVarIndex[1];
} MIB_OPAQUE_QUERY;

typedef struct _MIB_OPAQUE_INFO {
    DWORD dwId;
    union {
        ULONGLONG ullAlign;
        BYTE rgbyData[1];
    };
} MIB_OPAQUE_INFO;

/* The MIB structures are declared only so that the Windows lane can check
   every field offset of the package's declarations against the compiler's.  "...;" lets
   the SDK's anonymous unions (MIB_IPFORWARDROW, MIB_TCPROW) compile too. */
typedef struct { DWORD dwValue; ...; } MIB_IFNUMBER;
typedef struct { DWORD dwValue; ...; } MIB_IPFORWARDNUMBER;
typedef struct {
    WCHAR wszName[...]; DWORD dwIndex; DWORD dwType; DWORD dwMtu;
    DWORD dwSpeed; DWORD dwPhysAddrLen; BYTE bPhysAddr[...];
    DWORD dwAdminStatus; DWORD dwOperStatus; DWORD dwLastChange;
    DWORD dwInOctets; DWORD dwInUcastPkts; DWORD dwInNUcastPkts;
    DWORD dwInDiscards; DWORD dwInErrors; DWORD dwInUnknownProtos;
    DWORD dwOutOctets; DWORD dwOutUcastPkts; DWORD dwOutNUcastPkts;
    DWORD dwOutDiscards; DWORD dwOutErrors; DWORD dwOutQLen;
    DWORD dwDescrLen; BYTE bDescr[...]; ...;
} MIB_IFROW;
typedef struct {
    DWORD dwAddr; DWORD dwIndex; DWORD dwMask; DWORD dwBCastAddr;
    DWORD dwReasmSize; unsigned short wType; ...;
} MIB_IPADDRROW;
typedef struct {
    DWORD dwForwardDest; DWORD dwForwardMask; DWORD dwForwardPolicy;
    DWORD dwForwardNextHop; DWORD dwForwardIfIndex; DWORD dwForwardType;
    DWORD dwForwardProto; DWORD dwForwardAge; DWORD dwForwardNextHopAS;
    DWORD dwForwardMetric1; DWORD dwForwardMetric2; DWORD dwForwardMetric3;
    DWORD dwForwardMetric4; DWORD dwForwardMetric5; ...;
} MIB_IPFORWARDROW;
typedef struct {
    DWORD dwIndex; DWORD dwPhysAddrLen; BYTE bPhysAddr[...];
    DWORD dwAddr; DWORD dwType; ...;
} MIB_IPNETROW;
typedef struct {
    DWORD dwForwarding; DWORD dwDefaultTTL; DWORD dwInReceives; DWORD dwInHdrErrors;
    DWORD dwInAddrErrors; DWORD dwForwDatagrams; DWORD dwInUnknownProtos; DWORD dwInDiscards;
    DWORD dwInDelivers; DWORD dwOutRequests; DWORD dwRoutingDiscards; DWORD dwOutDiscards;
    DWORD dwOutNoRoutes; DWORD dwReasmTimeout; DWORD dwReasmReqds; DWORD dwReasmOks;
    DWORD dwReasmFails; DWORD dwFragOks; DWORD dwFragFails; DWORD dwFragCreates;
    DWORD dwNumIf; DWORD dwNumAddr; DWORD dwNumRoutes; ...;
} MIB_IPSTATS;
typedef struct {
    DWORD dwMsgs; DWORD dwErrors; DWORD dwDestUnreachs; DWORD dwTimeExcds; DWORD dwParmProbs;
    DWORD dwSrcQuenchs; DWORD dwRedirects; DWORD dwEchos; DWORD dwEchoReps; DWORD dwTimestamps;
    DWORD dwTimestampReps; DWORD dwAddrMasks; DWORD dwAddrMaskReps; ...;
} MIBICMPSTATS;
typedef struct { MIBICMPSTATS icmpInStats; MIBICMPSTATS icmpOutStats; ...; } MIBICMPINFO;
typedef struct { MIBICMPINFO stats; ...; } MIB_ICMP;
typedef struct {
    DWORD dwRtoAlgorithm; DWORD dwRtoMin; DWORD dwRtoMax; DWORD dwMaxConn; DWORD dwActiveOpens;
    DWORD dwPassiveOpens; DWORD dwAttemptFails; DWORD dwEstabResets; DWORD dwCurrEstab;
    DWORD dwInSegs; DWORD dwOutSegs; DWORD dwRetransSegs; DWORD dwInErrs; DWORD dwOutRsts;
    DWORD dwNumConns; ...;
} MIB_TCPSTATS;
typedef struct {
    DWORD dwInDatagrams; DWORD dwNoPorts; DWORD dwInErrors; DWORD dwOutDatagrams;
    DWORD dwNumAddrs; ...;
} MIB_UDPSTATS;
typedef struct {
    DWORD dwState; DWORD dwLocalAddr; DWORD dwLocalPort;
    DWORD dwRemoteAddr; DWORD dwRemotePort; ...;
} MIB_TCPROW;
typedef struct { DWORD dwLocalAddr; DWORD dwLocalPort; ...; } MIB_UDPROW;
typedef struct { DWORD dwDestAddr; DWORD dwIfIndex; ...; } MIB_BEST_IF;
/* MinGW-w64 makes the route part of MIB_IPDESTROW a union (12 bytes in all);
   the SDK and the wire have a whole MIB_IPFORWARDROW (64): see test_sdk_layouts.py. */
typedef struct { DWORD dwForwardPreference; DWORD dwForwardViewSet; ...; } MIB_IPDESTROW;
typedef struct { DWORD dwAddress; DWORD dwMask; DWORD dwIfIndex; ...; } MIB_PROXYARP;
typedef struct {
    DWORD dwIfIndex; DWORD dwAdminStatus; DWORD dwOperationalStatus;
    BOOL bMHbeatActive; BOOL bMHbeatAlive; ...;
} MIB_IFSTATUS;
typedef struct { BOOL bRoutesSetToStack; ...; } MIB_ROUTESTATE;
typedef struct { DWORD dwEnable; ...; } MIB_IPMCAST_GLOBAL;
typedef struct {
    DWORD dwIfIndex; DWORD dwTtl; DWORD dwProtocol; DWORD dwRateLimit;
    ULONG ulInMcastOctets; ULONG ulOutMcastOctets; ...;
} MIB_IPMCAST_IF_ENTRY;
typedef struct {
    DWORD dwIfIndex; DWORD dwGroupAddress; DWORD dwGroupMask; DWORD dwStatus; ...;
} MIB_IPMCAST_BOUNDARY;
typedef struct {
    DWORD dwGroupAddress; DWORD dwGroupMask; WCHAR snNameBuffer[...]; DWORD dwStatus; ...;
} MIB_IPMCAST_SCOPE;
typedef struct {
    DWORD dwOutIfIndex; DWORD dwNextHopAddr; DWORD dwReserved; DWORD dwReserved1; ...;
} MIB_IPMCAST_OIF;
typedef struct {
    DWORD dwOutIfIndex; DWORD dwNextHopAddr; DWORD dwDialContext; ULONG ulTtlTooLow;
    ULONG ulFragNeeded; ULONG ulOutPackets; ULONG ulOutDiscards; ...;
} MIB_IPMCAST_OIF_STATS;
typedef struct {
    DWORD dwGroup; DWORD dwSource; DWORD dwSrcMask; DWORD dwUpStrmNgbr; DWORD dwInIfIndex;
    DWORD dwInIfProtocol; DWORD dwRouteProtocol; DWORD dwRouteNetwork; DWORD dwRouteMask;
    ULONG ulUpTime; ULONG ulExpiryTime; ULONG ulTimeOut; ULONG ulNumOutIf; DWORD fFlags;
    DWORD dwReserved; MIB_IPMCAST_OIF rgmioOutInfo[...]; ...;
} MIB_IPMCAST_MFE;
typedef struct {
    DWORD dwGroup; DWORD dwSource; DWORD dwSrcMask; DWORD dwUpStrmNgbr; DWORD dwInIfIndex;
    DWORD dwInIfProtocol; DWORD dwRouteProtocol; DWORD dwRouteNetwork; DWORD dwRouteMask;
    ULONG ulUpTime; ULONG ulExpiryTime; ULONG ulNumOutIf; ULONG ulInPkts; ULONG ulInOctets;
    ULONG ulPktsDifferentIf; ULONG ulQueueOverflow; MIB_IPMCAST_OIF_STATS rgmiosOutStats[...]; ...;
} MIB_IPMCAST_MFE_STATS;
typedef struct {
    DWORD dwGroup; DWORD dwSource; DWORD dwSrcMask; DWORD dwUpStrmNgbr; DWORD dwInIfIndex;
    DWORD dwInIfProtocol; DWORD dwRouteProtocol; DWORD dwRouteNetwork; DWORD dwRouteMask;
    ULONG ulUpTime; ULONG ulExpiryTime; ULONG ulNumOutIf; ULONG ulInPkts; ULONG ulInOctets;
    ULONG ulPktsDifferentIf; ULONG ulQueueOverflow; ULONG ulUninitMfe; ULONG ulNegativeMfe;
    ULONG ulInDiscards; ULONG ulInHdrErrors; ULONG ulTotalOutPackets;
    MIB_IPMCAST_OIF_STATS rgmiosOutStats[...]; ...;
} MIB_IPMCAST_MFE_STATS_EX;

/* -- the admin half: remote access (RAS) servers --------------------------
   The admin structures, like the MIB ones, are declared for the Windows lane's
   offset checks, with "..." so the compiler lays them out.  MinGW-w64's
   mprapi.h has RAS_CONNECTION_0..3, RAS_CONNECTION_EX, RAS_PORT_0/1 and
   MPR_SERVER_0..2; it lacks RAS_CONNECTION_4, PROJECTION_INFO2 (and its two
   members) and MPR_SERVER_EX1, which SOURCE declares from win32metadata's
   layout where the header is MinGW-w64's.  The enums are "int...": their
   size is the compiler's. */
typedef int... ROUTER_INTERFACE_TYPE;
typedef int... RAS_PORT_CONDITION;
typedef int... RAS_HARDWARE_CONDITION;
typedef int... RAS_QUARANTINE_STATE;
typedef struct { DWORD Data1; unsigned short Data2; unsigned short Data3; unsigned char Data4[8]; } GUID;
typedef struct { DWORD dwLowDateTime; DWORD dwHighDateTime; } FILETIME;
typedef struct { UCHAR revision; UCHAR type; USHORT size; } MPRAPI_OBJECT_HEADER;
typedef MPRAPI_OBJECT_HEADER *PMPRAPI_OBJECT_HEADER;

typedef struct { BOOL fLanOnlyMode; DWORD dwUpTime; DWORD dwTotalPorts; DWORD dwPortsInUse; ...; } MPR_SERVER_0;
typedef struct {
    DWORD dwNumPptpPorts; DWORD dwPptpPortFlags; DWORD dwNumL2tpPorts; DWORD dwL2tpPortFlags; ...;
} MPR_SERVER_1;
typedef struct {
    DWORD dwNumPptpPorts; DWORD dwPptpPortFlags; DWORD dwNumL2tpPorts; DWORD dwL2tpPortFlags;
    DWORD dwNumSstpPorts; DWORD dwSstpPortFlags; ...;
} MPR_SERVER_2;
typedef struct { DWORD dwNumPorts; DWORD dwPortFlags; ...; } IKEV2_CONFIG_PARAMS;
typedef struct { DWORD dwNumPorts; DWORD dwPortFlags; ...; } PPTP_CONFIG_PARAMS;
typedef struct { DWORD dwNumPorts; DWORD dwPortFlags; ...; } L2TP_CONFIG_PARAMS1;
typedef struct { DWORD dwNumPorts; DWORD dwPortFlags; ...; } SSTP_CONFIG_PARAMS;
typedef struct { DWORD dwNumPorts; DWORD dwPortFlags; ...; } GRE_CONFIG_PARAMS0;
typedef struct {
    IKEV2_CONFIG_PARAMS IkeConfigParams; PPTP_CONFIG_PARAMS PptpConfigParams;
    L2TP_CONFIG_PARAMS1 L2tpConfigParams; SSTP_CONFIG_PARAMS SstpConfigParams;
    GRE_CONFIG_PARAMS0 GREConfigParams; ...;
} MPRAPI_TUNNEL_CONFIG_PARAMS1;
typedef struct {
    MPRAPI_OBJECT_HEADER Header; DWORD fLanOnlyMode; DWORD dwUpTime; DWORD dwTotalPorts;
    DWORD dwPortsInUse; DWORD Reserved; MPRAPI_TUNNEL_CONFIG_PARAMS1 ConfigParams; ...;
} MPR_SERVER_EX1;

typedef struct {
    HANDLE hPort; HANDLE hConnection; RAS_PORT_CONDITION dwPortCondition;
    DWORD dwTotalNumberOfCalls; DWORD dwConnectDuration; WCHAR wszPortName[...];
    WCHAR wszMediaName[...]; WCHAR wszDeviceName[...]; WCHAR wszDeviceType[...]; ...;
} RAS_PORT_0;
typedef struct {
    HANDLE hPort; HANDLE hConnection; RAS_HARDWARE_CONDITION dwHardwareCondition;
    DWORD dwLineSpeed; DWORD dwBytesXmited; DWORD dwBytesRcved; DWORD dwFramesXmited;
    DWORD dwFramesRcved; DWORD dwCrcErr; DWORD dwTimeoutErr; DWORD dwAlignmentErr;
    DWORD dwHardwareOverrunErr; DWORD dwFramingErr; DWORD dwBufferOverrunErr;
    DWORD dwCompressionRatioIn; DWORD dwCompressionRatioOut; ...;
} RAS_PORT_1;

typedef struct { DWORD dwError; WCHAR wszAddress[...]; WCHAR wszRemoteAddress[...]; ...; } PPP_IPCP_INFO;
typedef struct {
    DWORD dwError; WCHAR wszAddress[...]; WCHAR wszRemoteAddress[...];
    DWORD dwOptions; DWORD dwRemoteOptions; ...;
} PPP_IPCP_INFO2;
typedef struct { PPP_IPCP_INFO ip; ...; } PPP_INFO;
typedef struct { PPP_IPCP_INFO2 ip; ...; } PPP_INFO_2;
typedef struct { PPP_IPCP_INFO2 ip; ...; } PPP_INFO_3;
typedef struct {
    HANDLE hConnection; HANDLE hInterface; DWORD dwConnectDuration;
    ROUTER_INTERFACE_TYPE dwInterfaceType; DWORD dwConnectionFlags;
    WCHAR wszInterfaceName[...]; WCHAR wszUserName[...]; WCHAR wszLogonDomain[...];
    WCHAR wszRemoteComputer[...]; ...;
} RAS_CONNECTION_0;
typedef struct {
    HANDLE hConnection; HANDLE hInterface; PPP_INFO PppInfo;
    DWORD dwBytesXmited; DWORD dwBytesRcved; DWORD dwFramesXmited; DWORD dwFramesRcved;
    DWORD dwCrcErr; DWORD dwTimeoutErr; DWORD dwAlignmentErr; DWORD dwHardwareOverrunErr;
    DWORD dwFramingErr; DWORD dwBufferOverrunErr; DWORD dwCompressionRatioIn;
    DWORD dwCompressionRatioOut; ...;
} RAS_CONNECTION_1;
typedef struct {
    HANDLE hConnection; WCHAR wszUserName[...]; ROUTER_INTERFACE_TYPE dwInterfaceType;
    GUID guid; PPP_INFO_2 PppInfo2; ...;
} RAS_CONNECTION_2;
typedef struct {
    DWORD dwVersion; DWORD dwSize; HANDLE hConnection; WCHAR wszUserName[...];
    ROUTER_INTERFACE_TYPE dwInterfaceType; GUID guid; PPP_INFO_3 PppInfo3;
    RAS_QUARANTINE_STATE rasQuarState; FILETIME timer; ...;
} RAS_CONNECTION_3;

/* PROJECTION_INFO(2): the union's two members both begin with
   dwIPv4NegotiationError, wszAddress[16], wszRemoteAddress[16]; cffi names
   the union's members directly (it is anonymous in every header). */
typedef struct {
    DWORD dwIPv4NegotiationError; WCHAR wszAddress[...]; WCHAR wszRemoteAddress[...];
    DWORD dwIPv4Options; DWORD dwIPv4RemoteOptions; ULONG64 IPv4SubInterfaceIndex; ...;
} PPP_PROJECTION_INFO;
typedef struct {
    DWORD dwIPv4NegotiationError; WCHAR wszAddress[...]; WCHAR wszRemoteAddress[...];
    ULONG64 IPv4SubInterfaceIndex; ...;
} IKEV2_PROJECTION_INFO;
typedef struct {
    UCHAR projectionInfoType; IKEV2_PROJECTION_INFO Ikev2ProjectionInfo;
    PPP_PROJECTION_INFO PppProjectionInfo; ...;
} PROJECTION_INFO;
typedef struct {
    DWORD dwIPv4NegotiationError; WCHAR wszAddress[...]; WCHAR wszRemoteAddress[...];
    DWORD dwIPv4Options; DWORD dwIPv4RemoteOptions; ULONG64 IPv4SubInterfaceIndex; ...;
} PPP_PROJECTION_INFO2;
typedef struct {
    DWORD dwIPv4NegotiationError; WCHAR wszAddress[...]; WCHAR wszRemoteAddress[...];
    ULONG64 IPv4SubInterfaceIndex; ...;
} IKEV2_PROJECTION_INFO2;
typedef struct {
    UCHAR projectionInfoType; IKEV2_PROJECTION_INFO2 Ikev2ProjectionInfo;
    PPP_PROJECTION_INFO2 PppProjectionInfo; ...;
} PROJECTION_INFO2;
typedef struct {
    MPRAPI_OBJECT_HEADER Header; DWORD dwConnectDuration; ROUTER_INTERFACE_TYPE dwInterfaceType;
    DWORD dwConnectionFlags; WCHAR wszInterfaceName[...]; WCHAR wszUserName[...];
    WCHAR wszLogonDomain[...]; WCHAR wszRemoteComputer[...]; GUID guid;
    RAS_QUARANTINE_STATE rasQuarState; FILETIME probationTime;
    DWORD dwBytesXmited; DWORD dwBytesRcved; DWORD dwFramesXmited; DWORD dwFramesRcved;
    DWORD dwCrcErr; DWORD dwTimeoutErr; DWORD dwAlignmentErr; DWORD dwHardwareOverrunErr;
    DWORD dwFramingErr; DWORD dwBufferOverrunErr; DWORD dwCompressionRatioIn;
    DWORD dwCompressionRatioOut; DWORD dwNumSwitchOvers;
    WCHAR wszRemoteEndpointAddress[...]; WCHAR wszLocalEndpointAddress[...];
    PROJECTION_INFO ProjectionInfo; HANDLE hConnection; HANDLE hInterface; ...;
} RAS_CONNECTION_EX;
typedef RAS_CONNECTION_EX *PRAS_CONNECTION_EX;
typedef struct {
    DWORD dwConnectDuration; ROUTER_INTERFACE_TYPE dwInterfaceType; DWORD dwConnectionFlags;
    WCHAR wszInterfaceName[...]; WCHAR wszUserName[...]; WCHAR wszLogonDomain[...];
    WCHAR wszRemoteComputer[...]; GUID guid; RAS_QUARANTINE_STATE rasQuarState;
    FILETIME probationTime; FILETIME connectionStartTime;
    ULONG64 ullBytesXmited; ULONG64 ullBytesRcved; DWORD dwFramesXmited; DWORD dwFramesRcved;
    DWORD dwCrcErr; DWORD dwTimeoutErr; DWORD dwAlignmentErr; DWORD dwHardwareOverrunErr;
    DWORD dwFramingErr; DWORD dwBufferOverrunErr; DWORD dwCompressionRatioIn;
    DWORD dwCompressionRatioOut; DWORD dwNumSwitchOvers;
    WCHAR wszRemoteEndpointAddress[...]; WCHAR wszLocalEndpointAddress[...];
    PROJECTION_INFO2 ProjectionInfo; HANDLE hConnection; HANDLE hInterface; DWORD dwDeviceType; ...;
} RAS_CONNECTION_4;

#define MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1 ...
#define MPRAPI_MPR_SERVER_OBJECT_REVISION_2 ...
#define MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT ...
#define MPRAPI_OBJECT_TYPE_MPR_SERVER_OBJECT ...

DWORD WINAPI MprAdminServerConnect(LPWSTR lpwsServerName, MPR_SERVER_HANDLE *phMprServer);
void WINAPI MprAdminServerDisconnect(MPR_SERVER_HANDLE hMprServer);
DWORD WINAPI MprAdminServerGetInfo(MPR_SERVER_HANDLE hMprServer, DWORD dwLevel, LPBYTE *lplpbBuffer);
DWORD WINAPI MprAdminConnectionEnum(RAS_SERVER_HANDLE hRasServer, DWORD dwLevel,
    LPBYTE *lplpbBuffer, DWORD dwPrefMaxLen, LPDWORD lpdwEntriesRead,
    LPDWORD lpdwTotalEntries, LPDWORD lpdwResumeHandle);
DWORD WINAPI MprAdminPortEnum(RAS_SERVER_HANDLE hRasServer, DWORD dwLevel, HANDLE hConnection,
    LPBYTE *lplpbBuffer, DWORD dwPrefMaxLen, LPDWORD lpdwEntriesRead,
    LPDWORD lpdwTotalEntries, LPDWORD lpdwResumeHandle);
DWORD WINAPI MprAdminConnectionGetInfo(RAS_SERVER_HANDLE hRasServer, DWORD dwLevel,
    HANDLE hConnection, LPBYTE *lplpbBuffer);
DWORD WINAPI MprAdminPortGetInfo(RAS_SERVER_HANDLE hRasServer, DWORD dwLevel, HANDLE hPort,
    LPBYTE *lplpbBuffer);
DWORD WINAPI MprAdminConnectionClearStats(RAS_SERVER_HANDLE hRasServer, HANDLE hConnection);
DWORD WINAPI MprAdminPortClearStats(RAS_SERVER_HANDLE hRasServer, HANDLE hPort);
DWORD WINAPI MprAdminPortReset(RAS_SERVER_HANDLE hRasServer, HANDLE hPort);
DWORD WINAPI MprAdminPortDisconnect(RAS_SERVER_HANDLE hRasServer, HANDLE hPort);

/* MprAdminConnectionEnumEx and MprAdminServerGetInfoEx are in mprapi.h but
   not in MinGW-w64's import library: looked up at run time as the trap
   functions are (_calls.dll_function), through these pointer types.  The
   second takes the SDK's MPR_SERVER_EX1 (MinGW-w64 declares the older
   MPR_SERVER_EX). */
typedef DWORD (WINAPI *MPRAPI_CONNECTION_ENUM_EX)(RAS_SERVER_HANDLE hRasServer,
    PMPRAPI_OBJECT_HEADER pObjectHeader, DWORD dwPreferedMaxLen, LPDWORD lpdwEntriesRead,
    LPDWORD lpdwTotalEntries, PRAS_CONNECTION_EX *ppRasConn, LPDWORD lpdwResumeHandle);
typedef DWORD (WINAPI *MPRAPI_SERVER_GET_INFO_EX)(MPR_SERVER_HANDLE hMprServer,
    MPR_SERVER_EX1 *pServerInfo);

DWORD WINAPI MprAdminMIBServerConnect(LPWSTR lpwsServerName,
                                      MIB_SERVER_HANDLE *phMibServer);
void WINAPI MprAdminMIBServerDisconnect(MIB_SERVER_HANDLE hMibServer);
DWORD WINAPI MprAdminMIBEntryGet(MIB_SERVER_HANDLE hMibServer,
    DWORD dwProtocolId, DWORD dwRoutingPid, LPVOID lpInEntry,
    DWORD dwInEntrySize, LPVOID *lplpOutEntry, LPDWORD lpOutEntrySize);
DWORD WINAPI MprAdminMIBEntryGetFirst(MIB_SERVER_HANDLE hMibServer,
    DWORD dwProtocolId, DWORD dwRoutingPid, LPVOID lpInEntry,
    DWORD dwInEntrySize, LPVOID *lplpOutEntry, LPDWORD lpOutEntrySize);
DWORD WINAPI MprAdminMIBEntryGetNext(MIB_SERVER_HANDLE hMibServer,
    DWORD dwProtocolId, DWORD dwRoutingPid, LPVOID lpInEntry,
    DWORD dwInEntrySize, LPVOID *lplpOutEntry, LPDWORD lpOutEntrySize);
DWORD WINAPI MprAdminMIBEntrySet(MIB_SERVER_HANDLE hMibServer,
    DWORD dwProtocolId, DWORD dwRoutingPid, LPVOID lpEntry,
    DWORD dwEntrySize);
DWORD WINAPI MprAdminMIBEntryCreate(MIB_SERVER_HANDLE hMibServer,
    DWORD dwPid, DWORD dwRoutingPid, LPVOID lpEntry, DWORD dwEntrySize);
DWORD WINAPI MprAdminMIBEntryDelete(MIB_SERVER_HANDLE hMibServer,
    DWORD dwProtocolId, DWORD dwRoutingPid, LPVOID lpEntry,
    DWORD dwEntrySize);
DWORD WINAPI MprAdminMIBBufferFree(LPVOID pBuffer);
DWORD WINAPI MprAdminGetErrorString(DWORD dwError, LPWSTR *lplpwsErrorString);
DWORD WINAPI MprAdminBufferFree(LPVOID pBuffer);
BOOL WINAPI MprAdminIsServiceRunning(LPWSTR lpwsServerName);
HLOCAL WINAPI LocalFree(HLOCAL hMem);

/* MprAdminMIBGetTrapInfo and MprAdminMIBSetTrapInfo are in mprapi.h but not in
   MinGW-w64's import library for Mprapi.dll, nor in Wine's: naming them here
   would make the extension fail to link, or fail to load where the DLL lacks
   them.  _calls.trap_function looks them up at run time in the Mprapi.dll the
   extension's imports loaded, and casts the address to these pointer types,
   their exact prototypes. */
typedef DWORD (WINAPI *MPRAPI_GET_TRAP_INFO)(MIB_SERVER_HANDLE hMibServer,
    DWORD dwProtocolId, DWORD dwRoutingPid, LPVOID lpInData,
    DWORD dwInDataSize, LPVOID *lplpOutData, LPDWORD lpOutDataSize);
typedef DWORD (WINAPI *MPRAPI_SET_TRAP_INFO)(DWORD dwProtocolId,
    DWORD dwRoutingPid, HANDLE hEvent, LPVOID lpInData, DWORD dwInDataSize,
    LPVOID *lplpOutData, LPDWORD lpOutDataSize);
typedef const WCHAR *LPCWSTR;
typedef const char *LPCSTR;
typedef HANDLE HMODULE;
typedef intptr_t INT_PTR;
typedef INT_PTR (WINAPI *FARPROC)(void);
HMODULE WINAPI GetModuleHandleW(LPCWSTR lpModuleName);
FARPROC WINAPI GetProcAddress(HMODULE hModule, LPCSTR lpProcName);

/* The event a trap subscription owns (mprapi_cffi/traps.py). */
#define WAIT_OBJECT_0 ...
#define WAIT_TIMEOUT ...
#define WAIT_FAILED ...
HANDLE WINAPI CreateEventW(LPVOID lpEventAttributes, BOOL bManualReset,
                           BOOL bInitialState, LPCWSTR lpName);
BOOL WINAPI SetEvent(HANDLE hEvent);
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
BOOL WINAPI CloseHandle(HANDLE hObject);
"""

# No WIN32_LEAN_AND_MEAN: mprapi.h needs wincrypt.h, which it would exclude.
SOURCE = r"""
#include <windows.h>
#ifdef __MINGW32__
/* MinGW-w64's IKEV2_CONFIG_PARAMS is the Windows 7 one; the SDK's, inside
   MPR_SERVER_EX1, holds an IKEV2_TUNNEL_CONFIG_PARAMS4.  MinGW-w64's is
   renamed out of the way and the SDK's declared below under the name. */
#define IKEV2_CONFIG_PARAMS MINGW_IKEV2_CONFIG_PARAMS
#define PIKEV2_CONFIG_PARAMS PMINGW_IKEV2_CONFIG_PARAMS
#endif
#include <mprapi.h>
#include <iprtrmib.h>
#ifdef __MINGW32__
#undef IKEV2_CONFIG_PARAMS
#undef PIKEV2_CONFIG_PARAMS
/* What the Windows SDK's mprapi.h has and MinGW-w64's lacks, as
   win32metadata lays it out (Windows.Win32.NetworkManagement.Rras).  The
   Windows SDK (MSVC builds) declares these itself. */
#define MPRAPI_MPR_SERVER_OBJECT_REVISION_2 0x02
typedef struct _PPP_PROJECTION_INFO2 {
    DWORD dwIPv4NegotiationError;
    WCHAR wszAddress[IPADDRESSLEN + 1];
    WCHAR wszRemoteAddress[IPADDRESSLEN + 1];
    DWORD dwIPv4Options;
    DWORD dwIPv4RemoteOptions;
    ULONG64 IPv4SubInterfaceIndex;
    DWORD dwIPv6NegotiationError;
    BYTE bInterfaceIdentifier[8];
    BYTE bRemoteInterfaceIdentifier[8];
    BYTE bPrefix[8];
    DWORD dwPrefixLength;
    ULONG64 IPv6SubInterfaceIndex;
    DWORD dwLcpError;
    DWORD dwAuthenticationProtocol;
    DWORD dwAuthenticationData;
    DWORD dwRemoteAuthenticationProtocol;
    DWORD dwRemoteAuthenticationData;
    DWORD dwLcpTerminateReason;
    DWORD dwLcpRemoteTerminateReason;
    DWORD dwLcpOptions;
    DWORD dwLcpRemoteOptions;
    DWORD dwEapTypeId;
    DWORD dwEmbeddedEAPTypeId;
    DWORD dwRemoteEapTypeId;
    DWORD dwCcpError;
    DWORD dwCompressionAlgorithm;
    DWORD dwCcpOptions;
    DWORD dwRemoteCompressionAlgorithm;
    DWORD dwCcpRemoteOptions;
} PPP_PROJECTION_INFO2, *PPPP_PROJECTION_INFO2;
typedef struct _IKEV2_PROJECTION_INFO2 {
    DWORD dwIPv4NegotiationError;
    WCHAR wszAddress[IPADDRESSLEN + 1];
    WCHAR wszRemoteAddress[IPADDRESSLEN + 1];
    ULONG64 IPv4SubInterfaceIndex;
    DWORD dwIPv6NegotiationError;
    BYTE bInterfaceIdentifier[8];
    BYTE bRemoteInterfaceIdentifier[8];
    BYTE bPrefix[8];
    DWORD dwPrefixLength;
    ULONG64 IPv6SubInterfaceIndex;
    DWORD dwOptions;
    DWORD dwAuthenticationProtocol;
    DWORD dwEapTypeId;
    DWORD dwEmbeddedEAPTypeId;
    DWORD dwCompressionAlgorithm;
    DWORD dwEncryptionMethod;
} IKEV2_PROJECTION_INFO2, *PIKEV2_PROJECTION_INFO2;
typedef struct _PROJECTION_INFO2 {
    UCHAR projectionInfoType;
    union {
        IKEV2_PROJECTION_INFO2 Ikev2ProjectionInfo;
        PPP_PROJECTION_INFO2 PppProjectionInfo;
    };
} PROJECTION_INFO2, *PPROJECTION_INFO2;
typedef struct _RAS_CONNECTION_4 {
    DWORD dwConnectDuration;
    ROUTER_INTERFACE_TYPE dwInterfaceType;
    DWORD dwConnectionFlags;
    WCHAR wszInterfaceName[MAX_INTERFACE_NAME_LEN + 1];
    WCHAR wszUserName[UNLEN + 1];
    WCHAR wszLogonDomain[DNLEN + 1];
    WCHAR wszRemoteComputer[NETBIOS_NAME_LEN + 1];
    GUID guid;
    RAS_QUARANTINE_STATE rasQuarState;
    FILETIME probationTime;
    FILETIME connectionStartTime;
    ULONG64 ullBytesXmited;
    ULONG64 ullBytesRcved;
    DWORD dwFramesXmited;
    DWORD dwFramesRcved;
    DWORD dwCrcErr;
    DWORD dwTimeoutErr;
    DWORD dwAlignmentErr;
    DWORD dwHardwareOverrunErr;
    DWORD dwFramingErr;
    DWORD dwBufferOverrunErr;
    DWORD dwCompressionRatioIn;
    DWORD dwCompressionRatioOut;
    DWORD dwNumSwitchOvers;
    WCHAR wszRemoteEndpointAddress[MAXIPADRESSLEN + 1];
    WCHAR wszLocalEndpointAddress[MAXIPADRESSLEN + 1];
    PROJECTION_INFO2 ProjectionInfo;
    HANDLE hConnection;
    HANDLE hInterface;
    DWORD dwDeviceType;
} RAS_CONNECTION_4, *PRAS_CONNECTION_4;
typedef struct _ROUTER_CUSTOM_IKEv2_POLICY0 {
    DWORD dwIntegrityMethod;
    DWORD dwEncryptionMethod;
    DWORD dwCipherTransformConstant;
    DWORD dwAuthTransformConstant;
    DWORD dwPfsGroup;
    DWORD dwDhGroup;
} ROUTER_CUSTOM_IKEv2_POLICY0, *PROUTER_CUSTOM_IKEv2_POLICY0;
typedef struct _MPR_CERT_EKU {
    DWORD dwSize;
    BOOL IsEKUOID;
    PWCHAR pwszEKU;
} MPR_CERT_EKU, *PMPR_CERT_EKU;
typedef struct _IKEV2_TUNNEL_CONFIG_PARAMS4 {
    DWORD dwIdleTimeout;
    DWORD dwNetworkBlackoutTime;
    DWORD dwSaLifeTime;
    DWORD dwSaDataSizeForRenegotiation;
    DWORD dwConfigOptions;
    DWORD dwTotalCertificates;
    CERT_NAME_BLOB *certificateNames;
    CERT_NAME_BLOB machineCertificateName;
    DWORD dwEncryptionType;
    PROUTER_CUSTOM_IKEv2_POLICY0 customPolicy;
    DWORD dwTotalEkus;
    PMPR_CERT_EKU certificateEKUs;
    CRYPT_HASH_BLOB machineCertificateHash;
    DWORD dwMmSaLifeTime;
} IKEV2_TUNNEL_CONFIG_PARAMS4, *PIKEV2_TUNNEL_CONFIG_PARAMS4;
typedef struct _IKEV2_CONFIG_PARAMS1 {
    DWORD dwNumPorts;
    DWORD dwPortFlags;
    DWORD dwTunnelConfigParamFlags;
    IKEV2_TUNNEL_CONFIG_PARAMS4 TunnelConfigParams;
} IKEV2_CONFIG_PARAMS, *PIKEV2_CONFIG_PARAMS;
typedef struct _L2TP_TUNNEL_CONFIG_PARAMS2 {
    DWORD dwIdleTimeout;
    DWORD dwEncryptionType;
    DWORD dwSaLifeTime;
    DWORD dwSaDataSizeForRenegotiation;
    PROUTER_CUSTOM_IKEv2_POLICY0 customPolicy;
    DWORD dwMmSaLifeTime;
} L2TP_TUNNEL_CONFIG_PARAMS2, *PL2TP_TUNNEL_CONFIG_PARAMS2;
typedef struct _L2TP_CONFIG_PARAMS1 {
    DWORD dwNumPorts;
    DWORD dwPortFlags;
    DWORD dwTunnelConfigParamFlags;
    L2TP_TUNNEL_CONFIG_PARAMS2 TunnelConfigParams;
} L2TP_CONFIG_PARAMS1, *PL2TP_CONFIG_PARAMS1;
typedef struct _GRE_CONFIG_PARAMS0 {
    DWORD dwNumPorts;
    DWORD dwPortFlags;
} GRE_CONFIG_PARAMS0, *PGRE_CONFIG_PARAMS0;
typedef struct _MPRAPI_TUNNEL_CONFIG_PARAMS1 {
    IKEV2_CONFIG_PARAMS IkeConfigParams;
    PPTP_CONFIG_PARAMS PptpConfigParams;
    L2TP_CONFIG_PARAMS1 L2tpConfigParams;
    SSTP_CONFIG_PARAMS SstpConfigParams;
    GRE_CONFIG_PARAMS0 GREConfigParams;
} MPRAPI_TUNNEL_CONFIG_PARAMS1, *PMPRAPI_TUNNEL_CONFIG_PARAMS1;
typedef struct _MPR_SERVER_EX1 {
    MPRAPI_OBJECT_HEADER Header;
    DWORD fLanOnlyMode;
    DWORD dwUpTime;
    DWORD dwTotalPorts;
    DWORD dwPortsInUse;
    DWORD Reserved;
    MPRAPI_TUNNEL_CONFIG_PARAMS1 ConfigParams;
} MPR_SERVER_EX1, *PMPR_SERVER_EX1;
#endif
"""

ffibuilder = cffi.FFI()
ffibuilder.cdef(CDEF)
ffibuilder.set_source(
    "mprapi_cffi._mprapi",
    SOURCE,
    libraries=["mprapi"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
