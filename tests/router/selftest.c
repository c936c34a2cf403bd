/*
 * Self-test of the stand-in router (router.c), run under Wine or Windows.
 *
 * The twelve API functions are imported through MinGW's own import library
 * for Mprapi.dll, exactly as the client extension imports them, so this also
 * proves that the stand-in satisfies those imports. The router_* control
 * exports are looked up at run time: if they are missing, the process got
 * Wine's builtin Mprapi.dll instead of the stand-in. So are the two trap
 * functions, MprAdminMIBGetTrapInfo and MprAdminMIBSetTrapInfo, which
 * MinGW's import library lacks (the client binds them the same way).
 *
 * Build and run (see README.md):
 *   x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Werror -o selftest.exe \
 *       tests/router/selftest.c -lmprapi
 *   WINEDLLOVERRIDES="mprapi=n,b;winedbg.exe=d" wine64 selftest.exe
 */

#include <windows.h>
#include <mprapi.h>
#include <mprerror.h>
#include <iprtrmib.h>

#include <stdio.h>
#include <string.h>

#define IPV4(a, b, c, d) \
    ((DWORD)(a) | ((DWORD)(b) << 8) | ((DWORD)(c) << 16) | ((DWORD)(d) << 24))
#define HDR 8u /* offset of the payload in MIB_OPAQUE_INFO */

static void(__cdecl *router_reset)(void);
static long long(__cdecl *router_counter)(const char *);
static void(__cdecl *router_fail_connect)(DWORD);
static void(__cdecl *router_fail_calls)(DWORD);
static void(__cdecl *router_fail_calls_with_buffer)(DWORD);
static void(__cdecl *router_set_delay_ms)(DWORD);
static void(__cdecl *router_set_service_running)(int);
static int(__cdecl *router_last_server)(WCHAR *, int);
static DWORD(__cdecl *router_last_input)(void *, DWORD);
static void(__cdecl *router_set_bench_routes)(DWORD);
static void(__cdecl *router_set_mode)(int);
static void(__cdecl *router_set_malformed)(int);
static void *(__cdecl *router_alloc_admin_buffer)(DWORD);
static int(__cdecl *router_inject_trap)(const void *, DWORD);
static void *(__cdecl *router_trap_event)(DWORD);
static void(__cdecl *router_set_legacy_route_writes)(int);
static void(__cdecl *router_set_unlisted_writes)(int);
static void(__cdecl *router_set_out_untouched_on_error)(int);
static int(__cdecl *router_set_server)(const WCHAR *, DWORD, DWORD, int);
static void(__cdecl *router_release_hangs)(void);
/* Not in MinGW's import library: looked up at run time, as the client does. */
static DWORD(WINAPI *get_trap_info)(MIB_SERVER_HANDLE, DWORD, DWORD, LPVOID, DWORD, LPVOID *,
                                    LPDWORD);
static DWORD(WINAPI *set_trap_info)(DWORD, DWORD, HANDLE, LPVOID, DWORD, LPVOID *, LPDWORD);

static int g_failures, g_passes;

static void check(int ok, const char *what, int line)
{
    if (ok) {
        g_passes++;
        printf("PASS %s\n", what);
    } else {
        g_failures++;
        printf("FAIL %s (line %d)\n", what, line);
    }
    fflush(stdout);
}

#define CHECK(cond) check(!!(cond), #cond, __LINE__)
#define CHECK_EQ(a, b)                                                             \
    do {                                                                           \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
        if (a_ != b_)                                                              \
            printf("     %s = %llu (0x%llx), expected %llu\n", #a, a_, a_, b_);    \
        check(a_ == b_, #a " == " #b, __LINE__);                                   \
    } while (0)

enum { GET, FIRST, NEXT };

static DWORD mib(int op, MIB_SERVER_HANDLE h, const DWORD *q, DWORD words, BYTE **out,
                 DWORD *size)
{
    LPVOID *o = (LPVOID *)out;
    switch (op) {
    case FIRST:
        return MprAdminMIBEntryGetFirst(h, PID_IP, IPRTRMGR_PID, (LPVOID)q, words * 4, o, size);
    case NEXT:
        return MprAdminMIBEntryGetNext(h, PID_IP, IPRTRMGR_PID, (LPVOID)q, words * 4, o, size);
    default:
        return MprAdminMIBEntryGet(h, PID_IP, IPRTRMGR_PID, (LPVOID)q, words * 4, o, size);
    }
}

static long long C(const char *name) { return router_counter(name); }

static DWORD entries(const BYTE *reply) { return *(const DWORD *)(reply + HDR); }

/* Fetch a table, check its count and exact size, return its entry count. */
/* The IP_FORWARDROW query naming a route: dest, proto, policy, next hop. */
static void route_query(DWORD q[5], const MIB_IPFORWARDROW *f)
{
    q[0] = IP_FORWARDROW;
    q[1] = f->dwForwardDest;
    q[2] = f->dwForwardProto;
    q[3] = f->dwForwardPolicy;
    q[4] = f->dwForwardNextHop;
}

static DWORD table_count(MIB_SERVER_HANDLE h, DWORD var, size_t row_size)
{
    BYTE *r = NULL;
    DWORD size = 0, n = 0, rc = mib(GET, h, &var, 1, &r, &size);
    CHECK_EQ(rc, 0);
    if (!rc && r) {
        n = entries(r);
        CHECK_EQ(((MIB_OPAQUE_INFO *)r)->dwId, var);
        CHECK_EQ(*(DWORD *)(r + 4), 0);
        CHECK_EQ(size, HDR + 4 + n * row_size);
        MprAdminMIBBufferFree(r);
    }
    return n;
}

static MIB_SERVER_HANDLE connect_local(void)
{
    MIB_SERVER_HANDLE h = NULL;
    DWORD rc = MprAdminMIBServerConnect(NULL, &h);
    CHECK_EQ(rc, 0);
    CHECK(h != NULL);
    return h;
}

static int load_controls(void)
{
    HMODULE m = GetModuleHandleW(L"mprapi.dll");
    if (!m)
        return 0;
#define LOAD(name)                                              \
    do {                                                        \
        FARPROC p_ = GetProcAddress(m, #name);                  \
        memcpy(&name, &p_, sizeof p_);                          \
        if (!name) {                                            \
            printf("FAIL control export %s missing\n", #name);  \
            return 0;                                           \
        }                                                       \
    } while (0)
    LOAD(router_reset);
    LOAD(router_counter);
    LOAD(router_fail_connect);
    LOAD(router_fail_calls);
    LOAD(router_fail_calls_with_buffer);
    LOAD(router_set_delay_ms);
    LOAD(router_set_service_running);
    LOAD(router_last_server);
    LOAD(router_last_input);
    LOAD(router_set_bench_routes);
    LOAD(router_set_mode);
    LOAD(router_set_malformed);
    LOAD(router_alloc_admin_buffer);
    LOAD(router_inject_trap);
    LOAD(router_trap_event);
    LOAD(router_set_legacy_route_writes);
    LOAD(router_set_unlisted_writes);
    LOAD(router_set_out_untouched_on_error);
    LOAD(router_set_server);
    LOAD(router_release_hangs);
    {
        FARPROC p_ = GetProcAddress(m, "MprAdminMIBGetTrapInfo");
        memcpy(&get_trap_info, &p_, sizeof p_);
        p_ = GetProcAddress(m, "MprAdminMIBSetTrapInfo");
        memcpy(&set_trap_info, &p_, sizeof p_);
    }
    return 1;
}

static void test_connect(void)
{
    MIB_SERVER_HANDLE a, b = NULL;
    WCHAR name[16];
    BYTE *r = (BYTE *)1;
    DWORD size = 99, q = IF_NUMBER;

    printf("-- connect / disconnect\n");
    router_reset();
    a = connect_local();
    CHECK_EQ(router_last_server(name, 16), -1);
    CHECK_EQ(MprAdminMIBServerConnect(L"srv1", &b), 0);
    CHECK_EQ(router_last_server(name, 16), 4);
    CHECK(!wcscmp(name, L"srv1"));
    CHECK_EQ(router_last_server(name, 3), 4);
    CHECK(!wcscmp(name, L"sr"));
    CHECK(a != b);
    CHECK_EQ(C("connects"), 2);
    CHECK_EQ(C("live_handles"), 2);
    MprAdminMIBServerDisconnect(a);
    MprAdminMIBServerDisconnect(b);
    CHECK_EQ(C("disconnects"), 2);
    CHECK_EQ(C("live_handles"), 0);
    CHECK_EQ(C("bad_handle"), 0);
    MprAdminMIBServerDisconnect(a);
    CHECK_EQ(C("bad_handle"), 1);
    CHECK_EQ(C("disconnects"), 2);
    CHECK_EQ(mib(GET, a, &q, 1, &r, &size), ERROR_INVALID_HANDLE);
    CHECK(r == NULL && size == 0);
    CHECK_EQ(mib(GET, (MIB_SERVER_HANDLE)&q, &q, 1, &r, &size), ERROR_INVALID_HANDLE);
    CHECK_EQ(C("bad_handle"), 3);
    CHECK_EQ(C("calls"), 0);
    CHECK_EQ(C("no_such_counter"), -1);

    printf("-- lazy connection errors\n");
    CHECK_EQ(MprAdminMIBServerConnect(L"unreachable", &a), 0);
    CHECK_EQ(mib(GET, a, &q, 1, &r, &size), 1722);
    CHECK_EQ(MprAdminMIBServerConnect(L"norras", &b), 0);
    CHECK_EQ(mib(GET, b, &q, 1, &r, &size), 1717);
    CHECK_EQ(C("calls"), 2);
    MprAdminMIBServerDisconnect(a);
    MprAdminMIBServerDisconnect(b);
}

static void test_arguments(void)
{
    MIB_SERVER_HANDLE h;
    BYTE *r;
    DWORD size, q[2] = {IF_NUMBER, 0};
    LPVOID *o = (LPVOID *)&r;

    printf("-- argument errors\n");
    router_reset();
    h = connect_local();
    CHECK_EQ(MprAdminMIBEntryGet(h, 0x2B, IPRTRMGR_PID, q, 4, o, &size), 902);
    CHECK_EQ(MprAdminMIBEntryGet(h, PID_IP, 1, q, 4, o, &size), 1003);
    CHECK_EQ(MprAdminMIBEntryGet(h, PID_IP, IPRTRMGR_PID, NULL, 4, o, &size), 87);
    CHECK_EQ(MprAdminMIBEntryGet(h, PID_IP, IPRTRMGR_PID, q, 2, o, &size), 87);
    CHECK_EQ(MprAdminMIBEntryGet(h, PID_IP, IPRTRMGR_PID, q, 6, o, &size), 87);
    q[0] = TCP_ROW;
    CHECK_EQ(MprAdminMIBEntryGet(h, PID_IP, IPRTRMGR_PID, q, 4, o, &size), 87);
    q[0] = 99;
    CHECK_EQ(MprAdminMIBEntryGet(h, PID_IP, IPRTRMGR_PID, q, 4, o, &size), 87);
    q[0] = IF_NUMBER; /* takes no index: one more is the wrong size */
    CHECK_EQ(MprAdminMIBEntryGet(h, PID_IP, IPRTRMGR_PID, q, 8, o, &size), 87);
    CHECK_EQ(MprAdminMIBEntryGet(h, PID_IP, IPRTRMGR_PID, q, 4, o, &size), 0);
    CHECK_EQ(size, HDR + 4);
    MprAdminMIBBufferFree(r);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

static void test_tables(void)
{
    MIB_SERVER_HANDLE h;
    BYTE *r;
    DWORD size, q;

    printf("-- tables and statistics\n");
    router_reset();
    h = connect_local();
    CHECK_EQ(table_count(h, IF_TABLE, sizeof(MIB_IFROW)), 3);
    CHECK_EQ(table_count(h, IP_ADDRTABLE, sizeof(MIB_IPADDRROW)), 3);
    CHECK_EQ(table_count(h, IP_FORWARDTABLE, sizeof(MIB_IPFORWARDROW)), 4);
    CHECK_EQ(table_count(h, IP_NETTABLE, sizeof(MIB_IPNETROW)), 2);
    CHECK_EQ(table_count(h, TCP_TABLE, sizeof(MIB_TCPROW)), 2);
    CHECK_EQ(table_count(h, UDP_TABLE, sizeof(MIB_UDPROW)), 2);

    q = IF_NUMBER;
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_IFNUMBER));
    CHECK_EQ(((MIB_IFNUMBER *)(r + HDR))->dwValue, 3);
    MprAdminMIBBufferFree(r);
    q = IP_FORWARDNUMBER;
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    CHECK_EQ(((MIB_IPFORWARDNUMBER *)(r + HDR))->dwValue, 4);
    MprAdminMIBBufferFree(r);

    q = IF_TABLE;
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    {
        MIB_IFROW *f = (MIB_IFROW *)(r + HDR + 4);
        static const BYTE eth[6] = {0x00, 0x15, 0x5d, 0x01, 0x02, 0x03};
        CHECK_EQ(f[0].dwIndex, 1);
        CHECK(!wcscmp(f[0].wszName, L"Loopback Pseudo-Interface 1"));
        CHECK_EQ(f[0].dwType, 24);
        CHECK_EQ(f[0].dwSpeed, 1073741824);
        CHECK_EQ(f[0].dwLastChange, 100);
        CHECK_EQ(f[0].dwDescrLen, strlen("Software Loopback Interface 1") + 1);
        CHECK_EQ(f[1].dwIndex, 3);
        CHECK_EQ(f[1].dwPhysAddrLen, 6);
        CHECK(!memcmp(f[1].bPhysAddr, eth, 6));
        CHECK_EQ(f[1].dwInOctets, 1000001);
        CHECK_EQ(f[1].dwOutQLen, 12);
        CHECK(!strcmp((char *)f[1].bDescr, "Intel(R) Ethernet Connection I219-V"));
        CHECK_EQ(f[2].dwIndex, 7);
        CHECK(!wcscmp(f[2].wszName, L"Wide Area Link \u00fc\u2260"));
        CHECK_EQ(f[2].dwAdminStatus, 2);
        CHECK_EQ(f[2].dwOperStatus, 0);
        CHECK_EQ(f[2].dwMtu, 1400);
    }
    MprAdminMIBBufferFree(r);

    q = TCP_TABLE;
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    {
        MIB_TCPROW *t = (MIB_TCPROW *)(r + HDR + 4);
        CHECK_EQ(t[0].dwLocalPort, 0xABCD8700u); /* 135 in network order */
        CHECK_EQ(t[1].dwState, 5);
        CHECK_EQ(t[1].dwRemoteAddr, IPV4(93, 184, 216, 34));
        CHECK_EQ(t[1].dwRemotePort & 0xFFFF, 0xBB01u); /* 443 */
    }
    MprAdminMIBBufferFree(r);

    q = IP_STATS;
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_IPSTATS));
    {
        MIB_IPSTATS *s = (MIB_IPSTATS *)(r + HDR);
        CHECK_EQ(s->dwForwarding, 1);
        CHECK_EQ(s->dwDefaultTTL, 128);
        CHECK_EQ(s->dwInReceives, 1000);
        CHECK_EQ(s->dwFragCreates, 1017);
        CHECK_EQ(s->dwNumIf, 3);
        CHECK_EQ(s->dwNumRoutes, 4);
    }
    MprAdminMIBBufferFree(r);
    q = ICMP_STATS;
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_ICMP));
    CHECK_EQ(((MIB_ICMP *)(r + HDR))->stats.icmpInStats.dwMsgs, 2000);
    CHECK_EQ(((MIB_ICMP *)(r + HDR))->stats.icmpOutStats.dwAddrMaskReps, 3012);
    MprAdminMIBBufferFree(r);
    q = TCP_STATS;
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    CHECK_EQ(((MIB_TCPSTATS *)(r + HDR))->dwMaxConn, 0xFFFFFFFFu);
    CHECK_EQ(((MIB_TCPSTATS *)(r + HDR))->dwActiveOpens, 4000);
    CHECK_EQ(((MIB_TCPSTATS *)(r + HDR))->dwOutRsts, 4009);
    CHECK_EQ(((MIB_TCPSTATS *)(r + HDR))->dwNumConns, 2);
    MprAdminMIBBufferFree(r);
    q = UDP_STATS;
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_UDPSTATS));
    CHECK_EQ(((MIB_UDPSTATS *)(r + HDR))->dwOutDatagrams, 5003);
    CHECK_EQ(((MIB_UDPSTATS *)(r + HDR))->dwNumAddrs, 2);
    MprAdminMIBBufferFree(r);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

