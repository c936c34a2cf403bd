/*
 * The admin half of the stand-in router: a remote access (VPN) server's
 * ports and connections, served through MprAdminServerConnect and the
 * MprAdminServerGetInfo / Connection* / Port* calls (MS-RRASM 3.1.4.1 to
 * 3.1.4.9, 3.1.4.45, 3.1.4.46). #included by router.c, so it shares its
 * statics: the lock, the handle and buffer registries, the counters and the
 * per-call path (call_enter_kind, call_wait, call_leave), so that admin calls
 * are delayed, failed and hung by the same per-server rules as MIB calls.
 * tests/router/README.md ("The admin half") describes what it serves.
 */

/* ------------------------------------------------------------------------ */
/* Error codes.                                                             */
/* ------------------------------------------------------------------------ */

#define E_PROC_NOT_FOUND 127             /* ERROR_PROC_NOT_FOUND */
#define E_MORE_DATA 234                  /* ERROR_MORE_DATA */
#define E_INVALID_PORT_HANDLE 601        /* ERROR_INVALID_PORT_HANDLE */
#define E_DDM_NOT_RUNNING 903            /* ERROR_DDM_NOT_RUNNING */
#define E_INTERFACE_NOT_CONNECTED 906    /* ERROR_INTERFACE_NOT_CONNECTED */

/* ------------------------------------------------------------------------ */
/* Structures MinGW-w64's mprapi.h lacks, from win32metadata's declarations */
/* (Windows.Win32.NetworkManagement.Rras). Sizes and offsets are asserted   */
/* below against what win32metadata gives, for x64 and x86.                 */
/* ------------------------------------------------------------------------ */

/* The Windows SDK's mprapi.h has all of these (MSVC builds, tools/build_router.py). */
#ifdef __MINGW32__
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
} PPP_PROJECTION_INFO2;

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
} IKEV2_PROJECTION_INFO2;

typedef struct _PROJECTION_INFO2 {
    UCHAR projectionInfoType; /* 1 PPP, 2 IKEv2 (MPRAPI_PPP_PROJECTION_INFO_TYPE, _IKEV2_) */
    union {
        IKEV2_PROJECTION_INFO2 Ikev2ProjectionInfo;
        PPP_PROJECTION_INFO2 PppProjectionInfo;
    };
} PROJECTION_INFO2;

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
    DWORD dwDeviceType; /* RASDEVICETYPE (MS-RRASM 2.2.1.1.16) */
} RAS_CONNECTION_4;

/* The tunnel settings of MPR_SERVER_EX0/EX1 (win32metadata's newest forms:
 * IKEV2_TUNNEL_CONFIG_PARAMS4, L2TP_CONFIG_PARAMS1; MinGW's older
 * IKEV2_TUNNEL_CONFIG_PARAMS is shorter). The pointers (certificates, custom
 * policies, EKUs) are left NULL by this stand-in. */
typedef struct _SI_IKEV2_TUNNEL_CONFIG_PARAMS4 {
    DWORD dwIdleTimeout;
    DWORD dwNetworkBlackoutTime;
    DWORD dwSaLifeTime;
    DWORD dwSaDataSizeForRenegotiation;
    DWORD dwConfigOptions;
    DWORD dwTotalCertificates;
    CRYPT_INTEGER_BLOB *certificateNames;
    CRYPT_INTEGER_BLOB machineCertificateName;
    DWORD dwEncryptionType;
    void *customPolicy; /* ROUTER_CUSTOM_IKEv2_POLICY0 * */
    DWORD dwTotalEkus;
    void *certificateEKUs; /* MPR_CERT_EKU * */
    CRYPT_INTEGER_BLOB machineCertificateHash;
    DWORD dwMmSaLifeTime;
} SI_IKEV2_TUNNEL_CONFIG_PARAMS4;

typedef struct _SI_IKEV2_CONFIG_PARAMS {
    DWORD dwNumPorts;
    DWORD dwPortFlags;
    DWORD dwTunnelConfigParamFlags;
    SI_IKEV2_TUNNEL_CONFIG_PARAMS4 TunnelConfigParams;
} SI_IKEV2_CONFIG_PARAMS;

typedef struct _SI_L2TP_TUNNEL_CONFIG_PARAMS2 {
    DWORD dwIdleTimeout;
    DWORD dwEncryptionType;
    DWORD dwSaLifeTime;
    DWORD dwSaDataSizeForRenegotiation;
    void *customPolicy; /* ROUTER_CUSTOM_IKEv2_POLICY0 * */
    DWORD dwMmSaLifeTime;
} SI_L2TP_TUNNEL_CONFIG_PARAMS2;

typedef struct _SI_L2TP_CONFIG_PARAMS1 {
    DWORD dwNumPorts;
    DWORD dwPortFlags;
    DWORD dwTunnelConfigParamFlags;
    SI_L2TP_TUNNEL_CONFIG_PARAMS2 TunnelConfigParams;
} SI_L2TP_CONFIG_PARAMS1;

typedef struct _SI_GRE_CONFIG_PARAMS0 {
    DWORD dwNumPorts;
    DWORD dwPortFlags;
} SI_GRE_CONFIG_PARAMS0;

typedef struct _MPRAPI_TUNNEL_CONFIG_PARAMS0 {
    SI_IKEV2_CONFIG_PARAMS IkeConfigParams;
    PPTP_CONFIG_PARAMS PptpConfigParams;
    SI_L2TP_CONFIG_PARAMS1 L2tpConfigParams;
    SSTP_CONFIG_PARAMS SstpConfigParams;
} MPRAPI_TUNNEL_CONFIG_PARAMS0;

typedef struct _MPRAPI_TUNNEL_CONFIG_PARAMS1 {
    SI_IKEV2_CONFIG_PARAMS IkeConfigParams;
    PPTP_CONFIG_PARAMS PptpConfigParams;
    SI_L2TP_CONFIG_PARAMS1 L2tpConfigParams;
    SSTP_CONFIG_PARAMS SstpConfigParams;
    SI_GRE_CONFIG_PARAMS0 GREConfigParams;
} MPRAPI_TUNNEL_CONFIG_PARAMS1;

typedef struct _MPR_SERVER_EX0 {
    MPRAPI_OBJECT_HEADER Header;
    DWORD fLanOnlyMode;
    DWORD dwUpTime;
    DWORD dwTotalPorts;
    DWORD dwPortsInUse;
    DWORD Reserved;
    MPRAPI_TUNNEL_CONFIG_PARAMS0 ConfigParams;
} MPR_SERVER_EX0;

typedef struct _MPR_SERVER_EX1 {
    MPRAPI_OBJECT_HEADER Header;
    DWORD fLanOnlyMode;
    DWORD dwUpTime;
    DWORD dwTotalPorts;
    DWORD dwPortsInUse;
    DWORD Reserved;
    MPRAPI_TUNNEL_CONFIG_PARAMS1 ConfigParams;
} MPR_SERVER_EX1;
#endif /* __MINGW32__ */

#define SI_SERVER_OBJECT_REVISION_1 1 /* MPRAPI_MPR_SERVER_OBJECT_REVISION_1: MPR_SERVER_EX0 */
#define SI_SERVER_OBJECT_REVISION_2 2 /* _2 and _3: MPR_SERVER_EX1 */
#define SI_SERVER_OBJECT_REVISION_3 3

/* A file-scope compile-time check that MSVC's C mode takes too. */
#define SI_CAT2(a, b) a##b
#define SI_CAT(a, b) SI_CAT2(a, b)
#define SI_ASSERT(cond, what) typedef char SI_CAT(si_layout_, __LINE__)[(cond) ? 1 : -1]

