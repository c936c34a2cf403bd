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
#include <mprapi.h>
#include <iprtrmib.h>
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