static void test_rows(void)
{
    MIB_SERVER_HANDLE h;
    BYTE *r;
    DWORD size, q[5];
    int i;

    printf("-- row access\n");
    router_reset();
    h = connect_local();
    q[0] = IF_ROW;
    q[1] = 3;
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_IFROW));
    CHECK(!wcscmp(((MIB_IFROW *)(r + HDR))->wszName, L"Ethernet"));
    MprAdminMIBBufferFree(r);
    q[1] = 4;
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 1413);
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 87);
    CHECK_EQ(mib(FIRST, h, q, 1, &r, &size), 0);
    CHECK_EQ(((MIB_IFROW *)(r + HDR))->dwIndex, 1);
    MprAdminMIBBufferFree(r);
    q[1] = 2; /* not present: next is the first strictly greater */
    CHECK_EQ(mib(NEXT, h, q, 2, &r, &size), 0);
    CHECK_EQ(((MIB_IFROW *)(r + HDR))->dwIndex, 3);
    MprAdminMIBBufferFree(r);
    q[1] = 3;
    CHECK_EQ(mib(NEXT, h, q, 2, &r, &size), 0);
    CHECK_EQ(((MIB_IFROW *)(r + HDR))->dwIndex, 7);
    MprAdminMIBBufferFree(r);
    q[1] = 7;
    CHECK_EQ(mib(NEXT, h, q, 2, &r, &size), 259);
    CHECK_EQ(mib(NEXT, h, q, 1, &r, &size), 87);
    q[0] = IF_TABLE;
    CHECK_EQ(mib(FIRST, h, q, 1, &r, &size), 87);
    CHECK_EQ(mib(NEXT, h, q, 2, &r, &size), 87);

    /* Address walk in natural IP order. */
    {
        static const DWORD want[3] = {IPV4(10, 20, 30, 40), IPV4(127, 0, 0, 1),
                                      IPV4(192, 168, 1, 10)};
        q[0] = IP_ADDRROW;
        CHECK_EQ(mib(FIRST, h, q, 1, &r, &size), 0);
        for (i = 0; i < 3; i++) {
            MIB_IPADDRROW *a = (MIB_IPADDRROW *)(r + HDR);
            CHECK_EQ(a->dwAddr, want[i]);
            q[1] = a->dwAddr;
            MprAdminMIBBufferFree(r);
            CHECK_EQ(mib(NEXT, h, q, 2, &r, &size), i < 2 ? 0 : 259);
        }
        q[1] = IPV4(127, 0, 0, 1);
        CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0);
        CHECK_EQ(((MIB_IPADDRROW *)(r + HDR))->dwReasmSize, 65535);
        MprAdminMIBBufferFree(r);
    }

    /* ARP row by (interface, address). */
    q[0] = IP_NETROW;
    q[1] = 3;
    q[2] = IPV4(192, 168, 1, 254);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(((MIB_IPNETROW *)(r + HDR))->dwType, 4);
    CHECK_EQ(((MIB_IPNETROW *)(r + HDR))->bPhysAddr[5], 0xfe);
    MprAdminMIBBufferFree(r);
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 87);

    /* Route walk and exact get. */
    {
        static const DWORD dests[4] = {IPV4(0, 0, 0, 0), IPV4(10, 0, 0, 0),
                                       IPV4(127, 0, 0, 0), IPV4(192, 168, 1, 0)};
        q[0] = IP_FORWARDROW;
        CHECK_EQ(mib(FIRST, h, q, 1, &r, &size), 0);
        for (i = 0; i < 4; i++) {
            MIB_IPFORWARDROW *f = (MIB_IPFORWARDROW *)(r + HDR);
            CHECK_EQ(f->dwForwardDest, dests[i]);
            route_query(q, f);
            MprAdminMIBBufferFree(r);
            CHECK_EQ(mib(NEXT, h, q, 5, &r, &size), i < 3 ? 0 : 259);
        }
        q[1] = IPV4(10, 0, 0, 0);
        q[2] = 8;
        q[3] = 0;
        q[4] = IPV4(192, 168, 1, 254);
        CHECK_EQ(mib(GET, h, q, 5, &r, &size), 0);
        CHECK_EQ(((MIB_IPFORWARDROW *)(r + HDR))->dwForwardNextHopAS, 65001);
        CHECK_EQ(((MIB_IPFORWARDROW *)(r + HDR))->dwForwardMetric5, 6);
        MprAdminMIBBufferFree(r);
        q[2] = 3;
        CHECK_EQ(mib(GET, h, q, 5, &r, &size), 1413);
        CHECK_EQ(mib(GET, h, q, 4, &r, &size), 87);
    }
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* The SDK's MIB_IPDESTROW (MinGW-w64 declares a 12-byte union instead). */
typedef struct {
    MIB_IPFORWARDROW route;
    DWORD preference, view_set;
} DEST_ROW;

/* A route write in MS-RRASM's form (3.1.4.27..29): Create (0) and Set (1)
 * send MIB_OPAQUE_INFO {ROUTE_MATCHING, pad, MIB_IPDESTROW} (72 bytes),
 * Delete (2) the query {ROUTE_MATCHING, dest, mask, if index, next hop,
 * proto} (24 bytes); size_adjust bytes fewer. */
static DWORD route_write(int what, MIB_SERVER_HANDLE h, const MIB_IPFORWARDROW *row,
                         DWORD preference, DWORD view_set, DWORD size_adjust)
{
    BYTE in[HDR + sizeof(DEST_ROW)];
    DEST_ROW d;
    DWORD q[6];
    memset(in, 0, sizeof in);
    *(DWORD *)in = ROUTE_MATCHING;
    d.route = *row;
    d.preference = preference;
    d.view_set = view_set;
    memcpy(in + HDR, &d, sizeof d);
    q[0] = ROUTE_MATCHING;
    q[1] = row->dwForwardDest;
    q[2] = row->dwForwardMask;
    q[3] = row->dwForwardIfIndex;
    q[4] = row->dwForwardNextHop;
    q[5] = row->dwForwardProto;
    switch (what) {
    case 0:
        return MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, sizeof in - size_adjust);
    case 1:
        return MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in - size_adjust);
    default:
        return MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, sizeof q - size_adjust);
    }
}