/* win32metadata's layouts. x64 (and ARM64, the same rules): */
#ifdef _WIN64
SI_ASSERT(sizeof(RAS_CONNECTION_0) == 1128, "RAS_CONNECTION_0");
SI_ASSERT(sizeof(RAS_CONNECTION_1) == 296, "RAS_CONNECTION_1");
SI_ASSERT(offsetof(RAS_CONNECTION_1, dwBytesXmited) == 248, "RAS_CONNECTION_1 bytes");
SI_ASSERT(sizeof(RAS_CONNECTION_2) == 848, "RAS_CONNECTION_2");
SI_ASSERT(offsetof(RAS_CONNECTION_2, guid) == 528, "RAS_CONNECTION_2 guid");
SI_ASSERT(sizeof(RAS_CONNECTION_3) == 792, "RAS_CONNECTION_3");
SI_ASSERT(offsetof(RAS_CONNECTION_3, rasQuarState) == 780, "RAS_CONNECTION_3 quarantine");
SI_ASSERT(offsetof(RAS_CONNECTION_3, timer) == 784, "RAS_CONNECTION_3 timer");
SI_ASSERT(sizeof(RAS_CONNECTION_4) == 1696, "RAS_CONNECTION_4");
SI_ASSERT(offsetof(RAS_CONNECTION_4, wszUserName) == 526, "RAS_CONNECTION_4 user");
SI_ASSERT(offsetof(RAS_CONNECTION_4, guid) == 1108, "RAS_CONNECTION_4 guid");
SI_ASSERT(offsetof(RAS_CONNECTION_4, probationTime) == 1128, "RAS_CONNECTION_4 probation");
SI_ASSERT(offsetof(RAS_CONNECTION_4, connectionStartTime) == 1136, "RAS_CONNECTION_4 start");
SI_ASSERT(offsetof(RAS_CONNECTION_4, ullBytesXmited) == 1144, "RAS_CONNECTION_4 bytes");
SI_ASSERT(offsetof(RAS_CONNECTION_4, dwNumSwitchOvers) == 1200, "RAS_CONNECTION_4 switch");
SI_ASSERT(offsetof(RAS_CONNECTION_4, wszRemoteEndpointAddress) == 1204, "RAS_CONNECTION_4 remote ep");
SI_ASSERT(offsetof(RAS_CONNECTION_4, wszLocalEndpointAddress) == 1334, "RAS_CONNECTION_4 local ep");
SI_ASSERT(offsetof(RAS_CONNECTION_4, ProjectionInfo) == 1464, "RAS_CONNECTION_4 projection");
SI_ASSERT(offsetof(RAS_CONNECTION_4, hConnection) == 1672, "RAS_CONNECTION_4 hConnection");
SI_ASSERT(offsetof(RAS_CONNECTION_4, hInterface) == 1680, "RAS_CONNECTION_4 hInterface");
SI_ASSERT(offsetof(RAS_CONNECTION_4, dwDeviceType) == 1688, "RAS_CONNECTION_4 device type");
SI_ASSERT(sizeof(RAS_CONNECTION_EX) == 1672, "RAS_CONNECTION_EX");
SI_ASSERT(offsetof(RAS_CONNECTION_EX, probationTime) == 1132, "RAS_CONNECTION_EX probation");
SI_ASSERT(offsetof(RAS_CONNECTION_EX, ProjectionInfo) == 1456, "RAS_CONNECTION_EX projection");
SI_ASSERT(offsetof(RAS_CONNECTION_EX, hConnection) == 1656, "RAS_CONNECTION_EX hConnection");
SI_ASSERT(sizeof(RAS_PORT_0) == 392, "RAS_PORT_0");
SI_ASSERT(offsetof(RAS_PORT_0, wszDeviceName) == 96, "RAS_PORT_0 device name");
SI_ASSERT(offsetof(RAS_PORT_0, wszDeviceType) == 354, "RAS_PORT_0 device type");
SI_ASSERT(sizeof(RAS_PORT_1) == 72, "RAS_PORT_1");
SI_ASSERT(sizeof(PROJECTION_INFO) == 200, "PROJECTION_INFO");
SI_ASSERT(sizeof(PROJECTION_INFO2) == 208, "PROJECTION_INFO2");
SI_ASSERT(sizeof(SI_IKEV2_TUNNEL_CONFIG_PARAMS4) == 104, "IKEV2_TUNNEL_CONFIG_PARAMS4");
SI_ASSERT(offsetof(SI_IKEV2_TUNNEL_CONFIG_PARAMS4, dwMmSaLifeTime) == 96, "IKEV2 params mm");
SI_ASSERT(sizeof(SI_IKEV2_CONFIG_PARAMS) == 120, "IKEV2_CONFIG_PARAMS");
SI_ASSERT(sizeof(SI_L2TP_CONFIG_PARAMS1) == 48, "L2TP_CONFIG_PARAMS1");
SI_ASSERT(sizeof(SSTP_CONFIG_PARAMS) == 40, "SSTP_CONFIG_PARAMS");
SI_ASSERT(sizeof(MPRAPI_TUNNEL_CONFIG_PARAMS0) == 216, "MPRAPI_TUNNEL_CONFIG_PARAMS0");
SI_ASSERT(sizeof(MPRAPI_TUNNEL_CONFIG_PARAMS1) == 224, "MPRAPI_TUNNEL_CONFIG_PARAMS1");
SI_ASSERT(offsetof(MPRAPI_TUNNEL_CONFIG_PARAMS1, SstpConfigParams) == 176, "TUNNEL_CONFIG_PARAMS1 sstp");
SI_ASSERT(offsetof(MPRAPI_TUNNEL_CONFIG_PARAMS1, GREConfigParams) == 216, "TUNNEL_CONFIG_PARAMS1 gre");
SI_ASSERT(sizeof(MPR_SERVER_EX0) == 240, "MPR_SERVER_EX0");
SI_ASSERT(sizeof(MPR_SERVER_EX1) == 248, "MPR_SERVER_EX1");
SI_ASSERT(offsetof(MPR_SERVER_EX1, ConfigParams) == 24, "MPR_SERVER_EX1 params");
#else
/* x86: 4-byte pointers and handles; ULONG64 still 8-aligned (MSVC's rules). */
SI_ASSERT(sizeof(RAS_CONNECTION_0) == 1116, "RAS_CONNECTION_0");
SI_ASSERT(sizeof(RAS_CONNECTION_1) == 288, "RAS_CONNECTION_1");
SI_ASSERT(sizeof(RAS_CONNECTION_2) == 844, "RAS_CONNECTION_2");
SI_ASSERT(sizeof(RAS_CONNECTION_3) == 788, "RAS_CONNECTION_3");
SI_ASSERT(sizeof(RAS_CONNECTION_4) == 1688, "RAS_CONNECTION_4");
SI_ASSERT(offsetof(RAS_CONNECTION_4, ullBytesXmited) == 1144, "RAS_CONNECTION_4 bytes");
SI_ASSERT(offsetof(RAS_CONNECTION_4, ProjectionInfo) == 1464, "RAS_CONNECTION_4 projection");
SI_ASSERT(offsetof(RAS_CONNECTION_4, hConnection) == 1672, "RAS_CONNECTION_4 hConnection");
SI_ASSERT(offsetof(RAS_CONNECTION_4, dwDeviceType) == 1680, "RAS_CONNECTION_4 device type");
SI_ASSERT(sizeof(RAS_CONNECTION_EX) == 1664, "RAS_CONNECTION_EX");
SI_ASSERT(offsetof(RAS_CONNECTION_EX, ProjectionInfo) == 1456, "RAS_CONNECTION_EX projection");
SI_ASSERT(offsetof(RAS_CONNECTION_EX, hConnection) == 1656, "RAS_CONNECTION_EX hConnection");
SI_ASSERT(sizeof(RAS_PORT_0) == 380, "RAS_PORT_0");
SI_ASSERT(sizeof(RAS_PORT_1) == 64, "RAS_PORT_1");
SI_ASSERT(sizeof(PROJECTION_INFO2) == 208, "PROJECTION_INFO2");
SI_ASSERT(sizeof(MPRAPI_TUNNEL_CONFIG_PARAMS1) == 156, "MPRAPI_TUNNEL_CONFIG_PARAMS1");
SI_ASSERT(sizeof(MPR_SERVER_EX0) == 172, "MPR_SERVER_EX0");
SI_ASSERT(sizeof(MPR_SERVER_EX1) == 180, "MPR_SERVER_EX1");
#endif
/* The same on both. */
SI_ASSERT(sizeof(MPR_SERVER_0) == 16 && sizeof(MPR_SERVER_1) == 16 && sizeof(MPR_SERVER_2) == 24,
               "MPR_SERVER_0..2");
SI_ASSERT(sizeof(PPP_PROJECTION_INFO2) == 200 && sizeof(IKEV2_PROJECTION_INFO2) == 144,
               "PPP_/IKEV2_PROJECTION_INFO2");
SI_ASSERT(offsetof(PROJECTION_INFO2, PppProjectionInfo) == 8 &&
                   offsetof(PPP_PROJECTION_INFO2, wszAddress) == 4 &&
                   offsetof(PPP_PROJECTION_INFO2, wszRemoteAddress) == 36 &&
                   offsetof(IKEV2_PROJECTION_INFO2, wszAddress) == 4 &&
                   offsetof(IKEV2_PROJECTION_INFO2, wszRemoteAddress) == 36 &&
                   offsetof(PROJECTION_INFO, PppProjectionInfo) == 8,
               "PROJECTION_INFO(2) addresses");

/* ------------------------------------------------------------------------ */
/* The server's state. Guarded by g_lock.                                   */
/* ------------------------------------------------------------------------ */

enum { TUN_PPTP, TUN_L2TP, TUN_SSTP, TUN_IKEV2, TUN_COUNT };

#define RDT_TUNNEL_CLASS 0x10000u /* RDT_Tunnel */
#define ADMIN_UP_TIME 273661u     /* MPR_SERVER_0.dwUpTime: 3 days, 4:01:01 */
#define ADMIN_LINE_SPEED 100000000u
#define ADMIN_PORT_FLAGS (MPR_ENABLE_RAS_ON_DEVICE | MPR_ENABLE_ROUTING_ON_DEVICE)

static const struct {
    const WCHAR *device, *media, *prefix;
    DWORD rdt, default_ports;
} g_tun[TUN_COUNT] = {
    {L"WAN Miniport (PPTP)", L"rastapi", L"VPN1-", 8, 32},   /* RDT_Tunnel_Pptp */
    {L"WAN Miniport (L2TP)", L"rastapi", L"VPN2-", 9, 64},   /* RDT_Tunnel_L2tp */
    {L"WAN Miniport (SSTP)", L"rassstp", L"SSTP-", 14, 128}, /* RDT_Tunnel_Sstp */
    {L"WAN Miniport (IKEv2)", L"rastapi", L"IKEv2-", 15, 128}, /* RDT_Tunnel_Ikev2 */
};

/* Handle values: distinct classes, never 0, sorted as the arrays are. */
#define PORT_HANDLE(t, i) ((ULONG_PTR)(((DWORD)(t) + 1u) << 24 | ((DWORD)(i) + 1u) << 2))
#define CONN_HANDLE(id) ((ULONG_PTR)(0x80000000u | (DWORD)(id) << 3))
#define IF_HANDLE(id) ((ULONG_PTR)(0x40000000u | (DWORD)(id) << 3))

typedef struct {
    ULONG_PTR handle;
    ULONG_PTR conn; /* the handle of its connection, 0 if none */
    DWORD tunnel, number;
    DWORD condition, total_calls, duration;
    DWORD bytes_x, bytes_r, frames_x, frames_r;
} ADMIN_PORT;

typedef struct {
    RAS_CONNECTION_4 c; /* everything it has, as level 4 gives it */
    DWORD tunnel;
    DWORD port; /* index in g_admin_ports */
} ADMIN_CONN;

static ADMIN_PORT *g_admin_ports;
static DWORD g_admin_nports, g_admin_ports_cap;
static DWORD g_admin_base_ports[TUN_COUNT]; /* router_admin_set_ports */
static DWORD g_admin_tun_ports[TUN_COUNT];  /* as served: at least the base, grown for connections */
static ADMIN_CONN *g_admin_conns;
static DWORD g_admin_nconns, g_admin_conns_cap;
static DWORD g_admin_page_limit;
static DWORD g_admin_max_level;
static BOOL g_admin_lan_only;
static int g_admin_malformed;
static BOOL g_admin_ex_available;
static BOOL g_admin_lenient_levels;
static DWORD g_live_admin_handles;

/* Resume handles the server issued (MS-RRASM 3.1.4.2: the caller passes back
 * exactly the value returned). Each names the enumeration it belongs to (the
 * admin handle, the call, PortEnum's connection) and where it resumes: the
 * handle value of the next entry, so that entries removed meanwhile (a port
 * disconnected) shift nothing. Kept until router_reset, the last
 * RESUME_MAX; values never repeat within a process. */