static DWORD route_change(int what, MIB_SERVER_HANDLE h, const MIB_IPFORWARDROW *row,
                          DWORD size_adjust)
{
    return route_write(what, h, row, 3, 3, size_adjust);
}

/* The older form, taken only with router_set_legacy_route_writes(1):
 * {IP_FORWARDROW, pad, MIB_IPFORWARDROW} (64 bytes); Delete by the
 * IP_FORWARDROW index (20 bytes). */
static DWORD legacy_route_change(int what, MIB_SERVER_HANDLE h, const MIB_IPFORWARDROW *row)
{
    BYTE in[HDR + sizeof(MIB_IPFORWARDROW)];
    DWORD q[5];
    memset(in, 0, sizeof in);
    *(DWORD *)in = IP_FORWARDROW;
    memcpy(in + HDR, row, sizeof *row);
    route_query(q, row);
    switch (what) {
    case 0:
        return MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, sizeof in);
    case 1:
        return MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in);
    default:
        return MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, sizeof q);
    }
}

static void test_changes(void)
{
    MIB_SERVER_HANDLE h;
    MIB_IPFORWARDROW row, all[4];
    BYTE *r, last[64];
    DWORD size, q[5] = {IP_FORWARDROW, 0, 0, 0, 0};
    int i;

    printf("-- create / set / delete\n");
    router_reset();
    router_set_legacy_route_writes(0);
    h = connect_local();
    memset(&row, 0, sizeof row);
    row.dwForwardDest = IPV4(172, 16, 0, 0);
    row.dwForwardMask = IPV4(255, 240, 0, 0);
    row.dwForwardNextHop = IPV4(192, 168, 1, 1);
    row.dwForwardIfIndex = 3;
    row.dwForwardType = 4;
    row.dwForwardProto = 3;
    row.dwForwardMetric1 = 10;
    CHECK_EQ(route_change(0, h, &row, 0), 0);
    CHECK_EQ(route_change(0, h, &row, 0), 183);
    CHECK_EQ(route_change(0, h, &row, 4), 87);
    CHECK_EQ(table_count(h, IP_FORWARDTABLE, sizeof(MIB_IPFORWARDROW)), 5);
    q[0] = IP_FORWARDTABLE;
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(((MIB_IPFORWARDROW *)(r + HDR + 4))[3].dwForwardDest, IPV4(172, 16, 0, 0));
    MprAdminMIBBufferFree(r);
    q[0] = IP_FORWARDROW;

    row.dwForwardMetric1 = 77;
    CHECK_EQ(route_change(1, h, &row, 0), 0);
    q[1] = row.dwForwardDest;
    q[2] = row.dwForwardProto;
    q[4] = row.dwForwardNextHop;
    CHECK_EQ(mib(GET, h, q, 5, &r, &size), 0);
    CHECK_EQ(((MIB_IPFORWARDROW *)(r + HDR))->dwForwardMetric1, 77);
    MprAdminMIBBufferFree(r);

    CHECK_EQ(route_change(1, h, &row, 4), 87);
    CHECK_EQ(route_change(2, h, &row, 4), 87);
    CHECK_EQ(route_change(2, h, &row, 0), 0);
    CHECK_EQ(router_last_input(last, sizeof last), 24);
    CHECK_EQ(((DWORD *)last)[0], ROUTE_MATCHING);
    CHECK_EQ(((DWORD *)last)[2], IPV4(255, 240, 0, 0));
    CHECK_EQ(route_change(2, h, &row, 0), 1413);
    CHECK_EQ(route_change(1, h, &row, 0), 1413);
    {
        BYTE bad[HDR + sizeof(MIB_IPFORWARDROW)];
        memset(bad, 0, sizeof bad);
        *(DWORD *)bad = IP_ADDRROW; /* read-only */
        CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, bad, sizeof bad), 50);
        CHECK_EQ(router_last_input(last, 4), sizeof bad);
        CHECK_EQ(*(DWORD *)last, IP_ADDRROW);
        CHECK_EQ(MprAdminMIBEntryCreate(h, 0x2B, IPRTRMGR_PID, bad, sizeof bad), 902);
    }

    /* Empty the table: GetFirst then says ERROR_NO_DATA. */
    q[0] = IP_FORWARDTABLE;
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    memcpy(all, r + HDR + 4, sizeof all);
    MprAdminMIBBufferFree(r);
    for (i = 0; i < 4; i++)
        CHECK_EQ(route_change(2, h, &all[i], 0), 0);
    q[0] = IP_FORWARDROW;
    CHECK_EQ(mib(FIRST, h, q, 1, &r, &size), 232);
    CHECK_EQ(table_count(h, IP_FORWARDTABLE, sizeof(MIB_IPFORWARDROW)), 0);

    /* The table grows without a fixed limit, and stays sorted. */
    for (i = 1000; i > 0; i--) {
        row.dwForwardDest = IPV4(10, 1, i >> 8, i & 0xFF);
        if (route_change(0, h, &row, 0))
            break;
    }
    CHECK_EQ(i, 0);
    CHECK_EQ(table_count(h, IP_FORWARDTABLE, sizeof(MIB_IPFORWARDROW)), 1000);
    CHECK_EQ(mib(FIRST, h, q, 1, &r, &size), 0);
    CHECK_EQ(((MIB_IPFORWARDROW *)(r + HDR))->dwForwardDest, IPV4(10, 1, 0, 1));
    MprAdminMIBBufferFree(r);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* The forms MS-RRASM gives and nothing else; the older form behind its
 * switch; routes that differ only in mask or interface; IP_STATS Set. */
static void test_spec_writes(void)
{
    MIB_SERVER_HANDLE h;
    MIB_IPFORWARDROW row, wide;
    BYTE *r;
    DWORD size, q[6], in[2 + 23];
    DEST_ROW *d;

    printf("-- writes in MS-RRASM's form\n");
    router_reset();
    router_set_legacy_route_writes(0);
    h = connect_local();
    memset(&row, 0, sizeof row);
    row.dwForwardDest = IPV4(172, 16, 0, 0);
    row.dwForwardMask = IPV4(255, 255, 0, 0);
    row.dwForwardNextHop = IPV4(192, 168, 1, 1);
    row.dwForwardIfIndex = 3;
    row.dwForwardType = 4;
    row.dwForwardProto = 3;
    row.dwForwardMetric1 = 10;

    /* The older form: 87 with the switch off, taken with it on. */
    CHECK_EQ(legacy_route_change(0, h, &row), 87);
    CHECK_EQ(legacy_route_change(1, h, &row), 87);
    CHECK_EQ(legacy_route_change(2, h, &row), 87);
    CHECK_EQ(table_count(h, IP_FORWARDTABLE, sizeof(MIB_IPFORWARDROW)), 4);
    router_set_legacy_route_writes(1);
    CHECK_EQ(legacy_route_change(0, h, &row), 0);
    CHECK_EQ(legacy_route_change(1, h, &row), 0);
    CHECK_EQ(legacy_route_change(2, h, &row), 0);
    CHECK_EQ(legacy_route_change(2, h, &row), 1413);
    router_set_legacy_route_writes(0);

    /* Create and Set give the route policy 0, metrics 4 and 5 unused and
     * preference 0x7F whatever was sent (3.1.4.27, 3.1.4.29); the view set
     * is kept. */
    row.dwForwardPolicy = 5;
    row.dwForwardMetric4 = 4;
    row.dwForwardMetric5 = 5;
    CHECK_EQ(route_write(0, h, &row, 42, 2, 0), 0);
    q[0] = ROUTE_MATCHING;
    q[1] = row.dwForwardDest;
    q[2] = row.dwForwardMask;
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(size, HDR + 4 + sizeof(DEST_ROW));
    d = (DEST_ROW *)(r + HDR + 4);
    CHECK_EQ(d->preference, 0x7F);
    CHECK_EQ(d->view_set, 2);
    CHECK_EQ(d->route.dwForwardMetric1, 10);
    CHECK_EQ(d->route.dwForwardPolicy, 0);
    CHECK_EQ(d->route.dwForwardMetric4, 0xFFFFFFFFu);
    CHECK_EQ(d->route.dwForwardMetric5, 0xFFFFFFFFu);
    MprAdminMIBBufferFree(r);
    row.dwForwardMetric1 = 20;
    CHECK_EQ(route_write(1, h, &row, 7, 1, 0), 0);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    d = (DEST_ROW *)(r + HDR + 4);
    CHECK_EQ(d->preference, 0x7F);
    CHECK_EQ(d->view_set, 1);
    CHECK_EQ(d->route.dwForwardMetric1, 20);
    CHECK_EQ(d->route.dwForwardPolicy, 0);
    CHECK_EQ(d->route.dwForwardMetric5, 0xFFFFFFFFu);
    MprAdminMIBBufferFree(r);
    row.dwForwardPolicy = 0;
    row.dwForwardMetric4 = row.dwForwardMetric5 = 0;

    /* Same dest, next hop and proto, another mask; then another interface:
     * each delete takes exactly the one it names. */
    wide = row;
    wide.dwForwardMask = IPV4(255, 240, 0, 0);
    CHECK_EQ(route_change(0, h, &wide, 0), 0);
    wide.dwForwardIfIndex = 7;
    CHECK_EQ(route_change(0, h, &wide, 0), 0);
    CHECK_EQ(route_change(0, h, &wide, 0), 183);
    CHECK_EQ(table_count(h, IP_FORWARDTABLE, sizeof(MIB_IPFORWARDROW)), 7);
    CHECK_EQ(route_change(2, h, &row, 0), 0);
    CHECK_EQ(route_change(2, h, &row, 0), 1413);
    CHECK_EQ(route_change(1, h, &row, 0), 1413);
    CHECK_EQ(table_count(h, IP_FORWARDTABLE, sizeof(MIB_IPFORWARDROW)), 6);
    CHECK_EQ(route_change(2, h, &wide, 0), 0);
    wide.dwForwardIfIndex = 3;
    CHECK_EQ(route_change(2, h, &wide, 0), 0);
    CHECK_EQ(table_count(h, IP_FORWARDTABLE, sizeof(MIB_IPFORWARDROW)), 4);

    /* IP_STATS: Set only, 100 bytes; forwarding and TTL, 0xFFFFFFFF keeps. */
    memset(in, 0xFF, sizeof in);
    in[0] = IP_STATS;
    in[1] = 0;
    in[2] = 2;       /* dwForwarding: not forwarding */
    in[3] = 0xFFFFFFFFu;
    in[4] = 12345;   /* a counter: ignored */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 0);
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in - 4), 87);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 87);
    in[2] = 0xFFFFFFFFu;
    in[3] = 64;
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 0);
    in[3] = 256;
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 87);
    in[3] = 0xFFFFFFFFu;
    in[2] = 0;
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 87);
    q[0] = IP_STATS;
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(((MIB_IPSTATS *)(r + HDR))->dwForwarding, 2);
    CHECK_EQ(((MIB_IPSTATS *)(r + HDR))->dwDefaultTTL, 64);
    CHECK_EQ(((MIB_IPSTATS *)(r + HDR))->dwInReceives, 1000);
    MprAdminMIBBufferFree(r);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
    router_reset();
}

/* ARP entries: IP_NETROW Create and Set (the SDK's whole MIB_IPNETROW, 32
 * bytes), IP_NETTABLE Delete (MS-RRASM 3.1.4.28: {if index, addr}, 12
 * bytes); an interface's admin status: IF_ROW Set (3.1.4.29, 868 bytes). */
static void test_arp_and_admin_writes(void)
{
    MIB_SERVER_HANDLE h;
    BYTE *r, in[8 + sizeof(MIB_IPNETROW)], ifin[8 + sizeof(MIB_IFROW)];
    MIB_IPNETROW row;
    MIB_IFROW ifrow;
    DWORD size, q[3];

    printf("-- ARP entries and admin status\n");
    router_reset();
    h = connect_local();
    router_set_unlisted_writes(1); /* IP_NETROW Create/Set: the SDK's form */
    memset(&row, 0, sizeof row);
    row.dwIndex = 3;
    row.dwPhysAddrLen = 6;
    memcpy(row.bPhysAddr, "\x02\x00\x5e\x10\x20\x30", 6);
    row.dwAddr = IPV4(192, 168, 1, 77);
    row.dwType = 4;
    memset(in, 0, sizeof in);
    *(DWORD *)in = IP_NETROW;
    memcpy(in + 8, &row, sizeof row);

    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 0);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 183);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, sizeof in - 4), 87);
    CHECK_EQ(table_count(h, IP_NETTABLE, sizeof(MIB_IPNETROW)), 3);
    q[0] = IP_NETROW;
    q[1] = 3;
    q[2] = row.dwAddr;
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK(!memcmp(r + HDR, &row, sizeof row));
    MprAdminMIBBufferFree(r);

    /* Set replaces the physical address and type of the entry it names. */
    ((MIB_IPNETROW *)(in + 8))->bPhysAddr[5] = 0x31;
    ((MIB_IPNETROW *)(in + 8))->dwType = 3;
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 0);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(((MIB_IPNETROW *)(r + HDR))->bPhysAddr[5], 0x31);
    CHECK_EQ(((MIB_IPNETROW *)(r + HDR))->dwType, 3);
    MprAdminMIBBufferFree(r);
    ((MIB_IPNETROW *)(in + 8))->dwType = 5;
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 87);
    ((MIB_IPNETROW *)(in + 8))->dwType = 4;
    ((MIB_IPNETROW *)(in + 8))->dwPhysAddrLen = 9;
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 87);
    ((MIB_IPNETROW *)(in + 8))->dwPhysAddrLen = 6;
    ((MIB_IPNETROW *)(in + 8))->dwAddr = IPV4(192, 168, 1, 78);
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 1413);
    ((MIB_IPNETROW *)(in + 8))->dwIndex = 99;
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 1413);

    /* Not listed in 3.1.4.27/29: 87 with the switch off, and after a reset. */
    router_set_unlisted_writes(0);
    ((MIB_IPNETROW *)(in + 8))->dwIndex = 3;
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 87);
    ((MIB_IPNETROW *)(in + 8))->dwAddr = IPV4(192, 168, 1, 79);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, sizeof in), 87);
    CHECK_EQ(table_count(h, IP_NETTABLE, sizeof(MIB_IPNETROW)), 3);

    /* Delete: only {IP_NETTABLE, if index, addr}; IP_NETROW's key is 87. */
    q[0] = IP_NETROW;
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, sizeof q), 87);
    q[0] = IP_NETTABLE;
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, sizeof q - 4), 87);
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, sizeof q), 0);
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, sizeof q), 1413);
    CHECK_EQ(table_count(h, IP_NETTABLE, sizeof(MIB_IPNETROW)), 2);

    /* IF_ROW Set: admin status only, up or down; IF_STATUS follows. */
    memset(&ifrow, 0, sizeof ifrow);
    ifrow.dwIndex = 3;
    ifrow.dwAdminStatus = 2;
    ifrow.dwMtu = 9000; /* not writable: ignored */
    memset(ifin, 0, sizeof ifin);
    *(DWORD *)ifin = IF_ROW;
    memcpy(ifin + 8, &ifrow, sizeof ifrow);
    CHECK_EQ(sizeof ifin, 868);
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, ifin, sizeof ifin), 0);
    q[0] = IF_ROW;
    q[1] = 3;
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0);
    CHECK_EQ(((MIB_IFROW *)(r + HDR))->dwAdminStatus, 2);
    CHECK_EQ(((MIB_IFROW *)(r + HDR))->dwMtu, 1500);
    MprAdminMIBBufferFree(r);
    q[0] = IF_STATUS;
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0);
    CHECK_EQ(((MIB_IFSTATUS *)(r + HDR))->dwAdminStatus, 2);
    MprAdminMIBBufferFree(r);
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, ifin, sizeof ifin - 4), 87);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, ifin, sizeof ifin), 87);
    ((MIB_IFROW *)(ifin + 8))->dwAdminStatus = 3; /* testing: not settable */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, ifin, sizeof ifin), 87);
    ((MIB_IFROW *)(ifin + 8))->dwAdminStatus = 1;
    ((MIB_IFROW *)(ifin + 8))->dwIndex = 99;
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, ifin, sizeof ifin), 1413);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
    router_reset();
}

static void test_buffers(void)
{
    MIB_SERVER_HANDLE h;
    BYTE *r, *a;
    DWORD size, q = IF_NUMBER;
    int local;

    printf("-- buffer registry\n");
    router_reset();
    h = connect_local();
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    CHECK_EQ(C("live_buffers"), 1);
    CHECK_EQ(C("buffers_allocated"), 1);
    CHECK_EQ(MprAdminBufferFree(r), 87);
    CHECK_EQ(C("wrong_free"), 1);
    CHECK_EQ(C("live_buffers"), 1);
    CHECK_EQ(MprAdminMIBBufferFree(r), 0);
    CHECK_EQ(C("live_buffers"), 0);
    CHECK_EQ(MprAdminMIBBufferFree(r), 87);
    CHECK_EQ(C("double_free"), 1);
    CHECK_EQ(MprAdminMIBBufferFree(&local), 87);
    CHECK_EQ(C("double_free"), 2);
    CHECK_EQ(MprAdminMIBBufferFree(NULL), 87);
    CHECK_EQ(MprAdminBufferFree(NULL), 87);
    CHECK_EQ(C("double_free"), 2);

    a = router_alloc_admin_buffer(32);
    CHECK(a != NULL);
    CHECK_EQ(C("live_buffers"), 1);
    CHECK_EQ(MprAdminMIBBufferFree(a), 87);
    CHECK_EQ(C("wrong_free"), 2);
    CHECK_EQ(MprAdminBufferFree(a), 0);
    CHECK_EQ(MprAdminBufferFree(a), 87);
    CHECK_EQ(C("double_free"), 3);
    CHECK_EQ(C("live_buffers"), 0);

    /* A reset forgets live buffers: freeing one later is a counted
     * double free, not a crash. */
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    router_reset();
    CHECK_EQ(C("buffers_allocated"), 0);
    CHECK_EQ(MprAdminMIBBufferFree(r), 87);
    CHECK_EQ(C("double_free"), 1);
    MprAdminMIBServerDisconnect(h);
    CHECK_EQ(C("bad_handle"), 1);
}

static void test_traps(void)
{
    MIB_SERVER_HANDLE h;
    HANDLE event, other;
    BYTE in[3] = {1, 2, 3}, *r = (BYTE *)1;
    LPVOID *o = (LPVOID *)&r;
    DWORD size = 99;

    printf("-- traps\n");
    CHECK(get_trap_info != NULL);
    CHECK(set_trap_info != NULL);
    if (!get_trap_info || !set_trap_info)
        return;
    router_reset();
    event = CreateEventW(NULL, FALSE, FALSE, NULL);
    CHECK_EQ(set_trap_info(PID_IP, IPRTRMGR_PID, event, in, 3, NULL, &size), 87);
    CHECK_EQ(set_trap_info(PID_IP, IPRTRMGR_PID, event, NULL, 0, o, &size), 87);
    CHECK(r == NULL && size == 0);
    CHECK_EQ(set_trap_info(PID_IPX, IPRTRMGR_PID, event, in, 3, o, &size), 902);
    CHECK_EQ(set_trap_info(PID_IP, 7, event, in, 3, o, &size), 1003);
    CHECK_EQ(set_trap_info(PID_IP, IPRTRMGR_PID, NULL, in, 3, o, &size), ERROR_INVALID_HANDLE);
    CHECK_EQ(C("trap_bad_event"), 1);
    CHECK_EQ(C("trap_registrations"), 0);
    router_fail_calls(5);
    CHECK_EQ(set_trap_info(PID_IP, IPRTRMGR_PID, event, in, 3, o, &size), 5);
    router_fail_calls(0);
    CHECK_EQ(C("live_buffers"), 0);

    CHECK_EQ(set_trap_info(PID_IP, IPRTRMGR_PID, event, in, 3, o, &size), 0);
    CHECK(r != NULL && size == 3 && !memcmp(r, in, 3));
    CHECK_EQ(MprAdminMIBBufferFree(r), 0);
    CHECK(router_trap_event(0) == event);
    CHECK(router_trap_event(1) == NULL);
    CHECK_EQ(C("trap_events"), 1);
    CHECK_EQ(C("trap_events_open"), 1);

    h = connect_local();
    CHECK_EQ(get_trap_info(h, PID_IP, IPRTRMGR_PID, in, 3, o, &size), 232);
    CHECK_EQ(WaitForSingleObject(event, 0), WAIT_TIMEOUT);
    CHECK_EQ(router_inject_trap("TRAP", 4), 1);
    CHECK_EQ(WaitForSingleObject(event, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(event, 0), WAIT_TIMEOUT); /* auto-reset: consumed */
    CHECK_EQ(get_trap_info(h, PID_IP, IPRTRMGR_PID, in, 3, o, &size), 0);
    CHECK(r != NULL && size == 4 && !memcmp(r, "TRAP", 4));
    CHECK_EQ(MprAdminMIBBufferFree(r), 0);
    CHECK_EQ(get_trap_info(h, PID_IPX, IPRTRMGR_PID, in, 3, o, &size), 902);
    CHECK_EQ(get_trap_info(h, PID_IP, IPRTRMGR_PID, NULL, 0, o, &size), 87);
    CHECK_EQ(get_trap_info(h, PID_IP, IPRTRMGR_PID, in, 3, NULL, &size), 87);
    CHECK_EQ(C("trap_info_served"), 1);
    router_fail_calls_with_buffer(1722);
    CHECK_EQ(get_trap_info(h, PID_IP, IPRTRMGR_PID, in, 3, o, &size), 1722);
    CHECK(r != NULL);
    CHECK_EQ(MprAdminMIBBufferFree(r), 0);
    router_fail_calls(0);
    MprAdminMIBServerDisconnect(h);
    CHECK_EQ(get_trap_info(h, PID_IP, IPRTRMGR_PID, in, 3, o, &size), ERROR_INVALID_HANDLE);
    CHECK_EQ(C("bad_handle"), 1);

    /* The router keeps its own duplicate: closing ours leaves it signalable. */
    CloseHandle(event);
    other = CreateEventW(NULL, FALSE, FALSE, NULL); /* likely the same handle value */
    CHECK_EQ(C("trap_events_open"), 0);
    CHECK_EQ(router_inject_trap(NULL, 0), 1);
    CHECK_EQ(C("trap_signals_unheard"), 1);
    CHECK_EQ(C("trap_signal_failed"), 0);
    CHECK_EQ(WaitForSingleObject(other, 0), WAIT_TIMEOUT);
    CHECK_EQ(C("live_buffers"), 0);
    router_reset();
    CHECK_EQ(C("trap_events"), 0);
    CloseHandle(other);
}

static void test_error_strings(void)
{
    LPWSTR s = (LPWSTR)1;

    printf("-- error strings\n");
    router_reset();
    CHECK_EQ(MprAdminGetErrorString(902, &s), 0);
    CHECK(s && !wcscmp(s, L"No router manager is installed for this protocol.\r\n"));
    LocalFree(s);
    CHECK_EQ(MprAdminGetErrorString(600, &s), 0);
    CHECK(s && !wcscmp(s, L"Router error 600.\r\n"));
    LocalFree(s);
    CHECK_EQ(C("error_strings"), 2);
    s = (LPWSTR)1;
    CHECK_EQ(MprAdminGetErrorString(5, &s), 317);
    CHECK(s == NULL);
    CHECK_EQ(MprAdminGetErrorString(1722, &s), 317);
    CHECK_EQ(C("error_strings"), 2);
}

static void test_faults(void)
{
    MIB_SERVER_HANDLE h = (MIB_SERVER_HANDLE)1;
    BYTE *r;
    DWORD size, q = IF_NUMBER;
    MIB_IPFORWARDROW row;

    printf("-- fault injection\n");
    router_reset();
    router_fail_connect(1722);
    CHECK_EQ(MprAdminMIBServerConnect(L"x", &h), 1722);
    CHECK(h == NULL);
    CHECK_EQ(C("connects"), 0);
    router_fail_connect(0);
    h = connect_local();

    router_fail_calls(5);
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 5);
    CHECK(r == NULL && size == 0);
    memset(&row, 0, sizeof row);
    CHECK_EQ(route_change(0, h, &row, 0), 5);
    router_fail_calls(0);
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    MprAdminMIBBufferFree(r);

    router_fail_calls_with_buffer(1726);
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 1726);
    CHECK(r != NULL);
    CHECK_EQ(size, 16);
    CHECK_EQ(C("live_buffers"), 1);
    CHECK_EQ(MprAdminMIBBufferFree(r), 0);
    CHECK_EQ(C("live_buffers"), 0);
    router_fail_calls_with_buffer(0);
    CHECK_EQ(mib(GET, h, &q, 1, &r, &size), 0);
    MprAdminMIBBufferFree(r);

    CHECK(MprAdminIsServiceRunning(NULL));
    router_set_service_running(0);
    CHECK(!MprAdminIsServiceRunning(NULL));
    router_reset();
    CHECK(MprAdminIsServiceRunning(NULL));
}