enum { ENUM_CONN = 1, ENUM_PORT, ENUM_EX };
#define RESUME_MAX 16384u
#define RESUME_BASE 0x10000000u
typedef struct {
    DWORD token;
    int what;
    void *owner;
    ULONG_PTR filter, next;
} RESUME;
static RESUME g_resume[RESUME_MAX];
static DWORD g_resume_seq; /* never reset: tokens from before a reset stay unknown */

/* Lock held. Grows an array of `elem`-byte items to hold n. */
static BOOL admin_reserve(void **arr, DWORD *cap, DWORD n, size_t elem)
{
    DWORD c = *cap ? *cap : 64;
    void *p;
    if (n <= *cap)
        return TRUE;
    while (c < n)
        c *= 2;
    p = realloc(*arr, (size_t)c * elem);
    if (!p)
        return FALSE;
    *arr = p;
    *cap = c;
    return TRUE;
}

static void wcopy(WCHAR *dst, size_t cap, const WCHAR *src)
{
    size_t n = wcslen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n * sizeof(WCHAR));
    dst[n] = 0;
}

static void wformat_u(WCHAR *dst, size_t cap, const WCHAR *prefix, DWORD v)
{
    WCHAR digits[12];
    size_t nd = 0, n;
    do {
        digits[nd++] = (WCHAR)(L'0' + v % 10);
        v /= 10;
    } while (v);
    wcopy(dst, cap, prefix);
    n = wcslen(dst);
    while (nd && n + 1 < cap)
        dst[n++] = digits[--nd];
    dst[n] = 0;
}

/* "a.b.c.d" for a host-order address. */
static void wformat_ip(WCHAR *dst, size_t cap, DWORD host)
{
    WCHAR part[12];
    int i;
    dst[0] = 0;
    for (i = 3; i >= 0; i--) {
        size_t n = wcslen(dst);
        wformat_u(part, 12, i == 3 ? L"" : L".", (host >> (8 * i)) & 0xFF);
        wcopy(dst + n, cap - n, part);
    }
}

static FILETIME filetime_of(ULONG64 v)
{
    FILETIME f;
    f.dwLowDateTime = (DWORD)v;
    f.dwHighDateTime = (DWORD)(v >> 32);
    return f;
}

/* What a connection is made of; conn_fill turns it into RAS_CONNECTION_4. */
typedef struct {
    const WCHAR *user, *domain, *iface, *computer;
    DWORD tunnel, if_type, flags, quarantine, duration;
    DWORD local_ip, remote_ip; /* host order; the PPP/IKEv2 link's addresses */
    const WCHAR *remote_ep, *local_ep;
    ULONG64 bytes_x, bytes_r, start, probation;
    DWORD frames_x, frames_r, crc, timeouts, switch_overs;
} CONN_SPEC;

static void conn_fill(ADMIN_CONN *a, DWORD id, const CONN_SPEC *s)
{
    RAS_CONNECTION_4 *c = &a->c;
    WCHAR *addr, *raddr;
    memset(a, 0, sizeof *a);
    a->tunnel = s->tunnel;
    c->dwConnectDuration = s->duration;
    c->dwInterfaceType = (ROUTER_INTERFACE_TYPE)s->if_type;
    c->dwConnectionFlags = s->flags;
    wcopy(c->wszInterfaceName, MAX_INTERFACE_NAME_LEN + 1, s->iface);
    wcopy(c->wszUserName, UNLEN + 1, s->user);
    wcopy(c->wszLogonDomain, DNLEN + 1, s->domain);
    wcopy(c->wszRemoteComputer, NETBIOS_NAME_LEN + 1, s->computer);
    c->guid.Data1 = 0x5EC0A000u + id;
    c->guid.Data2 = 0x2024;
    c->guid.Data3 = (WORD)(0x4000 | s->tunnel);
    c->guid.Data4[0] = 0x80;
    c->guid.Data4[4] = (BYTE)(id >> 24);
    c->guid.Data4[5] = (BYTE)(id >> 16);
    c->guid.Data4[6] = (BYTE)(id >> 8);
    c->guid.Data4[7] = (BYTE)id;
    c->rasQuarState = (RAS_QUARANTINE_STATE)s->quarantine;
    c->probationTime = filetime_of(s->probation);
    c->connectionStartTime = filetime_of(s->start);
    c->ullBytesXmited = s->bytes_x;
    c->ullBytesRcved = s->bytes_r;
    c->dwFramesXmited = s->frames_x;
    c->dwFramesRcved = s->frames_r;
    c->dwCrcErr = s->crc;
    c->dwTimeoutErr = s->timeouts;
    c->dwNumSwitchOvers = s->switch_overs;
    wcopy(c->wszRemoteEndpointAddress, MAXIPADRESSLEN + 1, s->remote_ep);
    wcopy(c->wszLocalEndpointAddress, MAXIPADRESSLEN + 1, s->local_ep);
    if (s->tunnel == TUN_IKEV2) {
        IKEV2_PROJECTION_INFO2 *p = &c->ProjectionInfo.Ikev2ProjectionInfo;
        c->ProjectionInfo.projectionInfoType = 2; /* MPRAPI_IKEV2_PROJECTION_INFO_TYPE */
        addr = p->wszAddress;
        raddr = p->wszRemoteAddress;
        p->dwAuthenticationProtocol = 2; /* MPRAPI_IKEV2_AUTH_USING_EAP */
        p->dwEapTypeId = 26;             /* EAP-MSCHAPv2 */
        p->dwEncryptionMethod = 3;
    } else {
        PPP_PROJECTION_INFO2 *p = &c->ProjectionInfo.PppProjectionInfo;
        c->ProjectionInfo.projectionInfoType = 1; /* MPRAPI_PPP_PROJECTION_INFO_TYPE */
        addr = p->wszAddress;
        raddr = p->wszRemoteAddress;
        p->dwAuthenticationProtocol = PPP_LCP_CHAP;
        p->dwAuthenticationData = PPP_LCP_CHAP_MSV2;
        p->dwRemoteAuthenticationProtocol = PPP_LCP_CHAP;
        p->dwRemoteAuthenticationData = PPP_LCP_CHAP_MSV2;
        p->dwCompressionAlgorithm = RASCCPCA_MPPC;
        p->dwCcpOptions = PPP_CCP_ENCRYPTION128BIT;
    }
    wformat_ip(addr, IPADDRESSLEN + 1, s->local_ip);
    wformat_ip(raddr, IPADDRESSLEN + 1, s->remote_ip);
    c->hConnection = (HANDLE)CONN_HANDLE(id);
    c->hInterface = (HANDLE)IF_HANDLE(id);
    c->dwDeviceType = RDT_TUNNEL_CLASS | g_tun[s->tunnel].rdt;
}

#define PPP RAS_FLAGS_PPP_CONNECTION
#define IKE RAS_FLAGS_IKEV2_CONNECTION
#define IP4(a, b, c, d) ((DWORD)(a) << 24 | (DWORD)(b) << 16 | (DWORD)(c) << 8 | (DWORD)(d))

/* The default server's six connections (tests/router/README.md lists them). */
static const CONN_SPEC g_default_conns[6] = {
    {L"alice", L"CORP", L"alice", L"ALICE-LAPTOP", TUN_SSTP, ROUTER_IF_TYPE_CLIENT, PPP, 0, 3600,
     IP4(10, 10, 0, 1), IP4(10, 10, 0, 11), L"203.0.113.11", L"198.51.100.1",
     1234567, 7654321, 133590240000000000ULL, 0, 10000, 20000, 0, 0, 0},
    {L"bob", L"CORP", L"bob", L"BOB-PC", TUN_IKEV2, ROUTER_IF_TYPE_CLIENT, IKE, 0, 7200,
     IP4(10, 10, 0, 1), IP4(10, 10, 0, 12), L"203.0.113.12", L"198.51.100.1",
     5000000000ULL, 6442450944ULL, 133590285300000000ULL, 0, 4000000, 5000000, 0, 0, 2},
    {L"carol", L"CORP", L"carol", L"CAROL-PC", TUN_L2TP, ROUTER_IF_TYPE_CLIENT,
     PPP | RAS_FLAGS_QUARANTINE_PRESENT, RAS_QUAR_STATE_PROBATION, 600,
     IP4(10, 10, 0, 1), IP4(10, 10, 0, 13), L"203.0.113.13", L"198.51.100.1",
     52000, 98000, 133591095000000000ULL, 133591320000000000ULL, 400, 700, 1, 2, 0},
    {L"dave", L"CONTOSO", L"dave", L"DAVE-WS", TUN_PPTP, ROUTER_IF_TYPE_CLIENT, PPP, 0, 45,
     IP4(10, 10, 0, 1), IP4(10, 10, 0, 14), L"192.0.2.14", L"198.51.100.1",
     0, 0, 133591248000000000ULL, 0, 0, 0, 0, 0, 0},
    {L"BRANCH-OFFICE-1", L"", L"BRANCH-OFFICE-1", L"", TUN_IKEV2, ROUTER_IF_TYPE_FULL_ROUTER, IKE, 0,
     432000, IP4(10, 20, 0, 1), IP4(10, 20, 0, 2), L"192.0.2.200", L"198.51.100.1",
     987654321, 123456789, 133587360000000000ULL, 0, 900000, 800000, 0, 0, 1},
    {L"zo\x00eb", L"CORP", L"zo\x00eb", L"ZOE-TABLET", TUN_SSTP, ROUTER_IF_TYPE_CLIENT,
     PPP | RAS_FLAGS_DORMANT, 0, 1800, IP4(10, 10, 0, 1), IP4(10, 10, 0, 16), L"2001:db8::16",
     L"2001:db8::1", 4294967295ULL, 4294967296ULL, 133591302050000000ULL, 0, 65536, 65537, 0, 0, 0},
};

/* Lock held (or DllMain). n deterministic connections (README: "Generated
 * connections"); UINT_MAX: the default six. */