static MIB_SERVER_HANDLE g_thread_handle;

static DWORD WINAPI disconnect_later(LPVOID arg)
{
    (void)arg;
    Sleep(150);
    MprAdminMIBServerDisconnect(g_thread_handle);
    return 0;
}

static DWORD WINAPI slow_get(LPVOID arg)
{
    BYTE *r;
    DWORD size, q = IF_NUMBER;
    DWORD rc = mib(GET, (MIB_SERVER_HANDLE)arg, &q, 1, &r, &size);
    if (!rc)
        MprAdminMIBBufferFree(r);
    return rc;
}

static void test_threads(void)
{
    HANDLE t[4];
    BYTE *r;
    DWORD size, q = IF_NUMBER, rc, i;
    ULONGLONG start, elapsed;
    MIB_SERVER_HANDLE h;

    printf("-- delay and concurrency\n");
    router_reset();
    router_set_delay_ms(500);
    g_thread_handle = connect_local();
    t[0] = CreateThread(NULL, 0, disconnect_later, NULL, 0, NULL);
    rc = mib(GET, g_thread_handle, &q, 1, &r, &size);
    WaitForSingleObject(t[0], INFINITE);
    CloseHandle(t[0]);
    CHECK_EQ(rc, 0);
    if (!rc)
        MprAdminMIBBufferFree(r);
    CHECK_EQ(C("disconnect_in_use"), 1);
    CHECK_EQ(C("disconnects"), 0);
    CHECK_EQ(C("live_handles"), 0);
    CHECK_EQ(C("in_flight"), 0);

    /* Four calls that each sleep 400 ms finish together: the lock is not
     * held while sleeping. */
    router_set_delay_ms(400);
    h = connect_local();
    start = GetTickCount64();
    for (i = 0; i < 4; i++)
        t[i] = CreateThread(NULL, 0, slow_get, h, 0, NULL);
    WaitForMultipleObjects(4, t, TRUE, INFINITE);
    elapsed = GetTickCount64() - start;
    for (i = 0; i < 4; i++) {
        DWORD code = 1;
        GetExitCodeThread(t[i], &code);
        CHECK_EQ(code, 0);
        CloseHandle(t[i]);
    }
    printf("     4 concurrent delayed calls took %llu ms\n", elapsed);
    CHECK(elapsed < 1200);
    CHECK_EQ(C("max_in_flight"), 4);
    CHECK_EQ(C("in_flight"), 0);
    CHECK_EQ(C("live_buffers"), 0);
    router_set_delay_ms(0);
    MprAdminMIBServerDisconnect(h);
    CHECK_EQ(C("disconnects"), 1);
}

#define STRESS_THREADS 8
#define STRESS_ROUNDS 1500

/* Each thread connects, reads, changes its own route and frees, over and
 * over; the counters must add up exactly afterwards. */
static DWORD WINAPI stress(LPVOID arg)
{
    DWORD id = (DWORD)(ULONG_PTR)arg, i, errors = 0, size, q[5];
    MIB_IPFORWARDROW row;
    BYTE *r;

    memset(&row, 0, sizeof row);
    row.dwForwardDest = IPV4(172, 20, id, 0);
    row.dwForwardProto = 3;
    for (i = 0; i < STRESS_ROUNDS; i++) {
        MIB_SERVER_HANDLE h = NULL;
        if (MprAdminMIBServerConnect(NULL, &h))
            errors++;
        q[0] = IF_TABLE;
        if (mib(GET, h, q, 1, &r, &size) || entries(r) != 3)
            errors++;
        else
            MprAdminMIBBufferFree(r);
        if (route_change(0, h, &row, 0))
            errors++;
        q[0] = IP_FORWARDROW;
        q[1] = row.dwForwardDest;
        q[2] = 3;
        q[3] = 0;
        q[4] = 0;
        if (mib(GET, h, q, 5, &r, &size))
            errors++;
        else
            MprAdminMIBBufferFree(r);
        if (route_change(2, h, &row, 0))
            errors++;
        MprAdminMIBServerDisconnect(h);
    }
    return errors;
}

static void test_stress(void)
{
    HANDLE t[STRESS_THREADS];
    DWORD i, errors = 0;

    printf("-- concurrent stress\n");
    router_reset();
    for (i = 0; i < STRESS_THREADS; i++)
        t[i] = CreateThread(NULL, 0, stress, (LPVOID)(ULONG_PTR)i, 0, NULL);
    WaitForMultipleObjects(STRESS_THREADS, t, TRUE, INFINITE);
    for (i = 0; i < STRESS_THREADS; i++) {
        DWORD code = 1;
        GetExitCodeThread(t[i], &code);
        errors += code;
        CloseHandle(t[i]);
    }
    CHECK_EQ(errors, 0);
    CHECK_EQ(C("connects"), STRESS_THREADS * STRESS_ROUNDS);
    CHECK_EQ(C("disconnects"), STRESS_THREADS * STRESS_ROUNDS);
    CHECK_EQ(C("calls"), 4 * STRESS_THREADS * STRESS_ROUNDS);
    CHECK_EQ(C("buffers_allocated"), 2 * STRESS_THREADS * STRESS_ROUNDS);
    CHECK_EQ(C("live_handles"), 0);
    CHECK_EQ(C("live_buffers"), 0);
    CHECK_EQ(C("in_flight"), 0);
    CHECK_EQ(C("bad_handle") + C("double_free") + C("wrong_free"), 0);
    CHECK(C("max_in_flight") >= 1);
    printf("     max_in_flight reached %lld\n", C("max_in_flight"));
}

/* Per-server behaviour (router_set_server). */

static MIB_SERVER_HANDLE connect_to(const WCHAR *name)
{
    MIB_SERVER_HANDLE h = NULL;
    CHECK_EQ(MprAdminMIBServerConnect((LPWSTR)name, &h), 0);
    return h;
}

/* Get IF_NUMBER on h: its code, the reply freed. */
static DWORD get_number(MIB_SERVER_HANDLE h)
{
    BYTE *r = NULL;
    DWORD size = 0, q = IF_NUMBER, rc = mib(GET, h, &q, 1, &r, &size);
    if (!rc)
        MprAdminMIBBufferFree(r);
    return rc;
}

/* GetTickCount64 moves in steps of about 16 ms (on Windows, and under Wine),
 * so a 200 ms sleep can measure as 185. */
#define TICK_SLACK 20

/* Milliseconds get_number(h) took; its code in *rc. */
static ULONGLONG timed_get(MIB_SERVER_HANDLE h, DWORD *rc)
{
    ULONGLONG start = GetTickCount64();
    *rc = get_number(h);
    return GetTickCount64() - start;
}

/* Polls a counter (a hung call is seen from another thread) for up to 5 s. */
static int wait_counter(const char *name, long long want)
{
    int i;
    for (i = 0; i < 1000 && C(name) != want; i++)
        Sleep(5);
    return C(name) == want;
}

typedef struct {
    MIB_SERVER_HANDLE h;
    DWORD delay, rc;
    ULONGLONG elapsed;
} TIMED_CALL;

static DWORD WINAPI timed_call(LPVOID arg)
{
    TIMED_CALL *t = arg;
    t->elapsed = timed_get(t->h, &t->rc);
    return 0;
}

#define MANY_SERVERS 300
#define SERVER_RULES 4096 /* router.c's SERVER_RULES_MAX */