static BOOL admin_make_conns(DWORD n)
{
    DWORD i;
    static const DWORD order[4] = {TUN_SSTP, TUN_IKEV2, TUN_L2TP, TUN_PPTP};
    BOOL dflt = n == 0xFFFFFFFFu;
    if (dflt)
        n = 6;
    if (!admin_reserve((void **)&g_admin_conns, &g_admin_conns_cap, n, sizeof(ADMIN_CONN)))
        return FALSE;
    for (i = 0; i < n; i++) {
        if (dflt) {
            conn_fill(&g_admin_conns[i], i + 1, &g_default_conns[i]);
        } else {
            WCHAR user[24], pc[24], ep[24];
            CONN_SPEC s;
            memset(&s, 0, sizeof s);
            wformat_u(user, 24, L"user", i + 1);
            wformat_u(pc, 24, L"PC-", i + 1);
            wformat_ip(ep, 24, IP4(203, 0, 0, 0) + 0x100u + i);
            s.user = user;
            s.domain = L"CORP";
            s.iface = user;
            s.computer = pc;
            s.tunnel = order[i % 4];
            s.if_type = ROUTER_IF_TYPE_CLIENT;
            s.flags = s.tunnel == TUN_IKEV2 ? IKE : PPP;
            s.duration = 60 + i;
            s.local_ip = IP4(10, 127, 255, 254);
            s.remote_ip = IP4(10, 128, 0, 0) + 2 + i;
            s.remote_ep = ep;
            s.local_ep = L"198.51.100.1";
            s.bytes_x = (ULONG64)(i + 1) * 1000003u;
            s.bytes_r = (ULONG64)(i + 1) * 7777777u;
            s.start = 133616736000000000ULL - (ULONG64)(60 + i) * 10000000u;
            s.frames_x = (i + 1) * 1000u;
            s.frames_r = (i + 1) * 5000u;
            conn_fill(&g_admin_conns[i], i + 1, &s);
        }
    }
    g_admin_nconns = n;
    return TRUE;
}

/* Lock held (or DllMain). Lays the ports out again: each tunnel type has its
 * base count, or as many as it has connections if more; every connection
 * takes its type's next port, in order; the rest listen. Port counters are
 * the low 32 bits of their connection's. */
static BOOL admin_place(void)
{
    DWORD t, i, k, need[TUN_COUNT] = {0, 0, 0, 0}, next[TUN_COUNT], total = 0, start[TUN_COUNT];
    for (i = 0; i < g_admin_nconns; i++)
        need[g_admin_conns[i].tunnel]++;
    for (t = 0; t < TUN_COUNT; t++) {
        g_admin_tun_ports[t] = need[t] > g_admin_base_ports[t] ? need[t] : g_admin_base_ports[t];
        start[t] = total;
        next[t] = 0;
        total += g_admin_tun_ports[t];
    }
    if (!admin_reserve((void **)&g_admin_ports, &g_admin_ports_cap, total ? total : 1,
                       sizeof(ADMIN_PORT)))
        return FALSE;
    for (t = 0; t < TUN_COUNT; t++) {
        for (k = 0; k < g_admin_tun_ports[t]; k++) {
            ADMIN_PORT *p = &g_admin_ports[start[t] + k];
            memset(p, 0, sizeof *p);
            p->handle = PORT_HANDLE(t, k);
            p->tunnel = t;
            p->number = k;
            p->condition = RAS_PORT_LISTENING;
        }
    }
    for (i = 0; i < g_admin_nconns; i++) {
        ADMIN_CONN *a = &g_admin_conns[i];
        ADMIN_PORT *p;
        t = a->tunnel;
        a->port = start[t] + next[t]++;
        p = &g_admin_ports[a->port];
        p->conn = (ULONG_PTR)a->c.hConnection;
        p->condition = RAS_PORT_AUTHENTICATED;
        p->total_calls = 1;
        p->duration = a->c.dwConnectDuration;
        p->bytes_x = (DWORD)a->c.ullBytesXmited;
        p->bytes_r = (DWORD)a->c.ullBytesRcved;
        p->frames_x = a->c.dwFramesXmited;
        p->frames_r = a->c.dwFramesRcved;
    }
    g_admin_nports = total;
    return TRUE;
}

/* Lock held (or DllMain). */
static void admin_reset(void)
{
    DWORD t;
    for (t = 0; t < TUN_COUNT; t++)
        g_admin_base_ports[t] = g_tun[t].default_ports;
    g_admin_page_limit = 0;
    g_admin_max_level = 4;
    g_admin_lan_only = FALSE;
    g_admin_malformed = 0;
    g_admin_ex_available = TRUE;
    g_admin_lenient_levels = FALSE;
    g_live_admin_handles = 0; /* reset_state forgot every handle */
    memset(g_resume, 0, sizeof g_resume);
    if (!admin_make_conns(0xFFFFFFFFu) || !admin_place()) {
        free(g_admin_ports);
        g_admin_ports = NULL;
        g_admin_ports_cap = g_admin_nports = 0;
    }
}