static void test_servers_many(void)
{
    static TIMED_CALL calls[MANY_SERVERS];
    static HANDLE threads[MANY_SERVERS];
    WCHAR name[16];
    DWORD i, started = 0, wrong = 0, max_delay = 0;
    ULONGLONG start, elapsed;

    printf("-- %d servers, each with its own delay, at once\n", MANY_SERVERS);
    router_reset();
    for (i = 0; i < MANY_SERVERS; i++) {
        swprintf(name, 16, L"many-%03lu", (unsigned long)i);
        calls[i].delay = 300 + i; /* distinct: the sum would be over two minutes */
        if (calls[i].delay > max_delay)
            max_delay = calls[i].delay;
        CHECK_EQ(router_set_server(name, calls[i].delay, 0, 0), 0);
        calls[i].h = connect_to(name);
    }
    start = GetTickCount64();
    for (i = 0; i < MANY_SERVERS; i++) {
        /* Small stacks: 300 default ones would reserve 300 MB. */
        threads[i] = CreateThread(NULL, 64 << 10, timed_call, &calls[i],
                                  STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
        started += threads[i] != NULL;
    }
    CHECK_EQ(started, MANY_SERVERS);
    for (i = 0; i < MANY_SERVERS; i++) {
        if (threads[i]) {
            WaitForSingleObject(threads[i], INFINITE);
            CloseHandle(threads[i]);
        }
    }
    elapsed = GetTickCount64() - start;
    for (i = 0; i < MANY_SERVERS; i++) {
        /* Each call slept its own server's delay, and not much more. */
        if (calls[i].rc || calls[i].elapsed + TICK_SLACK < calls[i].delay ||
            calls[i].elapsed > calls[i].delay + 1500) {
            printf("     many-%03lu: rc %lu, %llu ms for a %lu ms delay\n", (unsigned long)i,
                   (unsigned long)calls[i].rc, calls[i].elapsed, (unsigned long)calls[i].delay);
            wrong++;
        }
        MprAdminMIBServerDisconnect(calls[i].h);
    }
    printf("     %d calls took %llu ms together; max_in_flight %lld\n", MANY_SERVERS, elapsed,
           C("max_in_flight"));
    CHECK_EQ(wrong, 0);
    CHECK(elapsed + TICK_SLACK >= max_delay);
    CHECK(elapsed < max_delay + 2000);
    CHECK(C("max_in_flight") > MANY_SERVERS / 2);
    CHECK_EQ(C("calls"), MANY_SERVERS);
    CHECK_EQ(C("disconnects"), MANY_SERVERS);
    CHECK_EQ(C("in_flight"), 0);
    CHECK_EQ(C("live_handles"), 0);
    CHECK_EQ(C("live_buffers"), 0);
    router_reset();
}

static void test_servers(void)
{
    MIB_SERVER_HANDLE slow, fast, sim1, sim2, other, bare, local, norras, stuck;
    HANDLE t;
    BYTE *r;
    DWORD rc, size, q = IF_NUMBER, code, i, refused;
    ULONGLONG ms;
    MIB_IPFORWARDROW row;
    LPVOID *o = (LPVOID *)&r;
    WCHAR name[16];

    printf("-- per-server delay\n");
    router_reset();
    CHECK_EQ(C("hung"), 0);
    CHECK_EQ(C("hangs"), 0);
    CHECK_EQ(router_set_server(NULL, 1, 0, 0), -1);
    CHECK_EQ(router_set_server(L"slow", 200, 0, 0), 0);
    slow = connect_to(L"slow");
    fast = connect_to(L"slow2"); /* exact names: no prefix match */
    ms = timed_get(slow, &rc);
    printf("     slow: %llu ms\n", ms);
    CHECK_EQ(rc, 0);
    CHECK(ms + TICK_SLACK >= 200);
    ms = timed_get(fast, &rc);
    printf("     another name: %llu ms\n", ms);
    CHECK_EQ(rc, 0);
    CHECK(ms < 100);
    /* Added to the global delay. */
    router_set_delay_ms(100);
    ms = timed_get(slow, &rc);
    CHECK(ms + TICK_SLACK >= 300);
    router_set_delay_ms(0);

    printf("-- per-server patterns\n");
    CHECK_EQ(router_set_server(L"sim-*", 0, 1001, 0), 0);
    sim1 = connect_to(L"sim-1");
    sim2 = connect_to(L"sim-2");
    other = connect_to(L"xsim-1");
    bare = connect_to(L"sim");
    local = connect_local();
    CHECK_EQ(get_number(sim1), 1001);
    CHECK_EQ(get_number(sim2), 1001);
    CHECK_EQ(get_number(other), 0);
    CHECK_EQ(get_number(bare), 0);
    CHECK_EQ(get_number(local), 0);
    /* Set after Connect, and the last match wins. */
    CHECK_EQ(router_set_server(L"sim-2", 0, 1002, 0), 0);
    CHECK_EQ(get_number(sim1), 1001);
    CHECK_EQ(get_number(sim2), 1002);
    /* Setting a pattern again replaces its rule and makes it the last. */
    CHECK_EQ(router_set_server(L"sim-*", 0, 1003, 0), 0);
    CHECK_EQ(get_number(sim1), 1003);
    CHECK_EQ(get_number(sim2), 1003);
    CHECK_EQ(router_set_server(L"sim-*", 0, 0, 0), 0);
    CHECK_EQ(get_number(sim1), 0);
    /* "*" matches every name; "" is the local router (NULL). */
    CHECK_EQ(router_set_server(L"", 0, 1004, 0), 0);
    CHECK_EQ(get_number(local), 1004);
    CHECK_EQ(get_number(bare), 0);
    CHECK_EQ(router_set_server(L"*", 0, 1005, 0), 0);
    CHECK_EQ(get_number(local), 1005);
    CHECK_EQ(get_number(bare), 1005);
    CHECK_EQ(get_number(slow), 1005);
    MprAdminMIBServerDisconnect(slow);
    MprAdminMIBServerDisconnect(fast);
    MprAdminMIBServerDisconnect(sim1);
    MprAdminMIBServerDisconnect(sim2);
    MprAdminMIBServerDisconnect(other);
    MprAdminMIBServerDisconnect(bare);
    MprAdminMIBServerDisconnect(local);
    CHECK_EQ(C("live_handles"), 0);

    printf("-- per-server failure\n");
    router_reset();
    CHECK_EQ(router_set_server(L"bad", 0, 1727, 0), 0);
    other = connect_to(L"bad");
    r = (BYTE *)1;
    size = 99;
    CHECK_EQ(mib(GET, other, &q, 1, &r, &size), 1727);
    CHECK(r == NULL && size == 0);
    CHECK_EQ(mib(FIRST, other, &q, 1, &r, &size), 1727);
    CHECK_EQ(mib(NEXT, other, &q, 1, &r, &size), 1727);
    memset(&row, 0, sizeof row);
    CHECK_EQ(route_change(0, other, &row, 0), 1727);
    CHECK_EQ(route_change(1, other, &row, 0), 1727);
    CHECK_EQ(route_change(2, other, &row, 0), 1727);
    if (get_trap_info) {
        r = (BYTE *)1;
        size = 99;
        CHECK_EQ(get_trap_info(other, PID_IP, IPRTRMGR_PID, &q, 4, o, &size), 1727);
        CHECK(r == NULL && size == 0);
    }
    /* As the other failures: the out parameters untouched on request. */
    router_set_out_untouched_on_error(1);
    r = (BYTE *)1;
    size = 99;
    CHECK_EQ(mib(GET, other, &q, 1, &r, &size), 1727);
    CHECK(r == (BYTE *)1 && size == 99);
    router_set_out_untouched_on_error(0);
    /* router_fail_calls comes first; the server's code before the lazy error. */
    router_fail_calls(5);
    CHECK_EQ(get_number(other), 5);
    router_fail_calls(0);
    CHECK_EQ(router_set_server(L"unreachable", 0, 1728, 0), 0);
    norras = connect_to(L"unreachable");
    CHECK_EQ(get_number(norras), 1728);
    MprAdminMIBServerDisconnect(norras);
    /* A rule with no behaviour leaves the special names theirs. */
    CHECK_EQ(router_set_server(L"norras", 0, 0, 0), 0);
    norras = connect_to(L"norras");
    CHECK_EQ(get_number(norras), 1717);
    MprAdminMIBServerDisconnect(norras);
    CHECK_EQ(C("calls"), 10 + (get_trap_info ? 1 : 0));
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(other);

    printf("-- per-server hang\n");
    CHECK_EQ(router_set_server(L"stuck", 0, 0, 1), 0);
    stuck = connect_to(L"stuck");
    fast = connect_to(L"fine");
    t = CreateThread(NULL, 0, slow_get, stuck, 0, NULL);
    CHECK(wait_counter("hung", 1));
    CHECK_EQ(C("hangs"), 1);
    CHECK_EQ(C("in_flight"), 1);
    CHECK_EQ(WaitForSingleObject(t, 300), WAIT_TIMEOUT);
    /* The lock is free meanwhile: other calls go through. */
    CHECK_EQ(get_number(fast), 0);
    router_release_hangs();
    CHECK_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
    code = 1;
    GetExitCodeThread(t, &code);
    CloseHandle(t);
    CHECK_EQ(code, 0);
    CHECK_EQ(C("hung"), 0);
    CHECK_EQ(C("hangs"), 1);
    CHECK_EQ(C("in_flight"), 0);
    /* After a release, a hang holds again; then the fail code. A
     * disconnect meanwhile is a disconnect of a handle in use. */
    CHECK_EQ(router_set_server(L"stuck", 0, 1729, 1), 0);
    t = CreateThread(NULL, 0, slow_get, stuck, 0, NULL);
    CHECK(wait_counter("hung", 1));
    CHECK_EQ(WaitForSingleObject(t, 200), WAIT_TIMEOUT);
    MprAdminMIBServerDisconnect(stuck);
    CHECK_EQ(C("disconnect_in_use"), 1);
    router_release_hangs();
    CHECK_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
    code = 1;
    GetExitCodeThread(t, &code);
    CloseHandle(t);
    CHECK_EQ(code, 1729);
    CHECK_EQ(C("hung"), 0);
    CHECK_EQ(C("hangs"), 2);
    CHECK_EQ(C("in_flight"), 0);
    CHECK_EQ(C("live_handles"), 1);
    MprAdminMIBServerDisconnect(fast);

    printf("-- router_reset releases hangs and clears patterns\n");
    stuck = connect_to(L"stuck");
    t = CreateThread(NULL, 0, slow_get, stuck, 0, NULL);
    CHECK(wait_counter("hung", 1));
    router_reset();
    CHECK_EQ(WaitForSingleObject(t, 5000), WAIT_OBJECT_0);
    CloseHandle(t);
    /* The call that ran across the reset counts nowhere after it. */
    CHECK_EQ(C("hung"), 0);
    CHECK_EQ(C("hangs"), 0);
    CHECK_EQ(C("in_flight"), 0);
    stuck = connect_to(L"stuck");
    slow = connect_to(L"slow");
    CHECK_EQ(get_number(stuck), 0);
    ms = timed_get(slow, &rc);
    CHECK_EQ(rc, 0);
    CHECK(ms < 100);
    CHECK_EQ(C("hangs"), 0);
    MprAdminMIBServerDisconnect(stuck);
    MprAdminMIBServerDisconnect(slow);

    printf("-- %d server rules, and no more\n", SERVER_RULES);
    router_reset();
    for (i = 0, refused = 0; i < SERVER_RULES; i++) {
        swprintf(name, 16, L"cap-%04lu", (unsigned long)i);
        refused += router_set_server(name, 0, 1000 + i % 100, 0) != 0;
    }
    CHECK_EQ(refused, 0);
    CHECK_EQ(router_set_server(L"cap-more", 0, 1, 0), -1);
    CHECK_EQ(router_set_server(L"cap-0000", 0, 1730, 0), 0); /* a replacement fits */
    other = connect_to(L"cap-0000");
    CHECK_EQ(get_number(other), 1730);
    MprAdminMIBServerDisconnect(other);
    other = connect_to(L"cap-more");
    CHECK_EQ(get_number(other), 0);
    MprAdminMIBServerDisconnect(other);
    router_reset();

    test_servers_many();
}

static void test_malformed(void)
{
    MIB_SERVER_HANDLE h;
    BYTE *r;
    DWORD size, q[3];
    const DWORD full_if = HDR + 4 + 3 * sizeof(MIB_IFROW);

    printf("-- malformed replies\n");
    router_reset();
    h = connect_local();
    q[0] = IF_TABLE;

    router_set_malformed(1);
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(entries(r), 1003);
    CHECK_EQ(size, full_if);
    MprAdminMIBBufferFree(r);
    q[0] = IP_STATS;
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_IPSTATS));
    MprAdminMIBBufferFree(r);
    q[0] = IF_TABLE;

    router_set_malformed(2);
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(entries(r), 0xFFFFFFFFu);
    MprAdminMIBBufferFree(r);

    router_set_malformed(3);
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(((MIB_IFROW *)(r + HDR + 4))[2].dwPhysAddrLen, 200);
    CHECK_EQ(((MIB_IFROW *)(r + HDR + 4))[2].dwDescrLen, 5000);
    MprAdminMIBBufferFree(r);
    q[0] = IP_NETROW;
    q[1] = 3;
    q[2] = IPV4(192, 168, 1, 1);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(((MIB_IPNETROW *)(r + HDR))->dwPhysAddrLen, 200);
    MprAdminMIBBufferFree(r);
    q[0] = IF_TABLE;

    router_set_malformed(4);
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(size, 6);
    MprAdminMIBBufferFree(r);
    q[0] = UDP_STATS;
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(size, 6);
    MprAdminMIBBufferFree(r);
    q[0] = IF_TABLE;

    router_set_malformed(5);
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(size, full_if - 10);
    CHECK_EQ(entries(r), 3);
    MprAdminMIBBufferFree(r);
    q[0] = IF_ROW;
    q[1] = 1;
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_IFROW) - 10);
    MprAdminMIBBufferFree(r);

    router_set_malformed(6);
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0);
    {
        MIB_IFROW *f = (MIB_IFROW *)(r + HDR);
        CHECK(f->wszName[0] == L'A' && f->wszName[255] == L'A');
        CHECK(f->bDescr[0] == 'B' && f->bDescr[255] == 'B');
        CHECK_EQ(f->dwDescrLen, 256);
        CHECK_EQ(f->dwIndex, 1);
    }
    MprAdminMIBBufferFree(r);

    router_reset();
    CHECK_EQ(table_count(h = connect_local(), IF_TABLE, sizeof(MIB_IFROW)), 3);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

static void test_bench(void)
{
    MIB_SERVER_HANDLE h;
    BYTE *r;
    DWORD size, q[5] = {IP_FORWARDTABLE, 0, 0, 0, 0};
    ULONGLONG start;
    int sorted = 1;
    DWORD i;

    printf("-- bench routes\n");
    router_reset();
    h = connect_local();
    start = GetTickCount64();
    router_set_bench_routes(200000);
    router_set_bench_routes(100000);
    printf("     building 300000 bench routes took %llu ms\n", GetTickCount64() - start);
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(size, 12 + 100000 * 56);
    CHECK_EQ(entries(r), 100000);
    {
        MIB_IPFORWARDROW *f = (MIB_IPFORWARDROW *)(r + HDR + 4);
        for (i = 1; i < 100000; i++)
            if (__builtin_bswap32(f[i - 1].dwForwardDest) >= __builtin_bswap32(f[i].dwForwardDest))
                sorted = 0;
        CHECK(sorted);
        CHECK_EQ(f[12345].dwForwardMetric1, 12345);
        route_query(q, &f[99998]);
    }
    MprAdminMIBBufferFree(r);
    CHECK_EQ(mib(NEXT, h, q, 5, &r, &size), 0);
    CHECK_EQ(((MIB_IPFORWARDROW *)(r + HDR))->dwForwardMetric1, 99999);
    q[1] = ((MIB_IPFORWARDROW *)(r + HDR))->dwForwardDest;
    MprAdminMIBBufferFree(r);
    CHECK_EQ(mib(NEXT, h, q, 5, &r, &size), 259);
    /* A full GetNext walk: each step is a binary search, not a scan. */
    start = GetTickCount64();
    {
        DWORD walked = 0, rc;
        int in_order = 1;
        rc = mib(FIRST, h, q, 1, &r, &size);
        while (!rc) {
            MIB_IPFORWARDROW *f = (MIB_IPFORWARDROW *)(r + HDR);
            if (f->dwForwardMetric1 != walked)
                in_order = 0;
            walked++;
            route_query(q, f);
            MprAdminMIBBufferFree(r);
            rc = mib(NEXT, h, q, 5, &r, &size);
        }
        printf("     GetNext walk of %lu routes took %llu ms\n", (unsigned long)walked,
               GetTickCount64() - start);
        CHECK_EQ(rc, 259);
        CHECK_EQ(walked, 100000);
        CHECK(in_order);
    }
    q[0] = IP_FORWARDNUMBER;
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(((MIB_IPFORWARDNUMBER *)(r + HDR))->dwValue, 100000);
    MprAdminMIBBufferFree(r);
    MprAdminMIBServerDisconnect(h);
}

static void print_host_table(MIB_SERVER_HANDLE h, DWORD var, const char *name)
{
    BYTE *r;
    DWORD size, rc = mib(GET, h, &var, 1, &r, &size);
    if (rc) {
        printf("     loopback %s: error %lu\n", name, (unsigned long)rc);
        return;
    }
    if (size >= HDR + 4 && (var == IF_TABLE || var == IP_ADDRTABLE || var == IP_FORWARDTABLE ||
                            var == IP_NETTABLE || var == TCP_TABLE || var == UDP_TABLE))
        printf("     loopback %s: %lu entries (%lu bytes)\n", name, (unsigned long)entries(r),
               (unsigned long)size);
    else
        printf("     loopback %s: %lu bytes, first DWORD %lu\n", name, (unsigned long)size,
               (unsigned long)(size >= HDR + 4 ? entries(r) : 0));
    MprAdminMIBBufferFree(r);
}

static void test_loopback(void)
{
    MIB_SERVER_HANDLE h;
    BYTE *r;
    DWORD size, q[2] = {IF_TABLE, 0}, n;
    MIB_IPFORWARDROW row;

    printf("-- loopback mode\n");
    router_reset();
    router_set_mode(1);
    h = connect_local();
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    n = entries(r);
    CHECK(n >= 1);
    CHECK_EQ(size, HDR + 4 + n * sizeof(MIB_IFROW));
    MprAdminMIBBufferFree(r);
    q[0] = IP_FORWARDTABLE;
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK(entries(r) >= 1);
    MprAdminMIBBufferFree(r);

    print_host_table(h, IF_NUMBER, "IF_NUMBER");
    print_host_table(h, IF_TABLE, "IF_TABLE");
    print_host_table(h, IP_ADDRTABLE, "IP_ADDRTABLE");
    print_host_table(h, IP_FORWARDNUMBER, "IP_FORWARDNUMBER");
    print_host_table(h, IP_FORWARDTABLE, "IP_FORWARDTABLE");
    print_host_table(h, IP_NETTABLE, "IP_NETTABLE");
    print_host_table(h, IP_STATS, "IP_STATS");
    print_host_table(h, ICMP_STATS, "ICMP_STATS");
    print_host_table(h, TCP_STATS, "TCP_STATS");
    print_host_table(h, TCP_TABLE, "TCP_TABLE");
    print_host_table(h, UDP_STATS, "UDP_STATS");
    print_host_table(h, UDP_TABLE, "UDP_TABLE");

    /* Walk the host's interfaces: indices strictly increase. */
    q[0] = IF_ROW;
    CHECK_EQ(mib(FIRST, h, q, 1, &r, &size), 0);
    if (r) {
        DWORD walked = 1, prev = ((MIB_IFROW *)(r + HDR))->dwIndex, rc;
        int ok = 1;
        printf("     host interface %lu: %ls\n", (unsigned long)prev, ((MIB_IFROW *)(r + HDR))->wszName);
        MprAdminMIBBufferFree(r);
        for (;;) {
            q[1] = prev;
            rc = mib(NEXT, h, q, 2, &r, &size);
            if (rc)
                break;
            if (((MIB_IFROW *)(r + HDR))->dwIndex <= prev)
                ok = 0;
            prev = ((MIB_IFROW *)(r + HDR))->dwIndex;
            printf("     host interface %lu: %ls\n", (unsigned long)prev,
                   ((MIB_IFROW *)(r + HDR))->wszName);
            MprAdminMIBBufferFree(r);
            walked++;
        }
        CHECK_EQ(rc, 259);
        CHECK(ok);
        CHECK_EQ(walked, n);
        q[1] = prev;
        CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0);
        MprAdminMIBBufferFree(r);
    }
    q[0] = IP_FORWARDROW;
    CHECK_EQ(mib(FIRST, h, q, 1, &r, &size), 0);
    MprAdminMIBBufferFree(r);
    /* These two may legitimately be empty on some hosts. */
    q[0] = IP_ADDRROW;
    n = mib(FIRST, h, q, 1, &r, &size);
    CHECK(n == 0 || n == 232);
    if (!n)
        MprAdminMIBBufferFree(r);
    q[0] = IP_NETROW;
    n = mib(FIRST, h, q, 1, &r, &size);
    CHECK(n == 0 || n == 232);
    if (!n)
        MprAdminMIBBufferFree(r);

    memset(&row, 0, sizeof row);
    CHECK_EQ(route_change(0, h, &row, 0), 5);
    CHECK_EQ(route_change(1, h, &row, 0), 5);
    CHECK_EQ(route_change(2, h, &row, 0), 5);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
    router_reset();
}

/* The size of the reply to a Get of `var` with no index (0 if it fails). */
static DWORD reply_size(MIB_SERVER_HANDLE h, DWORD var)
{
    BYTE *r = NULL;
    DWORD size = 0;
    if (mib(GET, h, &var, 1, &r, &size))
        return 0;
    MprAdminMIBBufferFree(r);
    return size;
}

/* How many boundaries a walk of MCAST_BOUNDARY (GetFirst, GetNext) finds. */
static DWORD boundary_count(MIB_SERVER_HANDLE h)
{
    BYTE *r = NULL;
    DWORD size = 0, n = 0, q[4] = {MCAST_BOUNDARY, 0, 0, 0};
    DWORD rc = mib(FIRST, h, q, 1, &r, &size);
    while (rc == 0) {
        const MIB_IPMCAST_BOUNDARY *b = (const MIB_IPMCAST_BOUNDARY *)(r + HDR);
        n++;
        q[1] = b->dwIfIndex;
        q[2] = b->dwGroupAddress;
        q[3] = b->dwGroupMask;
        MprAdminMIBBufferFree(r);
        rc = mib(NEXT, h, q, 4, &r, &size);
    }
    CHECK(rc == 259 || rc == 232);
    return n;
}

/* The variables beyond the IP tables: rows by index, lookups, variable-size
 * rows, writes, strictness and the malformations of the new layouts. */