/* Lock held. Index of the first connection (port) whose handle is >= h. */
static DWORD conn_lower_bound(ULONG_PTR h)
{
    DWORD lo = 0, hi = g_admin_nconns;
    while (lo < hi) {
        DWORD mid = lo + (hi - lo) / 2;
        if ((ULONG_PTR)g_admin_conns[mid].c.hConnection < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static DWORD port_lower_bound(ULONG_PTR h)
{
    DWORD lo = 0, hi = g_admin_nports;
    while (lo < hi) {
        DWORD mid = lo + (hi - lo) / 2;
        if (g_admin_ports[mid].handle < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Lock held. The connection (port) with handle h, or NULL. */
static ADMIN_CONN *conn_find(HANDLE h)
{
    DWORD i = conn_lower_bound((ULONG_PTR)h);
    return h && i < g_admin_nconns && g_admin_conns[i].c.hConnection == h ? &g_admin_conns[i]
                                                                          : NULL;
}

static ADMIN_PORT *port_find(HANDLE h)
{
    DWORD i = port_lower_bound((ULONG_PTR)h);
    return h && i < g_admin_nports && g_admin_ports[i].handle == (ULONG_PTR)h ? &g_admin_ports[i]
                                                                              : NULL;
}

/* ------------------------------------------------------------------------ */
/* Replies.                                                                 */
/* ------------------------------------------------------------------------ */

/* Malformation 3: a name array with every WCHAR non-zero. */
static void fill_unterminated(WCHAR *s, size_t n, WCHAR c)
{
    size_t i;
    for (i = 0; i < n; i++)
        s[i] = c;
}

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void copy_addresses(WCHAR *addr, WCHAR *raddr, const RAS_CONNECTION_4 *c)
{
    memcpy(addr, c->ProjectionInfo.PppProjectionInfo.wszAddress, (IPADDRESSLEN + 1) * sizeof(WCHAR));
    memcpy(raddr, c->ProjectionInfo.PppProjectionInfo.wszRemoteAddress,
           (IPADDRESSLEN + 1) * sizeof(WCHAR));
}

/* One connection at `level` (0..4) into zeroed memory. */
static void conn_write(BYTE *out, const ADMIN_CONN *a, DWORD level, int malformed)
{
    const RAS_CONNECTION_4 *c = &a->c;
    BOOL strings = malformed == 3, enums = malformed == 4;
    switch (level) {
    case 0: {
        RAS_CONNECTION_0 *r = (RAS_CONNECTION_0 *)out;
        r->hConnection = c->hConnection;
        r->hInterface = c->hInterface;
        r->dwConnectDuration = c->dwConnectDuration;
        r->dwInterfaceType = enums ? (ROUTER_INTERFACE_TYPE)99 : c->dwInterfaceType;
        r->dwConnectionFlags = c->dwConnectionFlags;
        memcpy(r->wszInterfaceName, c->wszInterfaceName, sizeof r->wszInterfaceName);
        memcpy(r->wszUserName, c->wszUserName, sizeof r->wszUserName);
        memcpy(r->wszLogonDomain, c->wszLogonDomain, sizeof r->wszLogonDomain);
        memcpy(r->wszRemoteComputer, c->wszRemoteComputer, sizeof r->wszRemoteComputer);
        if (strings) {
            fill_unterminated(r->wszInterfaceName, ARRAY_LEN(r->wszInterfaceName), L'I');
            fill_unterminated(r->wszUserName, ARRAY_LEN(r->wszUserName), L'U');
        }
        break;
    }
    case 1: {
        RAS_CONNECTION_1 *r = (RAS_CONNECTION_1 *)out;
        r->hConnection = c->hConnection;
        r->hInterface = c->hInterface;
        copy_addresses(r->PppInfo.ip.wszAddress, r->PppInfo.ip.wszRemoteAddress, c);
        r->dwBytesXmited = (DWORD)c->ullBytesXmited;
        r->dwBytesRcved = (DWORD)c->ullBytesRcved;
        r->dwFramesXmited = c->dwFramesXmited;
        r->dwFramesRcved = c->dwFramesRcved;
        r->dwCrcErr = c->dwCrcErr;
        r->dwTimeoutErr = c->dwTimeoutErr;
        r->dwAlignmentErr = c->dwAlignmentErr;
        r->dwHardwareOverrunErr = c->dwHardwareOverrunErr;
        r->dwFramingErr = c->dwFramingErr;
        r->dwBufferOverrunErr = c->dwBufferOverrunErr;
        r->dwCompressionRatioIn = c->dwCompressionRatioIn;
        r->dwCompressionRatioOut = c->dwCompressionRatioOut;
        break;
    }
    case 2: {
        RAS_CONNECTION_2 *r = (RAS_CONNECTION_2 *)out;
        r->hConnection = c->hConnection;
        memcpy(r->wszUserName, c->wszUserName, sizeof r->wszUserName);
        r->dwInterfaceType = enums ? (ROUTER_INTERFACE_TYPE)99 : c->dwInterfaceType;
        r->guid = c->guid;
        copy_addresses(r->PppInfo2.ip.wszAddress, r->PppInfo2.ip.wszRemoteAddress, c);
        if (strings)
            fill_unterminated(r->wszUserName, ARRAY_LEN(r->wszUserName), L'U');
        break;
    }
    case 3: {
        RAS_CONNECTION_3 *r = (RAS_CONNECTION_3 *)out;
        r->dwVersion = 3;
        r->dwSize = sizeof(RAS_CONNECTION_3);
        r->hConnection = c->hConnection;
        memcpy(r->wszUserName, c->wszUserName, sizeof r->wszUserName);
        r->dwInterfaceType = enums ? (ROUTER_INTERFACE_TYPE)99 : c->dwInterfaceType;
        r->guid = c->guid;
        copy_addresses(r->PppInfo3.ip.wszAddress, r->PppInfo3.ip.wszRemoteAddress, c);
        r->rasQuarState = enums ? (RAS_QUARANTINE_STATE)55 : c->rasQuarState;
        r->timer = c->probationTime;
        if (strings)
            fill_unterminated(r->wszUserName, ARRAY_LEN(r->wszUserName), L'U');
        break;
    }
    default: {
        RAS_CONNECTION_4 *r = (RAS_CONNECTION_4 *)out;
        memcpy(r, c, sizeof *r);
        if (enums) {
            r->dwInterfaceType = (ROUTER_INTERFACE_TYPE)99;
            r->rasQuarState = (RAS_QUARANTINE_STATE)55;
        }
        if (strings) {
            fill_unterminated(r->wszInterfaceName, ARRAY_LEN(r->wszInterfaceName), L'I');
            fill_unterminated(r->wszUserName, ARRAY_LEN(r->wszUserName), L'U');
        }
        break;
    }
    }
}

/* One RAS_CONNECTION_EX (MprAdminConnectionEnumEx) into zeroed memory. */
static void conn_write_ex(BYTE *out, const ADMIN_CONN *a, int malformed)
{
    const RAS_CONNECTION_4 *c = &a->c;
    RAS_CONNECTION_EX *r = (RAS_CONNECTION_EX *)out;
    r->Header.revision = MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1;
    r->Header.type = MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT;
    r->Header.size = sizeof(RAS_CONNECTION_EX);
    r->dwConnectDuration = c->dwConnectDuration;
    r->dwInterfaceType = malformed == 4 ? (ROUTER_INTERFACE_TYPE)99 : c->dwInterfaceType;
    r->dwConnectionFlags = c->dwConnectionFlags;
    memcpy(r->wszInterfaceName, c->wszInterfaceName, sizeof r->wszInterfaceName);
    memcpy(r->wszUserName, c->wszUserName, sizeof r->wszUserName);
    memcpy(r->wszLogonDomain, c->wszLogonDomain, sizeof r->wszLogonDomain);
    memcpy(r->wszRemoteComputer, c->wszRemoteComputer, sizeof r->wszRemoteComputer);
    r->guid = c->guid;
    r->rasQuarState = malformed == 4 ? (RAS_QUARANTINE_STATE)55 : c->rasQuarState;
    r->probationTime = c->probationTime;
    r->dwBytesXmited = (DWORD)c->ullBytesXmited;
    r->dwBytesRcved = (DWORD)c->ullBytesRcved;
    r->dwFramesXmited = c->dwFramesXmited;
    r->dwFramesRcved = c->dwFramesRcved;
    r->dwCrcErr = c->dwCrcErr;
    r->dwTimeoutErr = c->dwTimeoutErr;
    r->dwAlignmentErr = c->dwAlignmentErr;
    r->dwHardwareOverrunErr = c->dwHardwareOverrunErr;
    r->dwFramingErr = c->dwFramingErr;
    r->dwBufferOverrunErr = c->dwBufferOverrunErr;
    r->dwCompressionRatioIn = c->dwCompressionRatioIn;
    r->dwCompressionRatioOut = c->dwCompressionRatioOut;
    r->dwNumSwitchOvers = c->dwNumSwitchOvers;
    memcpy(r->wszRemoteEndpointAddress, c->wszRemoteEndpointAddress,
           sizeof r->wszRemoteEndpointAddress);
    memcpy(r->wszLocalEndpointAddress, c->wszLocalEndpointAddress,
           sizeof r->wszLocalEndpointAddress);
    r->ProjectionInfo.projectionInfoType = c->ProjectionInfo.projectionInfoType;
    if (c->ProjectionInfo.projectionInfoType == 2) {
        const IKEV2_PROJECTION_INFO2 *s = &c->ProjectionInfo.Ikev2ProjectionInfo;
        IKEV2_PROJECTION_INFO *d = &r->ProjectionInfo.Ikev2ProjectionInfo;
        memcpy(d->wszAddress, s->wszAddress, sizeof d->wszAddress);
        memcpy(d->wszRemoteAddress, s->wszRemoteAddress, sizeof d->wszRemoteAddress);
        d->dwAuthenticationProtocol = s->dwAuthenticationProtocol;
        d->dwEapTypeId = s->dwEapTypeId;
        d->dwEncryptionMethod = s->dwEncryptionMethod;
    } else {
        const PPP_PROJECTION_INFO2 *s = &c->ProjectionInfo.PppProjectionInfo;
        PPP_PROJECTION_INFO *d = &r->ProjectionInfo.PppProjectionInfo;
        memcpy(d->wszAddress, s->wszAddress, sizeof d->wszAddress);
        memcpy(d->wszRemoteAddress, s->wszRemoteAddress, sizeof d->wszRemoteAddress);
        d->dwAuthenticationProtocol = s->dwAuthenticationProtocol;
        d->dwAuthenticationData = s->dwAuthenticationData;
        d->dwRemoteAuthenticationProtocol = s->dwRemoteAuthenticationProtocol;
        d->dwRemoteAuthenticationData = s->dwRemoteAuthenticationData;
        d->dwCompressionAlgorithm = s->dwCompressionAlgorithm;
        d->dwCcpOptions = s->dwCcpOptions;
    }
    r->hConnection = c->hConnection;
    r->hInterface = c->hInterface;
    if (malformed == 3) {
        fill_unterminated(r->wszInterfaceName, ARRAY_LEN(r->wszInterfaceName), L'I');
        fill_unterminated(r->wszUserName, ARRAY_LEN(r->wszUserName), L'U');
    }
}

/* One port at `level` (0, 1) into zeroed memory. */
static void port_write(BYTE *out, const ADMIN_PORT *p, DWORD level, int malformed)
{
    if (level == 0) {
        RAS_PORT_0 *r = (RAS_PORT_0 *)out;
        r->hPort = (HANDLE)p->handle;
        r->hConnection = (HANDLE)p->conn;
        r->dwPortCondition = malformed == 4 ? (RAS_PORT_CONDITION)77 : (RAS_PORT_CONDITION)p->condition;
        r->dwTotalNumberOfCalls = p->total_calls;
        r->dwConnectDuration = p->duration;
        wformat_u(r->wszPortName, ARRAY_LEN(r->wszPortName), g_tun[p->tunnel].prefix, p->number);
        wcopy(r->wszMediaName, ARRAY_LEN(r->wszMediaName), g_tun[p->tunnel].media);
        wcopy(r->wszDeviceName, ARRAY_LEN(r->wszDeviceName), g_tun[p->tunnel].device);
        wcopy(r->wszDeviceType, ARRAY_LEN(r->wszDeviceType), L"vpn");
        if (malformed == 3) {
            fill_unterminated(r->wszPortName, ARRAY_LEN(r->wszPortName), L'P');
            fill_unterminated(r->wszDeviceName, ARRAY_LEN(r->wszDeviceName), L'D');
        }
    } else {
        RAS_PORT_1 *r = (RAS_PORT_1 *)out;
        r->hPort = (HANDLE)p->handle;
        r->hConnection = (HANDLE)p->conn;
        r->dwHardwareCondition = malformed == 4 ? (RAS_HARDWARE_CONDITION)77 : RAS_HARDWARE_OPERATIONAL;
        r->dwLineSpeed = ADMIN_LINE_SPEED;
        r->dwBytesXmited = p->bytes_x;
        r->dwBytesRcved = p->bytes_r;
        r->dwFramesXmited = p->frames_x;
        r->dwFramesRcved = p->frames_r;
    }
}

static size_t conn_size(DWORD level)
{
    static const size_t sizes[5] = {sizeof(RAS_CONNECTION_0), sizeof(RAS_CONNECTION_1),
                                    sizeof(RAS_CONNECTION_2), sizeof(RAS_CONNECTION_3),
                                    sizeof(RAS_CONNECTION_4)};
    return sizes[level];
}

static size_t port_size(DWORD level)
{
    return level ? sizeof(RAS_PORT_1) : sizeof(RAS_PORT_0);
}

/* A fresh zeroed admin buffer of `size` bytes, registered; NULL if out of
 * memory. */
static BYTE *admin_alloc(size_t size)
{
    BYTE *p = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, size ? size : 1);
    if (p && register_buffer(p, KIND_ADMIN)) {
        HeapFree(GetProcessHeap(), 0, p);
        p = NULL;
    }
    return p;
}

static DWORD ports_in_use(void)
{
    DWORD i, n = 0;
    for (i = 0; i < g_admin_nports; i++)
        n += g_admin_ports[i].conn != 0;
    return n;
}

/* ------------------------------------------------------------------------ */
/* The calls.                                                               */
/* ------------------------------------------------------------------------ */

/* Lock held. The errors every admin call checks first, as the MIB calls do:
 * the injected code, the server's rule, the handle's lazy error. */
static DWORD admin_common(const CALL *c)
{
    if (g_fail_calls)
        return g_fail_calls;
    if (c->fail)
        return c->fail;
    if (c->h->lazy_error)
        return c->h->lazy_error;
    return E_OK;
}

static BOOL out_untouched(void)
{
    BOOL u;
    EnterCriticalSection(&g_lock);
    u = g_out_untouched_on_error;
    LeaveCriticalSection(&g_lock);
    return u;
}

/* Starts an admin call on h: refused (6, admin_bad_handle) unless h is a live
 * admin handle; then the server's hang and delay. */
static DWORD admin_begin(MPR_SERVER_HANDLE h, CALL *c)
{
    DWORD rc = call_enter_kind(h, KIND_ADMIN_HANDLE, NULL, 0, c);
    if (!rc)
        call_wait(c);
    return rc;
}

EXPORT DWORD WINAPI MprAdminServerConnect(LPWSTR lpwsServerName, MPR_SERVER_HANDLE *phMprServer)
{
    ROUTER_HANDLE *h = NULL;
    DWORD rc = E_OK;

    EnterCriticalSection(&g_lock);
    free(g_last_server);
    g_last_server = lpwsServerName ? wstr_copy(lpwsServerName) : NULL;
    if (g_fail_connect) {
        rc = g_fail_connect;
    } else if (!phMprServer) {
        rc = E_INVALID_PARAMETER;
    } else {
        h = calloc(1, sizeof *h);
        if (h)
            h->server = lpwsServerName ? wstr_copy(lpwsServerName) : L"";
        if (!h || !h->server) {
            free(h);
            rc = E_NOT_ENOUGH_MEMORY;
        } else {
            if (lpwsServerName && !wcscmp(lpwsServerName, L"unreachable"))
                h->lazy_error = E_RPC_SERVER_UNAVAILABLE;
            else if (lpwsServerName && !wcscmp(lpwsServerName, L"norras"))
                h->lazy_error = E_RPC_UNKNOWN_IF;
            if (set_add(&g_handles, h, KIND_ADMIN_HANDLE)) {
                g_count.admin_connects++;
                g_live_admin_handles++;
                *phMprServer = h;
            } else {
                if (lpwsServerName)
                    free((void *)h->server);
                free(h);
                rc = E_NOT_ENOUGH_MEMORY;
            }
        }
    }
    if (rc && phMprServer)
        *phMprServer = NULL;
    LeaveCriticalSection(&g_lock);
    return rc;
}

EXPORT VOID WINAPI MprAdminServerDisconnect(MPR_SERVER_HANDLE hMprServer)
{
    EnterCriticalSection(&g_lock);
    if (set_kind(&g_handles, hMprServer) != KIND_ADMIN_HANDLE) {
        /* Unknown, already disconnected, or a MIB handle (which stays live). */
        g_count.admin_bad_handle++;
    } else {
        ROUTER_HANDLE *h = hMprServer;
        if (h->in_flight)
            g_count.disconnect_in_use++;
        else
            g_count.admin_disconnects++;
        set_remove(&g_handles, h);
        g_live_admin_handles--;
        h->next_retired = g_graveyard;
        g_graveyard = h;
    }
    LeaveCriticalSection(&g_lock);
}

/* Malformation 5: the reply goes out with this error (the caller must free
 * the buffer anyway). */
#define MALFORMED_ERROR E_CAN_NOT_COMPLETE

EXPORT DWORD WINAPI MprAdminServerGetInfo(MPR_SERVER_HANDLE hMprServer, DWORD dwLevel,
                                          LPBYTE *lplpbBuffer)
{
    CALL c;
    DWORD rc;
    BYTE *buf = NULL;
    int malformed;

    if (lplpbBuffer && !out_untouched())
        *lplpbBuffer = NULL;
    rc = admin_begin(hMprServer, &c);
    if (rc)
        return rc;
    EnterCriticalSection(&g_lock);
    malformed = g_admin_malformed;
    /* MS-RRASM 3.1.4.1: no RouterType check (a LAN-only router answers,
     * fLanOnlyMode TRUE); NULL out pointer, then the level. */
    if (!(rc = admin_common(&c))) {
        if (!lplpbBuffer)
            rc = E_INVALID_PARAMETER;
        else if (dwLevel > 2)
            rc = E_NOT_SUPPORTED;
    }
    if (!rc) {
        static const size_t sizes[3] = {sizeof(MPR_SERVER_0), sizeof(MPR_SERVER_1),
                                        sizeof(MPR_SERVER_2)};
        buf = admin_alloc(sizes[dwLevel]);
        if (!buf) {
            rc = E_NOT_ENOUGH_MEMORY;
        } else if (dwLevel == 0) {
            MPR_SERVER_0 *s = (MPR_SERVER_0 *)buf;
            s->fLanOnlyMode = g_admin_lan_only;
            s->dwUpTime = ADMIN_UP_TIME;
            s->dwTotalPorts = g_admin_nports;
            s->dwPortsInUse = ports_in_use();
        } else {
            /* MPR_SERVER_1 is MPR_SERVER_2's first half. */
            MPR_SERVER_2 *s = (MPR_SERVER_2 *)buf;
            s->dwNumPptpPorts = g_admin_tun_ports[TUN_PPTP];
            s->dwPptpPortFlags = ADMIN_PORT_FLAGS;
            s->dwNumL2tpPorts = g_admin_tun_ports[TUN_L2TP];
            s->dwL2tpPortFlags = ADMIN_PORT_FLAGS;
            if (dwLevel == 2) {
                s->dwNumSstpPorts = g_admin_tun_ports[TUN_SSTP];
                s->dwSstpPortFlags = ADMIN_PORT_FLAGS;
            }
        }
        if (buf) {
            *lplpbBuffer = buf;
            if (malformed == 5)
                rc = MALFORMED_ERROR;
        }
    }
    LeaveCriticalSection(&g_lock);
    call_leave(&c);
    return rc;
}

/* Is `level` one ConnectionEnum (enumerate) or ConnectionGetInfo serves? */
static BOOL conn_level_ok(DWORD level, BOOL enumerate)
{
    /* MS-RRASM 3.1.4.2 lists 0..4 for the enumeration, 3.1.4.3 0..3 for
     * GetInfo (level 4 there only with router_admin_set_lenient_levels). */
    DWORD top = enumerate || g_admin_lenient_levels ? 4 : 3;
    return level <= top && level <= g_admin_max_level;
}

/* Lock held. The resume handle `token` of this enumeration: 0 and *next 0
 * for the start; 87 if the server never issued it for this enumeration. */
static DWORD resume_lookup(DWORD token, int what, void *owner, ULONG_PTR filter, ULONG_PTR *next)
{
    DWORD seq;
    const RESUME *r;
    *next = 0;
    if (!token)
        return E_OK;
    seq = token - RESUME_BASE;
    if (token < RESUME_BASE || seq == 0 || seq > g_resume_seq || g_resume_seq - seq >= RESUME_MAX)
        return E_INVALID_PARAMETER;
    r = &g_resume[seq % RESUME_MAX];
    if (r->token != token || r->what != what || r->owner != owner || r->filter != filter)
        return E_INVALID_PARAMETER;
    *next = r->next;
    return E_OK;
}

/* Lock held. A new resume handle for this enumeration, resuming at `next`. */
static DWORD resume_issue(int what, void *owner, ULONG_PTR filter, ULONG_PTR next)
{
    RESUME *r;
    DWORD seq = ++g_resume_seq;
    r = &g_resume[seq % RESUME_MAX];
    r->token = RESUME_BASE + seq;
    r->what = what;
    r->owner = owner;
    r->filter = filter;
    r->next = next;
    return r->token;
}

/* The three enumerations' shared body (MS-RRASM 3.1.4.2, 3.1.4.5, 3.1.4.46). */
typedef struct {
    int what;
    DWORD level;
    HANDLE filter; /* PortEnum's hConnection */
    DWORD pref;
    BYTE **out;
    LPDWORD read, total, resume;
} ENUM_REQ;

static DWORD admin_enum(const CALL *c, const ENUM_REQ *q)
{
    DWORD rc, first, remaining, n, i, token;
    ULONG_PTR next, filter = 0;
    size_t size;
    BYTE *buf = NULL;
    int malformed = g_admin_malformed;
    const ADMIN_PORT *only = NULL;
    BOOL all_ports = FALSE;

    if ((rc = admin_common(c)))
        return rc;
    if (g_admin_lan_only)
        return E_DDM_NOT_RUNNING;
    if (!q->out || !q->read || !q->total)
        return E_INVALID_PARAMETER;
    if (q->what == ENUM_CONN && !conn_level_ok(q->level, TRUE))
        return E_NOT_SUPPORTED;
    /* MS-RRASM 3.1.4.5 and the SDK: PortEnum takes level 0 only (1 only with
     * router_admin_set_lenient_levels). */
    if (q->what == ENUM_PORT && q->level > (g_admin_lenient_levels ? 1u : 0u))
        return E_NOT_SUPPORTED;
    if (q->what == ENUM_PORT) {
        /* INVALID_HANDLE_VALUE (as the wire's DWORD 0xFFFFFFFF too): every
         * port; NULL: ERROR_INVALID_HANDLE (the SDK); a connection: its port. */
        filter = (ULONG_PTR)q->filter;
        if (q->filter == INVALID_HANDLE_VALUE || filter == 0xFFFFFFFFu) {
            all_ports = TRUE;
            filter = 0;
        } else if (!q->filter) {
            return E_INVALID_HANDLE;
        } else {
            const ADMIN_CONN *a = conn_find(q->filter);
            if (!a)
                return E_INTERFACE_NOT_CONNECTED;
            only = &g_admin_ports[a->port];
        }
    }
    if ((rc = resume_lookup(q->resume ? *q->resume : 0, q->what, c->h, filter, &next)))
        return rc;

    if (q->what == ENUM_PORT) {
        size = port_size(q->level);
        if (all_ports) {
            first = port_lower_bound(next);
            remaining = g_admin_nports - first;
        } else {
            first = 0;
            remaining = only->handle >= next ? 1 : 0;
        }
    } else {
        size = q->what == ENUM_EX ? sizeof(RAS_CONNECTION_EX) : conn_size(q->level);
        first = conn_lower_bound(next);
        remaining = g_admin_nconns - first;
    }

    if (malformed == 2 && remaining) {
        /* ERROR_MORE_DATA with nothing, and the same resume handle again. */
        *q->read = 0;
        *q->total = remaining;
        if (q->resume)
            *q->resume = *q->resume ? *q->resume
                                    : resume_issue(q->what, c->h, filter,
                                                   q->what == ENUM_PORT
                                                       ? (only ? only->handle
                                                               : g_admin_ports[first].handle)
                                                       : (ULONG_PTR)g_admin_conns[first].c.hConnection);
        return E_MORE_DATA;
    }

    n = remaining;
    if (q->pref != 0xFFFFFFFFu) { /* MAX_PREFERRED_LENGTH: all */
        /* As many whole entries as fit, at least one. */
        DWORD fit = (DWORD)(q->pref / size);
        if (fit < n)
            n = fit ? fit : 1;
    }
    if (g_admin_page_limit && n > g_admin_page_limit)
        n = g_admin_page_limit;

    if (n) {
        buf = admin_alloc(size * n);
        if (!buf)
            return E_NOT_ENOUGH_MEMORY;
        if (q->what == ENUM_PORT && only) {
            port_write(buf, only, q->level, malformed);
        } else {
            for (i = 0; i < n; i++) {
                BYTE *o = buf + size * i;
                if (q->what == ENUM_PORT)
                    port_write(o, &g_admin_ports[first + i], q->level, malformed);
                else if (q->what == ENUM_EX)
                    conn_write_ex(o, &g_admin_conns[first + i], malformed);
                else
                    conn_write(o, &g_admin_conns[first + i], q->level, malformed);
            }
        }
    }
    /* No entries: success, NULL, 0 (an empty array). */
    *q->out = buf;
    *q->read = malformed == 1 && n ? 0x7FFFFFFFu : n;
    *q->total = remaining;
    if (n < remaining) {
        ULONG_PTR at = q->what == ENUM_PORT ? g_admin_ports[first + n].handle
                                            : (ULONG_PTR)g_admin_conns[first + n].c.hConnection;
        token = resume_issue(q->what, c->h, filter, at);
        if (q->resume)
            *q->resume = token;
        rc = E_MORE_DATA;
    } else {
        if (q->resume)
            *q->resume = 0;
        rc = E_OK;
    }
    if (malformed == 5 && buf)
        rc = MALFORMED_ERROR;
    return rc;
}

static DWORD admin_enum_call(MPR_SERVER_HANDLE h, ENUM_REQ *q)
{
    CALL c;
    DWORD rc;
    if (!out_untouched()) {
        if (q->out)
            *q->out = NULL;
        if (q->read)
            *q->read = 0;
        if (q->total)
            *q->total = 0;
    }
    rc = admin_begin(h, &c);
    if (rc)
        return rc;
    EnterCriticalSection(&g_lock);
    rc = admin_enum(&c, q);
    LeaveCriticalSection(&g_lock);
    call_leave(&c);
    return rc;
}

EXPORT DWORD WINAPI MprAdminConnectionEnum(RAS_SERVER_HANDLE hRasServer, DWORD dwLevel,
                                           LPBYTE *lplpbBuffer, DWORD dwPrefMaxLen,
                                           LPDWORD lpdwEntriesRead, LPDWORD lpdwTotalEntries,
                                           LPDWORD lpdwResumeHandle)
{
    ENUM_REQ q = {ENUM_CONN, dwLevel, NULL, dwPrefMaxLen, lplpbBuffer,
                  lpdwEntriesRead, lpdwTotalEntries, lpdwResumeHandle};
    return admin_enum_call(hRasServer, &q);
}

EXPORT DWORD WINAPI MprAdminPortEnum(RAS_SERVER_HANDLE hRasServer, DWORD dwLevel,
                                     HANDLE hConnection, LPBYTE *lplpbBuffer, DWORD dwPrefMaxLen,
                                     LPDWORD lpdwEntriesRead, LPDWORD lpdwTotalEntries,
                                     LPDWORD lpdwResumeHandle)
{
    ENUM_REQ q = {ENUM_PORT, dwLevel, hConnection, dwPrefMaxLen, lplpbBuffer,
                  lpdwEntriesRead, lpdwTotalEntries, lpdwResumeHandle};
    return admin_enum_call(hRasServer, &q);
}

/* GetInfo of one connection or port. */
static DWORD admin_get_info(MPR_SERVER_HANDLE h, BOOL port, DWORD level, HANDLE which,
                            LPBYTE *out)
{
    CALL c;
    DWORD rc;
    BYTE *buf;
    int malformed;

    if (out && !out_untouched())
        *out = NULL;
    rc = admin_begin(h, &c);
    if (rc)
        return rc;
    EnterCriticalSection(&g_lock);
    malformed = g_admin_malformed;
    /* MS-RRASM 3.1.4.3 / 3.1.4.6: RouterType, NULL out pointer, level; then
     * the handle (the server's own validation: 906 for a connection, as the
     * SDK gives for MprAdminConnectionGetInfo; 601 for a port, as the SDK gives
     * for MprAdminPortGetInfo). */
    if ((rc = admin_common(&c))) {
    } else if (g_admin_lan_only) {
        rc = E_DDM_NOT_RUNNING;
    } else if (!out) {
        rc = E_INVALID_PARAMETER;
    } else if (port ? level > 1 : !conn_level_ok(level, FALSE)) {
        rc = E_NOT_SUPPORTED;
    } else if (port) {
        const ADMIN_PORT *p = port_find(which);
        if (!p) {
            rc = E_INVALID_PORT_HANDLE;
        } else if (!(buf = admin_alloc(port_size(level)))) {
            rc = E_NOT_ENOUGH_MEMORY;
        } else {
            port_write(buf, p, level, malformed);
            *out = buf;
            if (malformed == 5)
                rc = MALFORMED_ERROR;
        }
    } else {
        const ADMIN_CONN *a = conn_find(which);
        if (!a) {
            rc = E_INTERFACE_NOT_CONNECTED;
        } else if (!(buf = admin_alloc(conn_size(level)))) {
            rc = E_NOT_ENOUGH_MEMORY;
        } else {
            conn_write(buf, a, level, malformed);
            *out = buf;
            if (malformed == 5)
                rc = MALFORMED_ERROR;
        }
    }
    LeaveCriticalSection(&g_lock);
    call_leave(&c);
    return rc;
}

EXPORT DWORD WINAPI MprAdminConnectionGetInfo(RAS_SERVER_HANDLE hRasServer, DWORD dwLevel,
                                              HANDLE hConnection, LPBYTE *lplpbBuffer)
{
    return admin_get_info(hRasServer, FALSE, dwLevel, hConnection, lplpbBuffer);
}

EXPORT DWORD WINAPI MprAdminPortGetInfo(RAS_SERVER_HANDLE hRasServer, DWORD dwLevel, HANDLE hPort,
                                        LPBYTE *lplpbBuffer)
{
    return admin_get_info(hRasServer, TRUE, dwLevel, hPort, lplpbBuffer);
}

/* Lock held. Zeroes a connection's statistics and its port's (one link per
 * connection: the same numbers). */
static void conn_clear(ADMIN_CONN *a)
{
    ADMIN_PORT *p = &g_admin_ports[a->port];
    RAS_CONNECTION_4 *c = &a->c;
    c->ullBytesXmited = c->ullBytesRcved = 0;
    c->dwFramesXmited = c->dwFramesRcved = c->dwCrcErr = c->dwTimeoutErr = c->dwAlignmentErr = 0;
    c->dwHardwareOverrunErr = c->dwFramingErr = c->dwBufferOverrunErr = 0;
    c->dwCompressionRatioIn = c->dwCompressionRatioOut = 0;
    p->bytes_x = p->bytes_r = p->frames_x = p->frames_r = 0;
}

enum { W_CONN_CLEAR, W_PORT_CLEAR, W_PORT_RESET, W_PORT_DISCONNECT };

/* Lock held. Ends the connection on port p: the connection is gone, the
 * port listens again. */
static void port_hang_up(ADMIN_PORT *p)
{
    ADMIN_CONN *a = conn_find((HANDLE)p->conn);
    if (a) {
        DWORD at = (DWORD)(a - g_admin_conns);
        memmove(a, a + 1, (size_t)(g_admin_nconns - at - 1) * sizeof *a);
        g_admin_nconns--;
    }
    p->conn = 0;
    p->condition = RAS_PORT_LISTENING;
    p->duration = 0;
    p->bytes_x = p->bytes_r = p->frames_x = p->frames_r = 0;
}

static DWORD admin_write(MPR_SERVER_HANDLE h, int what, HANDLE which)
{
    CALL c;
    DWORD rc;

    rc = admin_begin(h, &c);
    if (rc)
        return rc;
    EnterCriticalSection(&g_lock);
    /* Every one checks RouterType first (MS-RRASM 3.1.4.4, .7, .8, .9). */
    if ((rc = admin_common(&c))) {
    } else if (g_admin_lan_only) {
        rc = E_DDM_NOT_RUNNING;
    } else if (what == W_CONN_CLEAR) {
        /* 87 for an unknown connection, as the SDK gives it. */
        ADMIN_CONN *a = conn_find(which);
        if (!a)
            rc = E_INVALID_PARAMETER;
        else
            conn_clear(a);
    } else if (what == W_PORT_RESET) {
        /* MS-RRASM 3.1.4.8: "performs no action and always returns
         * ERROR_SUCCESS"; hPort "is not used". */
    } else {
        ADMIN_PORT *p = port_find(which);
        if (what == W_PORT_CLEAR) {
            /* 601 for an unknown port (ERROR_INVALID_PORT_HANDLE). */
            if (!p) {
                rc = E_INVALID_PORT_HANDLE;
            } else {
                ADMIN_CONN *a = conn_find((HANDLE)p->conn);
                if (a)
                    conn_clear(a);
                p->bytes_x = p->bytes_r = p->frames_x = p->frames_r = 0;
            }
        } else {
            /* MS-RRASM 3.1.4.9: hPort must be a valid port of an active
             * connection, else an error: 87, as the SDK gives it. */
            if (!p || !p->conn)
                rc = E_INVALID_PARAMETER;
            else
                port_hang_up(p);
        }
    }
    LeaveCriticalSection(&g_lock);
    call_leave(&c);
    return rc;
}

EXPORT DWORD WINAPI MprAdminConnectionClearStats(RAS_SERVER_HANDLE hRasServer, HANDLE hConnection)
{
    return admin_write(hRasServer, W_CONN_CLEAR, hConnection);
}

EXPORT DWORD WINAPI MprAdminPortClearStats(RAS_SERVER_HANDLE hRasServer, HANDLE hPort)
{
    return admin_write(hRasServer, W_PORT_CLEAR, hPort);
}

EXPORT DWORD WINAPI MprAdminPortReset(RAS_SERVER_HANDLE hRasServer, HANDLE hPort)
{
    return admin_write(hRasServer, W_PORT_RESET, hPort);
}

EXPORT DWORD WINAPI MprAdminPortDisconnect(RAS_SERVER_HANDLE hRasServer, HANDLE hPort)
{
    return admin_write(hRasServer, W_PORT_DISCONNECT, hPort);
}

/* MprAdminConnectionEnumEx and MprAdminServerGetInfoEx: not in MinGW-w64's
 * import library, so the client binds them at run time; not in the
 * -DROUTER_NO_TRAPS build, which models a Mprapi.dll without them. */
#ifndef ROUTER_NO_TRAPS
/* Lock held. MPR_SERVER_EX1 as this server fills it (the pointers NULL). */
static void server_ex_fill(MPR_SERVER_EX1 *s, BYTE revision)
{
    MPRAPI_TUNNEL_CONFIG_PARAMS1 *p = &s->ConfigParams;
    memset(s, 0, sizeof *s);
    s->Header.revision = revision;
    s->Header.type = MPRAPI_OBJECT_TYPE_MPR_SERVER_OBJECT;
    s->Header.size = revision == SI_SERVER_OBJECT_REVISION_1 ? sizeof(MPR_SERVER_EX0)
                                                             : sizeof(MPR_SERVER_EX1);
    s->fLanOnlyMode = g_admin_lan_only;
    s->dwUpTime = ADMIN_UP_TIME;
    s->dwTotalPorts = g_admin_nports;
    s->dwPortsInUse = ports_in_use();
    p->IkeConfigParams.dwNumPorts = g_admin_tun_ports[TUN_IKEV2];
    p->IkeConfigParams.dwPortFlags = ADMIN_PORT_FLAGS;
    p->IkeConfigParams.TunnelConfigParams.dwIdleTimeout = 300;
    p->IkeConfigParams.TunnelConfigParams.dwNetworkBlackoutTime = 1800;
    p->IkeConfigParams.TunnelConfigParams.dwSaLifeTime = 28800;
    p->IkeConfigParams.TunnelConfigParams.dwSaDataSizeForRenegotiation = 102400;
    p->IkeConfigParams.TunnelConfigParams.dwMmSaLifeTime = 28800;
    p->PptpConfigParams.dwNumPorts = g_admin_tun_ports[TUN_PPTP];
    p->PptpConfigParams.dwPortFlags = ADMIN_PORT_FLAGS;
    p->L2tpConfigParams.dwNumPorts = g_admin_tun_ports[TUN_L2TP];
    p->L2tpConfigParams.dwPortFlags = ADMIN_PORT_FLAGS;
    p->L2tpConfigParams.TunnelConfigParams.dwIdleTimeout = 300;
    p->L2tpConfigParams.TunnelConfigParams.dwSaLifeTime = 28800;
    p->L2tpConfigParams.TunnelConfigParams.dwSaDataSizeForRenegotiation = 102400;
    p->L2tpConfigParams.TunnelConfigParams.dwMmSaLifeTime = 28800;
    p->SstpConfigParams.dwNumPorts = g_admin_tun_ports[TUN_SSTP];
    p->SstpConfigParams.dwPortFlags = ADMIN_PORT_FLAGS;
    p->SstpConfigParams.isUseHttps = TRUE;
    p->SstpConfigParams.certAlgorithm = 0x800C; /* CALG_SHA_256 */
    p->SstpConfigParams.sstpCertDetails.isDefault = TRUE;
    /* GRE: no ports (GREConfigParams zero). */
}

static BOOL ex_available(void)
{
    BOOL on;
    EnterCriticalSection(&g_lock);
    on = g_admin_ex_available;
    LeaveCriticalSection(&g_lock);
    return on;
}

EXPORT DWORD APIENTRY MprAdminConnectionEnumEx(RAS_SERVER_HANDLE hRasServer,
                                               PMPRAPI_OBJECT_HEADER pObjectHeader,
                                               DWORD dwPreferedMaxLen, LPDWORD lpdwEntriesRead,
                                               LPDWORD lpdwTotalEntries,
                                               PRAS_CONNECTION_EX *ppRasConn,
                                               LPDWORD lpdwResumeHandle)
{
    ENUM_REQ q = {ENUM_EX, 0, NULL, dwPreferedMaxLen, (BYTE **)ppRasConn,
                  lpdwEntriesRead, lpdwTotalEntries, lpdwResumeHandle};
    CALL c;
    DWORD rc;

    if (!ex_available())
        return E_PROC_NOT_FOUND;
    if (!out_untouched()) {
        if (ppRasConn)
            *ppRasConn = NULL;
        if (lpdwEntriesRead)
            *lpdwEntriesRead = 0;
        if (lpdwTotalEntries)
            *lpdwTotalEntries = 0;
    }
    rc = admin_begin(hRasServer, &c);
    if (rc)
        return rc;
    EnterCriticalSection(&g_lock);
    /* MS-RRASM 3.1.4.46: RouterType first; the header MUST be revision 1,
     * type RAS_CONNECTION_OBJECT, size sizeof(RAS_CONNECTION_EX): else 87. */
    if ((rc = admin_common(&c))) {
    } else if (g_admin_lan_only) {
        rc = E_DDM_NOT_RUNNING;
    } else if (!pObjectHeader || pObjectHeader->revision != MPRAPI_RAS_CONNECTION_OBJECT_REVISION_1 ||
               pObjectHeader->type != MPRAPI_OBJECT_TYPE_RAS_CONNECTION_OBJECT ||
               pObjectHeader->size != sizeof(RAS_CONNECTION_EX)) {
        rc = E_INVALID_PARAMETER;
    } else {
        rc = admin_enum(&c, &q);
    }
    LeaveCriticalSection(&g_lock);
    call_leave(&c);
    return rc;
}

/* MinGW declares it with its MPR_SERVER_EX; the caller's structure is
 * win32metadata's MPR_SERVER_EX1 (revision 2 or 3) or MPR_SERVER_EX0
 * (revision 1), told apart by its header. */
EXPORT DWORD APIENTRY MprAdminServerGetInfoEx(MPR_SERVER_HANDLE hMprServer,
                                              MPR_SERVER_EX *pServerInfo)
{
    MPR_SERVER_EX1 s;
    MPRAPI_OBJECT_HEADER hdr;
    CALL c;
    DWORD rc;

    if (!ex_available())
        return E_PROC_NOT_FOUND;
    rc = admin_begin(hMprServer, &c);
    if (rc)
        return rc;
    EnterCriticalSection(&g_lock);
    /* MS-RRASM 3.1.4.45: no RouterType check; pServerConfig MUST NOT be NULL. */
    if ((rc = admin_common(&c))) {
    } else if (!pServerInfo) {
        rc = E_INVALID_PARAMETER;
    } else {
        memcpy(&hdr, pServerInfo, sizeof hdr);
        if (hdr.type != MPRAPI_OBJECT_TYPE_MPR_SERVER_OBJECT ||
            !(hdr.revision == SI_SERVER_OBJECT_REVISION_1 ? hdr.size == sizeof(MPR_SERVER_EX0)
              : hdr.revision == SI_SERVER_OBJECT_REVISION_2 ||
                      hdr.revision == SI_SERVER_OBJECT_REVISION_3
                  ? hdr.size == sizeof(MPR_SERVER_EX1)
                  : FALSE)) {
            rc = E_INVALID_PARAMETER;
        } else {
            server_ex_fill(&s, hdr.revision);
            if (hdr.revision == SI_SERVER_OBJECT_REVISION_1) {
                /* EX0 is EX1 without the GRE settings at the end. */
                memcpy(pServerInfo, &s, sizeof(MPR_SERVER_EX0));
            } else {
                memcpy(pServerInfo, &s, sizeof s);
            }
        }
    }
    LeaveCriticalSection(&g_lock);
    call_leave(&c);
    return rc;
}
#endif /* ROUTER_NO_TRAPS */

/* ------------------------------------------------------------------------ */
/* Control exports.                                                         */
/* ------------------------------------------------------------------------ */

/* The base number of ports of each tunnel type (a type with more connections
 * has one port per connection). Returns 0, or -1 if out of memory (nothing
 * changes). */
EXPORT int __cdecl router_admin_set_ports(DWORD pptp, DWORD l2tp, DWORD sstp, DWORD ikev2)
{
    DWORD old[TUN_COUNT];
    int rc = 0;
    EnterCriticalSection(&g_lock);
    memcpy(old, g_admin_base_ports, sizeof old);
    g_admin_base_ports[TUN_PPTP] = pptp;
    g_admin_base_ports[TUN_L2TP] = l2tp;
    g_admin_base_ports[TUN_SSTP] = sstp;
    g_admin_base_ports[TUN_IKEV2] = ikev2;
    if (!admin_place()) {
        memcpy(g_admin_base_ports, old, sizeof old);
        rc = -1;
    }
    LeaveCriticalSection(&g_lock);
    return rc;
}

/* n generated connections in place of the current ones (0xFFFFFFFF: the
 * default six again); the ports are laid out again. Returns 0, or -1 if out
 * of memory. */
EXPORT int __cdecl router_admin_set_connections(DWORD n)
{
    int rc = 0;
    EnterCriticalSection(&g_lock);
    if (!admin_make_conns(n) || !admin_place()) {
        g_admin_nconns = 0;
        admin_place();
        rc = -1;
    }
    LeaveCriticalSection(&g_lock);
    return rc;
}

EXPORT void __cdecl router_admin_set_page_limit(DWORD entries)
{
    EnterCriticalSection(&g_lock);
    g_admin_page_limit = entries;
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_admin_set_max_level(DWORD level)
{
    EnterCriticalSection(&g_lock);
    g_admin_max_level = level;
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_admin_set_lan_only(int on)
{
    EnterCriticalSection(&g_lock);
    g_admin_lan_only = on != 0;
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_admin_set_malformed(int kind)
{
    EnterCriticalSection(&g_lock);
    g_admin_malformed = kind >= 0 && kind <= 5 ? kind : 0;
    LeaveCriticalSection(&g_lock);
}

/* Whether MprAdminConnectionEnumEx and MprAdminServerGetInfoEx answer (else
 * 127, ERROR_PROC_NOT_FOUND, counted nowhere). */
EXPORT void __cdecl router_admin_set_ex_available(int on)
{
    EnterCriticalSection(&g_lock);
    g_admin_ex_available = on != 0;
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_admin_set_lenient_levels(int on)
{
    EnterCriticalSection(&g_lock);
    g_admin_lenient_levels = on != 0;
    LeaveCriticalSection(&g_lock);
}