static void test_more_variables(void)
{
    MIB_SERVER_HANDLE h;
    BYTE *r;
    DWORD size, q[5], in[8], rc;
    const DWORD mfe_rows = HDR + 4 + 60 + (60 + 16) + (60 + 3 * 16);

    printf("-- the other variables\n");
    router_reset();
    h = connect_local();

    /* TCP_ROW by both ends: a port DWORD's upper 16 bits are not the port. */
    q[0] = TCP_ROW;
    q[1] = IPV4(192, 168, 1, 10);
    q[2] = 0x000030C2; /* 49712 */
    q[3] = IPV4(93, 184, 216, 34);
    q[4] = 0x1234BB01; /* 443, junk above */
    CHECK_EQ(mib(GET, h, q, 5, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_TCPROW));
    CHECK_EQ(((MIB_TCPROW *)(r + HDR))->dwState, 5);
    MprAdminMIBBufferFree(r);
    q[4] = 0x0000BC01; /* 444 */
    CHECK_EQ(mib(GET, h, q, 5, &r, &size), 1413);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 87);

    /* BEST_ROUTE (dest, source) and BEST_IF (dest). */
    q[0] = BEST_ROUTE;
    q[1] = IPV4(10, 9, 8, 7);
    q[2] = 0;
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_IPFORWARDROW));
    CHECK_EQ(((MIB_IPFORWARDROW *)(r + HDR))->dwForwardNextHop, IPV4(192, 168, 1, 254));
    MprAdminMIBBufferFree(r);
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 87);
    CHECK_EQ(mib(FIRST, h, q, 3, &r, &size), 87);
    q[0] = BEST_IF;
    q[1] = IPV4(127, 0, 0, 9);
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_BEST_IF));
    CHECK_EQ(((MIB_BEST_IF *)(r + HDR))->dwDestAddr, IPV4(127, 0, 0, 9));
    CHECK_EQ(((MIB_BEST_IF *)(r + HDR))->dwIfIndex, 1);
    MprAdminMIBBufferFree(r);

    /* Route lookups: 64-byte rows (the SDK's MIB_IPDESTROW); none: 232; holes in the mask: 87. */
    q[0] = ROUTE_LONGER;
    q[1] = 0;
    q[2] = 0;
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(entries(r), 6);
    CHECK_EQ(size, HDR + 4 + 6 * 64);
    CHECK_EQ(*(DWORD *)(r + HDR + 4 + 2 * 64 + 4 * 4), 7); /* the second 10.0.0.0/8: if 7 */
    CHECK_EQ(*(DWORD *)(r + HDR + 4 + 2 * 64 + 56), 120);  /* its preference */
    MprAdminMIBBufferFree(r);
    q[0] = DEST_LONGER;
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(entries(r), 5);
    MprAdminMIBBufferFree(r);
    q[0] = DEST_MATCHING;
    q[1] = IPV4(11, 0, 0, 0);
    q[2] = IPV4(255, 0, 0, 0);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 232);
    q[2] = IPV4(255, 0, 255, 0);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 87);

    /* MFEs of 0, 1 and 3 outgoing interfaces, in each of the three forms. */
    CHECK_EQ(reply_size(h, MCAST_MFE), mfe_rows);
    CHECK_EQ(reply_size(h, MCAST_MFE_STATS), HDR + 4 + 64 + (64 + 28) + (64 + 3 * 28));
    CHECK_EQ(reply_size(h, MCAST_MFE_STATS_EX), HDR + 4 + 84 + (84 + 28) + (84 + 3 * 28));
    CHECK_EQ(reply_size(h, PROXY_ARP), HDR + 4 + 3 * sizeof(MIB_PROXYARP));
    CHECK_EQ(reply_size(h, IP6_STATS), HDR + sizeof(MIB_IPSTATS));
    CHECK_EQ(reply_size(h, TCP6_STATS), HDR + sizeof(MIB_TCPSTATS));
    CHECK_EQ(reply_size(h, UDP6_STATS), HDR + sizeof(MIB_UDPSTATS));
    q[0] = MCAST_SCOPE;
    q[1] = IPV4(239, 255, 0, 0);
    q[2] = IPV4(255, 255, 0, 0);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_IPMCAST_SCOPE));
    CHECK_EQ(((MIB_IPMCAST_SCOPE *)(r + HDR))->snNameBuffer[5], 0x672c);
    CHECK_EQ(((MIB_IPMCAST_SCOPE *)(r + HDR))->snNameBuffer[8], 0xd83c);
    CHECK_EQ(((MIB_IPMCAST_SCOPE *)(r + HDR))->snNameBuffer[10], 0);
    MprAdminMIBBufferFree(r);

    /* PROXY_ARP, not listed in 3.1.4.27/28: 87 unless the unlisted writes
     * are on; then Create exactly 20 bytes, Delete exactly 16, no Set. */
    in[0] = PROXY_ARP;
    in[1] = 0;
    in[2] = IPV4(192, 168, 1, 99);
    in[3] = 0xFFFFFFFFu;
    in[4] = 3;
    q[0] = PROXY_ARP;
    q[1] = IPV4(192, 168, 1, 50);
    q[2] = 0xFFFFFFFFu;
    q[3] = 3;
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, 20), 87);
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, 16), 87);
    CHECK_EQ(reply_size(h, PROXY_ARP), HDR + 4 + 3 * sizeof(MIB_PROXYARP));
    router_set_unlisted_writes(1);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, 20), 0);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, 20), 183);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, 24), 87);
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 20), 87);
    CHECK_EQ(reply_size(h, PROXY_ARP), HDR + 4 + 4 * sizeof(MIB_PROXYARP));
    q[0] = PROXY_ARP;
    q[1] = IPV4(192, 168, 1, 99);
    q[2] = 0xFFFFFFFFu;
    q[3] = 3;
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, 16), 0);
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, 16), 1413);
    CHECK_EQ(reply_size(h, PROXY_ARP), HDR + 4 + 3 * sizeof(MIB_PROXYARP));
    router_set_unlisted_writes(0);

    /* MCAST_IF_ENTRY: Set (32 bytes) writes the TTL and the rate limit only. */
    in[0] = MCAST_IF_ENTRY;
    in[1] = 0;
    in[2] = 3;   /* dwIfIndex */
    in[3] = 40;  /* dwTtl */
    in[4] = 99;  /* dwProtocol: read-only */
    in[5] = 500; /* dwRateLimit */
    in[6] = 1;   /* counters: read-only */
    in[7] = 2;
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 32), 0);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, 32), 87);
    in[5] = 0; /* "dwRateLimit MUST NOT be set to 0" */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 32), 87);
    in[5] = 500;
    in[3] = 256; /* "dwTtl MUST be set to less than or equal to 255" */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 32), 87);
    in[3] = 40;
    q[0] = MCAST_IF_ENTRY;
    q[1] = 3;
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0);
    {
        MIB_IPMCAST_IF_ENTRY *e = (MIB_IPMCAST_IF_ENTRY *)(r + HDR);
        CHECK_EQ(e->dwTtl, 40);
        CHECK_EQ(e->dwRateLimit, 500);
        CHECK_EQ(e->dwProtocol, 10);
        CHECK_EQ(e->ulInMcastOctets, 1234567);
    }
    MprAdminMIBBufferFree(r);

    /* MCAST_BOUNDARY Set (24 bytes): CREATEANDGO adds, DESTROY removes. */
    in[0] = MCAST_BOUNDARY;
    in[1] = 0;
    in[2] = 3;                     /* dwIfIndex */
    in[3] = IPV4(239, 1, 0, 0);    /* dwGroupAddress */
    in[4] = IPV4(255, 255, 0, 0);  /* dwGroupMask */
    in[5] = 4;                     /* ROWSTATUS_CREATEANDGO */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 24), 0);
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 24), 183);
    CHECK_EQ(boundary_count(h), 4);
    q[0] = MCAST_BOUNDARY;
    q[1] = 3;
    q[2] = IPV4(239, 1, 0, 0);
    q[3] = IPV4(255, 255, 0, 0);
    CHECK_EQ(mib(GET, h, q, 4, &r, &size), 0);
    CHECK_EQ(((MIB_IPMCAST_BOUNDARY *)(r + HDR))->dwStatus, 1); /* active */
    MprAdminMIBBufferFree(r);
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 20), 87);
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 28), 87);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, 24), 87);
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, 16), 87);
    in[5] = 1; /* ROWSTATUS_ACTIVE: not a write status */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 24), 87);
    in[5] = 5; /* ROWSTATUS_CREATEANDWAIT */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 24), 87);
    in[5] = 4;
    in[3] = IPV4(224, 1, 0, 0); /* not 239.*.*.* (2.2.1.2.37) */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 24), 87);
    in[3] = IPV4(239, 0, 0, 0);
    in[4] = IPV4(254, 0, 0, 0); /* a range that leaves 239.*.*.* */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 24), 87);
    in[4] = IPV4(255, 0, 0, 0);
    in[2] = 99; /* no such interface */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 24), 1413);
    in[2] = 3;
    in[3] = IPV4(239, 1, 0, 0);
    in[4] = IPV4(255, 255, 0, 0);
    in[5] = 6; /* ROWSTATUS_DESTROY */
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 24), 0);
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 24), 1413);
    CHECK_EQ(boundary_count(h), 3);

    /* Read-only variables: 50. */
    in[0] = IF_STATUS;
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 28), 50);
    in[0] = ROUTE_LONGER;
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, in, 24), 50);
    in[0] = ROUTE_MATCHING; /* a write id, but not this size */
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, in, 28), 87);

    /* The malformations of the new layouts. */
    router_set_malformed(7);
    q[0] = MCAST_MFE;
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(size, mfe_rows);
    CHECK_EQ(*(DWORD *)(r + mfe_rows - (60 + 3 * 16) + 48), 4);
    MprAdminMIBBufferFree(r);
    router_set_malformed(8);
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    CHECK_EQ(size, mfe_rows - (60 + 3 * 16) / 2);
    MprAdminMIBBufferFree(r);
    router_set_malformed(9);
    q[0] = MCAST_SCOPE;
    q[1] = IPV4(239, 192, 0, 0);
    q[2] = IPV4(255, 252, 0, 0);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(((MIB_IPMCAST_SCOPE *)(r + HDR))->snNameBuffer[0], 0xE9);
    CHECK_EQ(((MIB_IPMCAST_SCOPE *)(r + HDR))->snNameBuffer[MAX_SCOPE_NAME_LEN], 0xE9);
    MprAdminMIBBufferFree(r);
    router_set_malformed(0);

    /* Loopback: what iphlpapi answers, or 50 for what it has no counterpart of. */
    router_set_mode(1);
    q[0] = BEST_ROUTE;
    q[1] = IPV4(8, 8, 8, 8);
    q[2] = 0;
    rc = mib(GET, h, q, 3, &r, &size);
    CHECK(rc == 0 || rc == 1232);
    if (!rc)
        MprAdminMIBBufferFree(r);
    q[0] = IF_STATUS;
    CHECK_EQ(mib(FIRST, h, q, 1, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_IFSTATUS));
    CHECK_EQ(((MIB_IFSTATUS *)(r + HDR))->bMHbeatActive, 0);
    MprAdminMIBBufferFree(r);
    CHECK_EQ(reply_size(h, IP6_STATS), HDR + sizeof(MIB_IPSTATS));
    q[0] = PROXY_ARP;
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 50);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
    router_reset();
}

int main(void)
{
    if (!load_controls()) {
        printf("FAIL the stand-in router was not loaded "
               "(set WINEDLLOVERRIDES=\"mprapi=n,b\" and put mprapi.dll next to selftest.exe)\n");
        return 2;
    }
    test_connect();
    test_arguments();
    test_tables();
    test_rows();
    test_changes();
    test_spec_writes();
    test_arp_and_admin_writes();
    test_buffers();
    test_traps();
    test_error_strings();
    test_faults();
    test_threads();
    test_stress();
    test_servers();
    test_malformed();
    test_bench();
    test_loopback();
    test_more_variables();
    printf("%d passed, %d failed\n", g_passes, g_failures);
    return g_failures ? 1 : 0;
}
