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

#include <stddef.h>
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
static void(__cdecl *router_set_sdk_forms)(int);
static void(__cdecl *router_set_mcast_enabled)(int);
static int(__cdecl *router_admin_set_ports)(DWORD, DWORD, DWORD, DWORD);
static int(__cdecl *router_admin_set_connections)(DWORD);
static void(__cdecl *router_admin_set_page_limit)(DWORD);
static void(__cdecl *router_admin_set_max_level)(DWORD);
static void(__cdecl *router_admin_set_lan_only)(int);
static void(__cdecl *router_admin_set_malformed)(int);
static void(__cdecl *router_admin_set_ex_available)(int);
static void(__cdecl *router_admin_set_lenient_levels)(int);
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

#ifndef PID_IPV6
#define PID_IPV6 0x00000057 /* MS-RRASM 3.1.4.30; MinGW's mprapi.h lacks it */
#endif

static DWORD mib_pid(int op, MIB_SERVER_HANDLE h, DWORD pid, const DWORD *q, DWORD words,
                     BYTE **out, DWORD *size)
{
    LPVOID *o = (LPVOID *)out;
    switch (op) {
    case FIRST:
        return MprAdminMIBEntryGetFirst(h, pid, IPRTRMGR_PID, (LPVOID)q, words * 4, o, size);
    case NEXT:
        return MprAdminMIBEntryGetNext(h, pid, IPRTRMGR_PID, (LPVOID)q, words * 4, o, size);
    default:
        return MprAdminMIBEntryGet(h, pid, IPRTRMGR_PID, (LPVOID)q, words * 4, o, size);
    }
}

static DWORD mib(int op, MIB_SERVER_HANDLE h, const DWORD *q, DWORD words, BYTE **out,
                 DWORD *size)
{
    return mib_pid(op, h, PID_IP, q, words, out, size);
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

/* MS-RRASM's reserved[8] after the rows of these four tables (strict replies). */
static DWORD reserved_tail(DWORD var)
{
    return var == IP_FORWARDTABLE || var == IP_NETTABLE || var == TCP_TABLE || var == UDP_TABLE ? 8 : 0;
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
        CHECK_EQ(size, HDR + 4 + n * row_size + reserved_tail(var));
        MprAdminMIBBufferFree(r);
    }
    return n;
}

/* IP_NETTABLE of one interface ({IP_NETTABLE, if index}, MS-RRASM
 * 2.2.1.2.53): its entry count, the reply's size checked. */
static DWORD net_table_count(MIB_SERVER_HANDLE h, DWORD if_index)
{
    BYTE *r = NULL;
    DWORD size = 0, n = 0, q[2] = {IP_NETTABLE, if_index}, rc = mib(GET, h, q, 2, &r, &size);
    CHECK_EQ(rc, 0);
    if (!rc && r) {
        n = entries(r);
        CHECK_EQ(size, HDR + 4 + n * sizeof(MIB_IPNETROW) + 8);
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
    LOAD(router_set_sdk_forms);
    LOAD(router_set_mcast_enabled);
    LOAD(router_admin_set_ports);
    LOAD(router_admin_set_connections);
    LOAD(router_admin_set_page_limit);
    LOAD(router_admin_set_max_level);
    LOAD(router_admin_set_lan_only);
    LOAD(router_admin_set_malformed);
    LOAD(router_admin_set_ex_available);
    LOAD(router_admin_set_lenient_levels);
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
    CHECK_EQ(net_table_count(h, 3), 2);
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
    CHECK_EQ(mib(FIRST, h, q, 2, &r, &size), 0); /* the index's value is ignored */
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
        CHECK_EQ(mib(FIRST, h, q, 2, &r, &size), 0);
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
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0); /* {if index}: its first entry */
    if (r) {
        CHECK_EQ(((MIB_IPNETROW *)(r + HDR))->dwAddr, IPV4(192, 168, 1, 1));
        MprAdminMIBBufferFree(r);
    }

    /* Route walk and exact get. */
    {
        static const DWORD dests[4] = {IPV4(0, 0, 0, 0), IPV4(10, 0, 0, 0),
                                       IPV4(127, 0, 0, 0), IPV4(192, 168, 1, 0)};
        q[0] = IP_FORWARDROW;
        CHECK_EQ(mib(FIRST, h, q, 5, &r, &size), 0);
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
    CHECK_EQ(mib(FIRST, h, q, 5, &r, &size), 232);
    CHECK_EQ(table_count(h, IP_FORWARDTABLE, sizeof(MIB_IPFORWARDROW)), 0);

    /* The table grows without a fixed limit, and stays sorted. */
    for (i = 1000; i > 0; i--) {
        row.dwForwardDest = IPV4(10, 1, i >> 8, i & 0xFF);
        if (route_change(0, h, &row, 0))
            break;
    }
    CHECK_EQ(i, 0);
    CHECK_EQ(table_count(h, IP_FORWARDTABLE, sizeof(MIB_IPFORWARDROW)), 1000);
    CHECK_EQ(mib(FIRST, h, q, 5, &r, &size), 0);
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
    q[3] = 0; /* any view */
    q[4] = 0; /* any protocol */
    CHECK_EQ(mib(GET, h, q, 5, &r, &size), 0);
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
    CHECK_EQ(mib(GET, h, q, 5, &r, &size), 0);
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
    CHECK_EQ(net_table_count(h, 3), 3);
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
    CHECK_EQ(net_table_count(h, 3), 3);

    /* Delete: only {IP_NETTABLE, if index, addr}; IP_NETROW's key is 87. */
    q[0] = IP_NETROW;
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, sizeof q), 87);
    q[0] = IP_NETTABLE;
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, sizeof q - 4), 87);
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, sizeof q), 0);
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, sizeof q), 1413);
    CHECK_EQ(net_table_count(h, 3), 2);

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
    CHECK_EQ(size, 12 + 100000 * 56 + 8);
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
        rc = mib(FIRST, h, q, 5, &r, &size);
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
    DWORD size, q[5] = {IF_TABLE, 0, 0, 0, 0}, n, first_if = 0;
    MIB_IPFORWARDROW row;

    printf("-- loopback mode\n");
    router_reset();
    router_set_mode(1);
    h = connect_local();
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 0);
    n = entries(r);
    CHECK(n >= 1);
    CHECK_EQ(size, HDR + 4 + n * sizeof(MIB_IFROW));
    if (n)
        first_if = ((MIB_IFROW *)(r + HDR + 4))->dwIndex;
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
    print_host_table(h, IP_STATS, "IP_STATS");
    print_host_table(h, ICMP_STATS, "ICMP_STATS");
    print_host_table(h, TCP_STATS, "TCP_STATS");
    print_host_table(h, TCP_TABLE, "TCP_TABLE");
    print_host_table(h, UDP_STATS, "UDP_STATS");
    print_host_table(h, UDP_TABLE, "UDP_TABLE");

    /* Walk the host's interfaces: indices strictly increase. */
    q[0] = IF_ROW;
    CHECK_EQ(mib(FIRST, h, q, 2, &r, &size), 0);
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
    q[1] = 0;
    CHECK_EQ(mib(FIRST, h, q, 5, &r, &size), 0);
    MprAdminMIBBufferFree(r);
    /* These two may legitimately be empty on some hosts. */
    q[0] = IP_ADDRROW;
    n = mib(FIRST, h, q, 2, &r, &size);
    CHECK(n == 0 || n == 232);
    if (!n)
        MprAdminMIBBufferFree(r);
    q[0] = IP_NETROW;
    n = mib(FIRST, h, q, 2, &r, &size);
    CHECK(n == 0 || n == 232);
    if (!n)
        MprAdminMIBBufferFree(r);
    /* IP_NETTABLE of the host's first interface: a table, maybe empty. */
    q[0] = IP_NETTABLE;
    q[1] = first_if;
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 0);
    if (r) {
        printf("     loopback IP_NETTABLE of interface %lu: %lu entries\n", (unsigned long)first_if,
               (unsigned long)entries(r));
        CHECK_EQ(size, HDR + 4 + entries(r) * sizeof(MIB_IPNETROW) + 8);
        MprAdminMIBBufferFree(r);
    }
    q[1] = 0xFFFFFFF0u; /* no such interface */
    CHECK_EQ(mib(GET, h, q, 2, &r, &size), 1413);

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

/* How many proxy ARP entries a walk of PROXY_ARP (GetFirst, GetNext, each
 * with the 3-DWORD index) finds, each reply one 12-byte MIB_PROXYARP. */
static DWORD proxy_count(MIB_SERVER_HANDLE h)
{
    BYTE *r = NULL;
    DWORD size = 0, n = 0, q[4] = {PROXY_ARP, 0, 0, 0}, sizes_ok = 1;
    DWORD rc = mib(FIRST, h, q, 4, &r, &size);
    while (rc == 0) {
        const MIB_PROXYARP *p = (const MIB_PROXYARP *)(r + HDR);
        n++;
        sizes_ok &= size == HDR + sizeof(MIB_PROXYARP);
        q[1] = p->dwAddress;
        q[2] = p->dwMask;
        q[3] = p->dwIfIndex;
        MprAdminMIBBufferFree(r);
        rc = mib(NEXT, h, q, 4, &r, &size);
    }
    CHECK(rc == 259 || rc == 232);
    CHECK(sizes_ok);
    return n;
}

/* How many boundaries a walk of MCAST_BOUNDARY (GetFirst, GetNext) finds. */
static DWORD boundary_count(MIB_SERVER_HANDLE h)
{
    BYTE *r = NULL;
    DWORD size = 0, n = 0, q[4] = {MCAST_BOUNDARY, 0, 0, 0};
    DWORD rc = mib(FIRST, h, q, 4, &r, &size);
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

    /* BEST_ROUTE {dest, 0} (an INTERFACE_ROUTE_INFO: test_best_route) and BEST_IF (dest). */
    q[0] = BEST_ROUTE;
    q[1] = IPV4(10, 9, 8, 7);
    q[2] = 0;
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(size, HDR + 72);
    CHECK_EQ(*(DWORD *)(r + HDR + 12), IPV4(192, 168, 1, 254)); /* dwRtInfoNextHop */
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

    /* Route lookups {dest, mask, view set, proto}: 64-byte rows (the SDK's
     * MIB_IPDESTROW); none: 232; holes in the mask: 87. */
    q[0] = ROUTE_LONGER;
    q[1] = 0;
    q[2] = 0;
    q[3] = 0; /* RTM_VIEW_MASK_ANY */
    q[4] = 0; /* any protocol */
    CHECK_EQ(mib(GET, h, q, 5, &r, &size), 0);
    CHECK_EQ(entries(r), 6);
    CHECK_EQ(size, HDR + 4 + 6 * 64);
    CHECK_EQ(*(DWORD *)(r + HDR + 4 + 2 * 64 + 4 * 4), 7); /* the second 10.0.0.0/8: if 7 */
    CHECK_EQ(*(DWORD *)(r + HDR + 4 + 2 * 64 + 56), 120);  /* its preference */
    MprAdminMIBBufferFree(r);
    q[0] = DEST_LONGER;
    CHECK_EQ(mib(GET, h, q, 5, &r, &size), 0);
    CHECK_EQ(entries(r), 5);
    MprAdminMIBBufferFree(r);
    q[0] = DEST_MATCHING;
    q[1] = IPV4(11, 0, 0, 0);
    q[2] = IPV4(255, 0, 0, 0);
    CHECK_EQ(mib(GET, h, q, 5, &r, &size), 232);
    q[2] = IPV4(255, 0, 255, 0);
    CHECK_EQ(mib(GET, h, q, 5, &r, &size), 87);

    /* MCAST_SCOPE: MS-RRASM's 1016 bytes (test_sdk_forms: the SDK's 524). */
    q[0] = MCAST_SCOPE;
    q[1] = IPV4(239, 255, 0, 0);
    q[2] = IPV4(255, 255, 0, 0);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(size, HDR + 1016);
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
    CHECK_EQ(proxy_count(h), 3);
    router_set_unlisted_writes(1);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, 20), 0);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, 20), 183);
    CHECK_EQ(MprAdminMIBEntryCreate(h, PID_IP, IPRTRMGR_PID, in, 24), 87);
    CHECK_EQ(MprAdminMIBEntrySet(h, PID_IP, IPRTRMGR_PID, in, 20), 87);
    CHECK_EQ(proxy_count(h), 4);
    q[0] = PROXY_ARP;
    q[1] = IPV4(192, 168, 1, 99);
    q[2] = 0xFFFFFFFFu;
    q[3] = 3;
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, 16), 0);
    CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, q, 16), 1413);
    CHECK_EQ(proxy_count(h), 3);
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

    /* The scope name's malformation (the MFEs': test_mfe). */
    router_set_malformed(9);
    q[0] = MCAST_SCOPE;
    q[1] = IPV4(239, 192, 0, 0);
    q[2] = IPV4(255, 252, 0, 0);
    CHECK_EQ(mib(GET, h, q, 3, &r, &size), 0);
    CHECK_EQ(((MIB_IPMCAST_SCOPE *)(r + HDR))->snNameBuffer[0], 0xE9);
    CHECK_EQ(((MIB_IPMCAST_SCOPE *)(r + HDR))->snNameBuffer[MAX_SCOPE_NAME_LEN], 0xE9);
    CHECK_EQ(size, HDR + 1016);
    MprAdminMIBBufferFree(r);
    router_set_malformed(0);

    /* Loopback: what iphlpapi answers, or 50 for what it has no counterpart of. */
    router_set_mode(1);
    q[0] = BEST_ROUTE;
    q[1] = IPV4(8, 8, 8, 8);
    q[2] = 0;
    rc = mib(GET, h, q, 3, &r, &size);
    CHECK(rc == 0 || rc == 1232);
    if (!rc) {
        CHECK_EQ(size, HDR + 72); /* INTERFACE_ROUTE_INFO */
        CHECK_EQ(*(DWORD *)(r + HDR + 68), 1); /* bV4 */
        MprAdminMIBBufferFree(r);
    }
    q[0] = IF_STATUS;
    CHECK_EQ(mib(FIRST, h, q, 2, &r, &size), 0);
    CHECK_EQ(size, HDR + sizeof(MIB_IFSTATUS));
    CHECK_EQ(((MIB_IFSTATUS *)(r + HDR))->bMHbeatActive, 0);
    MprAdminMIBBufferFree(r);
    CHECK_EQ(reply_size(h, IP6_STATS), 0); /* strict: 87 */
    router_set_sdk_forms(1);
    CHECK_EQ(reply_size(h, IP6_STATS), HDR + sizeof(MIB_IPSTATS));
    router_set_sdk_forms(0);
    q[0] = PROXY_ARP;
    CHECK_EQ(mib(GET, h, q, 1, &r, &size), 87); /* the index first */
    CHECK_EQ(mib(GET, h, q, 4, &r, &size), 50);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
    router_reset();
}

/* ------------------------------------------------------------------------ */
/* MS-RRASM's query forms (2.2.1.2.53) and reply forms (2.2.1.2.52), the    */
/* SDK's forms behind router_set_sdk_forms, and PID_IPV6.                   */
/* ------------------------------------------------------------------------ */

#define CHECK_AS(name, cond) check(!!(cond), name, __LINE__)

static const char *const OP_NAMES[] = {"Get", "GetFirst", "GetNext"};

/* One call's outcome; the reply stays live until drop(). */
typedef struct {
    DWORD rc, size;
    BYTE *r;
} GOT;

static GOT got(MIB_SERVER_HANDLE h, int op, DWORD pid, const DWORD *q, DWORD words)
{
    GOT g;
    g.r = (BYTE *)1; /* the router must overwrite both */
    g.size = 99;
    g.rc = mib_pid(op, h, pid, q, words, &g.r, &g.size);
    return g;
}

static void drop(GOT *g)
{
    if (!g->rc && g->r)
        MprAdminMIBBufferFree(g->r);
    g->r = NULL;
}

/* The DWORD at payload offset `off` (reply offset HDR + off), or 0xDEADBEEF
 * past the reply's end. */
static DWORD dw(const GOT *g, DWORD off)
{
    DWORD v;
    if (g->rc || !g->r || HDR + off + 4 > g->size)
        return 0xDEADBEEFu;
    memcpy(&v, g->r + HDR + off, 4);
    return v;
}

/* Are the payload's bytes [from, to) all zero (and inside the reply)? */
static int zeros(const GOT *g, DWORD from, DWORD to)
{
    DWORD i;
    if (g->rc || !g->r || HDR + to > g->size)
        return 0;
    for (i = from; i < to; i++)
        if (g->r[HDR + i])
            return 0;
    return 1;
}

/* The code of one call, its reply freed. */
static DWORD code_of(MIB_SERVER_HANDLE h, int op, DWORD pid, const DWORD *q, DWORD words)
{
    GOT g = got(h, op, pid, q, words);
    DWORD rc = g.rc;
    drop(&g);
    return rc;
}

/* Expects `want` from op on {q[0], q[1..words-1]} under pid; prints the
 * query and counts it in *wrong otherwise. */
static void expect(MIB_SERVER_HANDLE h, int op, DWORD pid, const DWORD *q, DWORD words, DWORD want,
                   int *wrong)
{
    GOT g = got(h, op, pid, q, words);
    if (g.rc != want) {
        printf("     %s of variable %lu (pid 0x%lx) with %lu index values: %lu, expected %lu\n",
               OP_NAMES[op], (unsigned long)q[0], (unsigned long)pid, (unsigned long)(words - 1),
               (unsigned long)g.rc, (unsigned long)want);
        (*wrong)++;
    }
    drop(&g);
}

/* Expects 87 from op with every index size in 0..5 but the `ok` mask's. */
static void expect_sizes_refused(MIB_SERVER_HANDLE h, int op, DWORD pid, DWORD var, DWORD ok,
                                 int *wrong)
{
    DWORD q[6] = {var, 0, 0, 0, 0, 0}, n;
    for (n = 0; n <= 5; n++)
        if (!(ok >> n & 1))
            expect(h, op, pid, q, 1 + n, 87, wrong);
}

/* Rule 1: the variables whose index 2.2.1.2.53 says is "Not used." (and
 * TCP_TABLE, which it has no row for): Get with no index, nothing else. */
static void test_not_used_index(void)
{
    static const DWORD vars[] = {IF_NUMBER, IF_TABLE, IP_STATS, IP_ADDRTABLE, IP_FORWARDNUMBER,
                                 IP_FORWARDTABLE, ICMP_STATS, TCP_STATS, UDP_STATS, UDP_TABLE,
                                 MCAST_GLOBAL, ROUTE_STATE, TCP_TABLE};
    MIB_SERVER_HANDLE h;
    DWORD i, q[1];
    int get_ok = 0, get_sized = 0, first = 0, next = 0;

    printf("-- rule 1: \"Not used.\" index: Get with no index only\n");
    router_reset();
    h = connect_local();
    for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        q[0] = vars[i];
        expect(h, GET, PID_IP, q, 1, 0, &get_ok);
        expect_sizes_refused(h, GET, PID_IP, vars[i], 1u << 0, &get_sized);
        expect_sizes_refused(h, FIRST, PID_IP, vars[i], 0, &first);
        expect_sizes_refused(h, NEXT, PID_IP, vars[i], 0, &next);
    }
    CHECK_AS("rule 1: Get with no index answers each not-used variable", get_ok == 0);
    CHECK_AS("rule 1: Get with 1..5 index values: 87", get_sized == 0);
    CHECK_AS("rule 1: GetFirst of a not-used variable: 87", first == 0);
    CHECK_AS("rule 1: GetNext of a not-used variable: 87", next == 0);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* Rule 2: the row variables take exactly their index, for Get, GetFirst and
 * GetNext alike; GetFirst ignores its values but no longer takes none. */
static void test_row_index(void)
{
    static const struct {
        DWORD var, n, key[4];
    } rows[] = {
        {IF_ROW, 1, {3}},
        {IP_ADDRROW, 1, {IPV4(10, 20, 30, 40)}},
        {IP_FORWARDROW, 4, {0, 3, 0, IPV4(192, 168, 1, 1)}},
        {TCP_ROW, 4, {0, 0x8700, 0, 0}},
        {IF_STATUS, 1, {3}},
        {MCAST_IF_ENTRY, 1, {3}},
        {MCAST_BOUNDARY, 3, {3, IPV4(239, 192, 0, 0), IPV4(255, 252, 0, 0)}},
        {PROXY_ARP, 3, {IPV4(192, 168, 1, 50), 0xFFFFFFFFu, 3}},
    };
    MIB_SERVER_HANDLE h;
    DWORD i, q[5];
    int exact = 0, first_none = 0, others = 0, ignored = 0;

    printf("-- rule 2: row variables: exactly their index for Get, GetFirst, GetNext\n");
    router_reset();
    h = connect_local();
    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        DWORD zero[5] = {rows[i].var, 0xFFFFFFF0u, 0xFFFFFFF0u, 0xFFFFFFF0u, 0xFFFFFFF0u};
        q[0] = rows[i].var;
        memcpy(q + 1, rows[i].key, 4 * sizeof(DWORD));
        expect(h, GET, PID_IP, q, 1 + rows[i].n, 0, &exact);
        expect(h, FIRST, PID_IP, q, 1 + rows[i].n, 0, &exact);
        expect(h, NEXT, PID_IP, q, 1 + rows[i].n, 0, &exact);
        /* GetFirst's values are not looked at. */
        expect(h, FIRST, PID_IP, zero, 1 + rows[i].n, 0, &ignored);
        expect(h, FIRST, PID_IP, q, 1, 87, &first_none);
        expect_sizes_refused(h, GET, PID_IP, rows[i].var, 1u << rows[i].n, &others);
        expect_sizes_refused(h, FIRST, PID_IP, rows[i].var, 1u << rows[i].n, &others);
        expect_sizes_refused(h, NEXT, PID_IP, rows[i].var, 1u << rows[i].n, &others);
    }
    CHECK_AS("rule 2: Get, GetFirst and GetNext with the whole index", exact == 0);
    CHECK_AS("rule 2: GetFirst ignores its index values", ignored == 0);
    CHECK_AS("rule 2: GetFirst with no index: 87", first_none == 0);
    CHECK_AS("rule 2: any other index size: 87", others == 0);
    q[0] = PROXY_ARP;
    CHECK_AS("rule 2: PROXY_ARP Get with no index: 87 (strict)",
             code_of(h, GET, PID_IP, q, 1) == 87);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* Rule 3: IP_NETTABLE, Get {if index} or {if index, addr}. */
static void test_net_table_index(void)
{
    MIB_SERVER_HANDLE h;
    DWORD q[4] = {IP_NETTABLE, 3, 0, 0};
    GOT g;
    int wrong = 0;

    printf("-- rule 3: IP_NETTABLE: Get {if index} or {if index, addr}\n");
    router_reset();
    h = connect_local();
    CHECK_AS("rule 3: IP_NETTABLE Get with no index: 87", code_of(h, GET, PID_IP, q, 1) == 87);
    CHECK_AS("rule 3: IP_NETTABLE Get with 3 index values: 87",
             code_of(h, GET, PID_IP, q, 4) == 87);
    expect(h, FIRST, PID_IP, q, 2, 87, &wrong);
    expect(h, NEXT, PID_IP, q, 2, 87, &wrong);
    expect(h, FIRST, PID_IP, q, 3, 87, &wrong);
    expect(h, NEXT, PID_IP, q, 3, 87, &wrong);
    CHECK_AS("rule 3: IP_NETTABLE GetFirst and GetNext: 87", wrong == 0);

    g = got(h, GET, PID_IP, q, 2); /* {3}: the interface's two entries */
    CHECK_EQ(g.rc, 0);
    CHECK_EQ(g.size, HDR + 4 + 2 * sizeof(MIB_IPNETROW) + 8);
    CHECK_EQ(dw(&g, 0), 2);
    CHECK_EQ(dw(&g, 4 + offsetof(MIB_IPNETROW, dwAddr)), IPV4(192, 168, 1, 1));
    CHECK_EQ(dw(&g, 4 + 24 + offsetof(MIB_IPNETROW, dwAddr)), IPV4(192, 168, 1, 254));
    drop(&g);
    q[1] = 1; /* an interface with no ARP entry: an empty table */
    g = got(h, GET, PID_IP, q, 2);
    CHECK_EQ(g.rc, 0);
    CHECK_EQ(g.size, HDR + 4 + 8);
    CHECK_EQ(dw(&g, 0), 0);
    drop(&g);
    q[1] = 99; /* no such interface */
    CHECK_AS("rule 3: IP_NETTABLE {if index} of no interface: 1413",
             code_of(h, GET, PID_IP, q, 2) == 1413);
    q[1] = 3;
    q[2] = IPV4(192, 168, 1, 254);
    g = got(h, GET, PID_IP, q, 3); /* {3, addr}: that entry */
    CHECK_EQ(g.rc, 0);
    CHECK_EQ(g.size, HDR + 4 + sizeof(MIB_IPNETROW) + 8);
    CHECK_EQ(dw(&g, 0), 1);
    CHECK_EQ(dw(&g, 4 + offsetof(MIB_IPNETROW, dwAddr)), IPV4(192, 168, 1, 254));
    CHECK_EQ(dw(&g, 4 + offsetof(MIB_IPNETROW, dwType)), 4);
    drop(&g);
    q[2] = IPV4(192, 168, 1, 99);
    CHECK_AS("rule 3: IP_NETTABLE {if index, addr} with no such entry: 1413",
             code_of(h, GET, PID_IP, q, 3) == 1413);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* The row a call answers with its DWORD at payload offset `off`, or
 * 0xDEADBEEF when it fails; the reply freed. */
static DWORD row_field(MIB_SERVER_HANDLE h, int op, const DWORD *q, DWORD words, DWORD off,
                       DWORD *rc)
{
    GOT g = got(h, op, PID_IP, q, words);
    DWORD v = dw(&g, off);
    *rc = g.rc;
    drop(&g);
    return v;
}

/* Rule 4: IP_NETROW by {if index} or {if index, addr}. */
static void test_net_row_index(void)
{
    MIB_SERVER_HANDLE h;
    DWORD q[4] = {IP_NETROW, 3, 0, 0}, rc;
    const DWORD addr = offsetof(MIB_IPNETROW, dwAddr);

    printf("-- rule 4: IP_NETROW: {if index} or {if index, addr}\n");
    router_reset();
    h = connect_local();
    CHECK_EQ(row_field(h, GET, q, 2, addr, &rc), IPV4(192, 168, 1, 1)); /* the interface's first */
    q[1] = 1;
    CHECK_AS("rule 4: IP_NETROW Get {if index} of an interface with none: 1413",
             code_of(h, GET, PID_IP, q, 2) == 1413);
    q[1] = 3;
    q[2] = IPV4(192, 168, 1, 254);
    CHECK_EQ(row_field(h, GET, q, 3, addr, &rc), IPV4(192, 168, 1, 254));
    q[2] = IPV4(192, 168, 1, 2);
    CHECK_EQ(code_of(h, GET, PID_IP, q, 3), 1413);
    /* GetFirst: either size, values ignored; neither none nor three. */
    q[1] = 77;
    CHECK_EQ(row_field(h, FIRST, q, 2, addr, &rc), IPV4(192, 168, 1, 1));
    CHECK_EQ(row_field(h, FIRST, q, 3, addr, &rc), IPV4(192, 168, 1, 1));
    CHECK_AS("rule 4: IP_NETROW GetFirst with no index: 87", code_of(h, FIRST, PID_IP, q, 1) == 87);
    CHECK_AS("rule 4: IP_NETROW with 3 index values: 87",
             code_of(h, GET, PID_IP, q, 4) == 87 && code_of(h, FIRST, PID_IP, q, 4) == 87 &&
                 code_of(h, NEXT, PID_IP, q, 4) == 87);
    CHECK_AS("rule 4: IP_NETROW Get and GetNext with no index: 87",
             code_of(h, GET, PID_IP, q, 1) == 87 && code_of(h, NEXT, PID_IP, q, 1) == 87);
    /* GetNext {if index}: the first entry of a greater interface. */
    q[1] = 1;
    CHECK_EQ(row_field(h, NEXT, q, 2, addr, &rc), IPV4(192, 168, 1, 1));
    q[1] = 3;
    CHECK_AS("rule 4: IP_NETROW GetNext {if index} skips the interface's own entries: 259",
             code_of(h, NEXT, PID_IP, q, 2) == 259);
    /* GetNext {if index, addr}: strictly after. */
    q[2] = IPV4(192, 168, 1, 1);
    CHECK_EQ(row_field(h, NEXT, q, 3, addr, &rc), IPV4(192, 168, 1, 254));
    q[2] = IPV4(192, 168, 1, 254);
    CHECK_EQ(code_of(h, NEXT, PID_IP, q, 3), 259);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* Rule 5: UDP_ROW and MCAST_SCOPE: Get the whole index; GetFirst and
 * GetNext the first key or the whole index. */
static void test_udp_scope_index(void)
{
    MIB_SERVER_HANDLE h;
    DWORD q[4] = {UDP_ROW, 0, 0x3500, 0}, rc; /* 0.0.0.0:53 */
    const DWORD udp_addr = offsetof(MIB_UDPROW, dwLocalAddr);
    const DWORD scope_group = offsetof(MIB_IPMCAST_SCOPE, dwGroupAddress);

    printf("-- rule 5: UDP_ROW and MCAST_SCOPE: Get 2, GetFirst/GetNext 1 or 2\n");
    router_reset();
    h = connect_local();
    CHECK_AS("rule 5: UDP_ROW Get with 1 index value: 87", code_of(h, GET, PID_IP, q, 2) == 87);
    CHECK_EQ(code_of(h, GET, PID_IP, q, 3), 0);
    CHECK_EQ(code_of(h, GET, PID_IP, q, 1), 87);
    CHECK_EQ(code_of(h, GET, PID_IP, q, 4), 87);
    CHECK_EQ(row_field(h, FIRST, q, 2, udp_addr, &rc), 0);
    CHECK_EQ(rc, 0);
    CHECK_EQ(row_field(h, FIRST, q, 3, udp_addr, &rc), 0);
    CHECK_EQ(rc, 0);
    CHECK_AS("rule 5: UDP_ROW GetFirst with no index or 3: 87",
             code_of(h, FIRST, PID_IP, q, 1) == 87 && code_of(h, FIRST, PID_IP, q, 4) == 87);
    CHECK_AS("rule 5: UDP_ROW GetNext {addr}: the first row of a greater address",
             row_field(h, NEXT, q, 2, udp_addr, &rc) == IPV4(192, 168, 1, 10));
    CHECK_EQ(row_field(h, NEXT, q, 3, udp_addr, &rc), IPV4(192, 168, 1, 10));
    q[1] = IPV4(192, 168, 1, 10);
    CHECK_EQ(code_of(h, NEXT, PID_IP, q, 2), 259);
    CHECK_EQ(code_of(h, NEXT, PID_IP, q, 1), 87);

    q[0] = MCAST_SCOPE;
    q[1] = IPV4(239, 192, 0, 0);
    q[2] = IPV4(255, 252, 0, 0);
    CHECK_AS("rule 5: MCAST_SCOPE Get with 1 index value: 87", code_of(h, GET, PID_IP, q, 2) == 87);
    CHECK_EQ(code_of(h, GET, PID_IP, q, 3), 0);
    CHECK_EQ(row_field(h, FIRST, q, 2, scope_group, &rc), IPV4(239, 192, 0, 0));
    CHECK_EQ(row_field(h, FIRST, q, 3, scope_group, &rc), IPV4(239, 192, 0, 0));
    CHECK_EQ(code_of(h, FIRST, PID_IP, q, 1), 87);
    CHECK_AS("rule 5: MCAST_SCOPE GetNext {group}: the first row of a greater group",
             row_field(h, NEXT, q, 2, scope_group, &rc) == IPV4(239, 255, 0, 0));
    CHECK_EQ(row_field(h, NEXT, q, 3, scope_group, &rc), IPV4(239, 255, 0, 0));
    q[1] = IPV4(239, 255, 0, 0);
    CHECK_EQ(code_of(h, NEXT, PID_IP, q, 2), 259);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* {var, group, source, tail}: an MFE query (MS-RRASM 2.2.1.2.53). */
static void mfe_query(DWORD *q, DWORD var, DWORD group, DWORD source, DWORD tail)
{
    q[0] = var;
    q[1] = group;
    q[2] = source;
    q[3] = tail;
}

/* Where an MFE table's row starts in its payload: MS-RRASM's x64 form
 * (the rows hold a PVOID, so they are 8-aligned: 4 zero bytes after
 * dwNumEntries), or the SDK's (right after dwNumEntries). */
#define MFE_ROW_STRICT 8u
#define MFE_ROW_SDK 4u

/* How many MFEs a walk of `var` finds (GetFirst, then GetNext from each
 * MFE's group and source until a reply with no data), each reply a table
 * of one whose row starts at `row`. */
static DWORD mfe_walk(MIB_SERVER_HANDLE h, DWORD var, DWORD row, int *tables_of_one)
{
    DWORD q[4], n = 0;
    GOT g;
    mfe_query(q, var, 0, 0, 0xFFFFFFFFu);
    g = got(h, FIRST, PID_IP, q, 4);
    while (g.rc == 0 && g.r) {
        if (dw(&g, 0) != 1 || (row == MFE_ROW_STRICT && dw(&g, 4) != 0))
            *tables_of_one = 0;
        n++;
        q[1] = dw(&g, row);
        q[2] = dw(&g, row + 4);
        drop(&g);
        if (n > 10)
            break;
        g = got(h, NEXT, PID_IP, q, 4);
    }
    CHECK_EQ(g.rc, 0);
    CHECK(g.r == NULL && g.size == 0);
    drop(&g);
    return n;
}

/* Rule 6: the MFEs: {group, source, src mask}, a table of one MFE, no data
 * (ERROR_SUCCESS) when there is none; the strict layouts. */
static void test_mfe(void)
{
    static const DWORD vars[3] = {MCAST_MFE, MCAST_MFE_STATS, MCAST_MFE_STATS_EX};
    const DWORD R = MFE_ROW_STRICT, S = MFE_ROW_SDK;
    MIB_SERVER_HANDLE h;
    DWORD q[6], i, n;
    GOT g, g2;
    int wrong = 0, tail = 0, one = 1;

    printf("-- rule 6: MFEs: {group, source, src mask}, tables of one, NULL when none\n");
    router_reset();
    h = connect_local();
    for (i = 0; i < 3; i++) {
        mfe_query(q, vars[i], IPV4(239, 1, 1, 1), IPV4(192, 168, 1, 20), 0xFFFFFFFFu);
        expect(h, GET, PID_IP, q, 4, 0, &wrong);
        expect(h, FIRST, PID_IP, q, 4, 0, &wrong);
        expect(h, NEXT, PID_IP, q, 4, 0, &wrong);
        expect_sizes_refused(h, GET, PID_IP, vars[i], 1u << 3, &wrong);
        expect_sizes_refused(h, FIRST, PID_IP, vars[i], 1u << 3, &wrong);
        expect_sizes_refused(h, NEXT, PID_IP, vars[i], 1u << 3, &wrong);
        q[3] = 0; /* rgdwVarIndex[2]: 0xFFFFFFFF, or not used (STATS_EX) */
        expect(h, GET, PID_IP, q, 4, i == 2 ? 0 : 87, &tail);
        expect(h, FIRST, PID_IP, q, 4, i == 2 ? 0 : 87, &tail);
        expect(h, NEXT, PID_IP, q, 4, i == 2 ? 0 : 87, &tail);
        CHECK_EQ(mfe_walk(h, vars[i], R, &one), 3);
    }
    CHECK_AS("rule 6: MFEs take exactly 3 index values (Get with none: 87)", wrong == 0);
    CHECK_AS("rule 6: MCAST_MFE(_STATS) index[2] other than 0xFFFFFFFF: 87; _STATS_EX: any",
             tail == 0);
    CHECK_AS("rule 6: every MFE reply is a table of one MFE, its row 8-aligned (4 zero bytes)", one);

    /* Get: the (group, source) given, whatever the mask; none: no data, 0. */
    mfe_query(q, MCAST_MFE, IPV4(239, 1, 1, 1), IPV4(192, 168, 1, 20), 0xFFFFFFFFu);
    g = got(h, GET, PID_IP, q, 4);
    CHECK_EQ(g.rc, 0);
    CHECK_EQ(dw(&g, 0), 1);
    CHECK_EQ(dw(&g, 4), 0);
    CHECK_EQ(dw(&g, R + 4), IPV4(192, 168, 1, 20));
    drop(&g);
    q[2] = IPV4(192, 168, 1, 21);
    g = got(h, GET, PID_IP, q, 4);
    CHECK_AS("rule 6: MFE Get of none: ERROR_SUCCESS with no data",
             g.rc == 0 && g.r == NULL && g.size == 0);
    router_set_out_untouched_on_error(1); /* a success writes its outputs anyway */
    g = got(h, GET, PID_IP, q, 4);
    CHECK(g.rc == 0 && g.r == NULL && g.size == 0);
    router_set_out_untouched_on_error(0);
    /* GetFirst: the first; GetNext: the first strictly after (group, source). */
    mfe_query(q, MCAST_MFE, 0, 0, 0xFFFFFFFFu);
    g = got(h, FIRST, PID_IP, q, 4);
    CHECK_EQ(g.size, HDR + R + 64);
    CHECK_EQ(dw(&g, R), IPV4(239, 1, 1, 1));
    CHECK_EQ(dw(&g, R + 4), 0);
    drop(&g);
    mfe_query(q, MCAST_MFE, IPV4(239, 1, 1, 1), IPV4(5, 5, 5, 5), 0xFFFFFFFFu);
    g = got(h, NEXT, PID_IP, q, 4);
    CHECK_EQ(dw(&g, R + 4), IPV4(192, 168, 1, 20));
    drop(&g);
    mfe_query(q, MCAST_MFE, IPV4(239, 192, 4, 5), IPV4(10, 20, 30, 99), 0xFFFFFFFFu);
    g = got(h, NEXT, PID_IP, q, 4);
    CHECK_AS("rule 6: MFE GetNext past the last: ERROR_SUCCESS with no data",
             g.rc == 0 && g.r == NULL && g.size == 0);

    /* MCAST_MFE, strict: 60 fixed + 4 pad, then 24 per outgoing interface. */
    g = got(h, GET, PID_IP, q, 4);
    CHECK_AS("rule 6: MCAST_MFE strict row: 64 + 24 per outgoing interface, 8 into the payload",
             g.rc == 0 && g.size == HDR + R + 64 + 3 * 24 && zeros(&g, 4, 8));
    CHECK_EQ(dw(&g, R + 48), 3);                      /* ulNumOutIf */
    CHECK(zeros(&g, R + 56, R + 64));                 /* dwReserved, padding */
    CHECK_EQ(dw(&g, R + 64 + 24), 3);                 /* oif[1].dwOutIfIndex */
    CHECK_EQ(dw(&g, R + 64 + 48), 3);                 /* oif[2].dwOutIfIndex */
    CHECK_EQ(dw(&g, R + 64 + 48 + 4), IPV4(192, 168, 1, 77));
    CHECK(zeros(&g, R + 64 + 48 + 8, R + 64 + 72));   /* pvReserved, dwReserved, pad */
    drop(&g);
    /* MCAST_MFE_STATS, strict: 64 fixed, then 32 per outgoing interface. */
    q[0] = MCAST_MFE_STATS;
    g = got(h, GET, PID_IP, q, 4);
    CHECK_AS("rule 6: MCAST_MFE_STATS strict row: 64 + 32 per outgoing interface, 8 into the payload",
             g.rc == 0 && g.size == HDR + R + 64 + 3 * 32 && zeros(&g, 4, 8));
    CHECK_EQ(dw(&g, R + 44), 3);                       /* ulNumOutIf */
    CHECK_EQ(dw(&g, R + 64 + 64), 3);                  /* oif[2].dwOutIfIndex */
    CHECK_EQ(dw(&g, R + 64 + 64 + 4), IPV4(192, 168, 1, 77));
    CHECK(zeros(&g, R + 64 + 64 + 8, R + 64 + 64 + 16)); /* pvDialContext */
    CHECK_EQ(dw(&g, R + 64 + 64 + 16), 301);           /* ulTtlTooLow */
    CHECK_EQ(dw(&g, R + 64 + 64 + 28), 304);           /* ulOutDiscards */
    /* MCAST_MFE_STATS_EX, strict: MIB_MFE_STATS_TABLE, the same rows. */
    q[0] = MCAST_MFE_STATS_EX;
    g2 = got(h, GET, PID_IP, q, 4);
    CHECK_AS("rule 6: MCAST_MFE_STATS_EX strict rows are MCAST_MFE_STATS's",
             g2.rc == 0 && g2.size == g.size && g.r && g2.r &&
                 !memcmp(g.r + HDR, g2.r + HDR, g.size - HDR));
    drop(&g);
    drop(&g2);

    /* Malformations 7 and 8 on the strict forms. */
    router_set_malformed(7);
    q[0] = MCAST_MFE;
    g = got(h, GET, PID_IP, q, 4);
    CHECK_AS("rule 6: malformation 7 on a strict MCAST_MFE reply",
             g.rc == 0 && g.size == HDR + R + 64 + 3 * 24 && dw(&g, R + 48) == 4);
    drop(&g);
    q[0] = MCAST_MFE_STATS;
    g = got(h, GET, PID_IP, q, 4);
    CHECK_EQ(dw(&g, R + 44), 4);
    drop(&g);
    router_set_malformed(8);
    q[0] = MCAST_MFE;
    g = got(h, GET, PID_IP, q, 4);
    CHECK_AS("rule 6: malformation 8 on a strict MCAST_MFE reply",
             g.rc == 0 && g.size == HDR + R + (64 + 3 * 24) / 2);
    drop(&g);
    q[0] = MCAST_MFE_STATS_EX;
    g = got(h, GET, PID_IP, q, 4);
    CHECK_EQ(g.size, HDR + R + (64 + 3 * 32) / 2);
    drop(&g);
    router_set_malformed(4); /* no data is not damaged */
    q[2] = IPV4(10, 20, 30, 98);
    g = got(h, GET, PID_IP, q, 4);
    CHECK(g.rc == 0 && g.r == NULL && g.size == 0);
    router_set_malformed(0);

    /* The SDK's forms: rows right after dwNumEntries, 60 + 16, 64 + 28, 84 + 28. */
    router_set_sdk_forms(1);
    q[2] = IPV4(10, 20, 30, 99);
    q[0] = MCAST_MFE;
    g = got(h, GET, PID_IP, q, 4);
    CHECK_AS("rule 6/14: SDK MCAST_MFE row: 60 + 16 per outgoing interface",
             g.rc == 0 && g.size == HDR + S + 60 + 3 * 16);
    CHECK_EQ(dw(&g, S), IPV4(239, 192, 4, 5));
    CHECK_EQ(dw(&g, S + 60 + 32), 3);
    CHECK_EQ(dw(&g, S + 60 + 32 + 4), IPV4(192, 168, 1, 77));
    drop(&g);
    q[0] = MCAST_MFE_STATS;
    g = got(h, GET, PID_IP, q, 4);
    CHECK_AS("rule 6/14: SDK MCAST_MFE_STATS row: 64 + 28 per outgoing interface",
             g.rc == 0 && g.size == HDR + S + 64 + 3 * 28);
    CHECK_EQ(dw(&g, S + 64 + 56 + 12), 301);
    drop(&g);
    q[0] = MCAST_MFE_STATS_EX;
    g = got(h, GET, PID_IP, q, 4);
    CHECK_AS("rule 6/14: SDK MCAST_MFE_STATS_EX row: 84 + 28 per outgoing interface",
             g.rc == 0 && g.size == HDR + S + 84 + 3 * 28);
    CHECK_EQ(dw(&g, S + 64), 70005);   /* ulUninitMfe */
    CHECK_EQ(dw(&g, S + 80), 210000);  /* ulTotalOutPackets */
    CHECK_EQ(dw(&g, S + 84 + 12), 101); /* oif[0].ulTtlTooLow */
    drop(&g);
    router_set_malformed(8);
    g = got(h, GET, PID_IP, q, 4);
    CHECK_EQ(g.size, HDR + S + (84 + 3 * 28) / 2);
    drop(&g);
    router_set_malformed(0);
    /* The query rules do not change with the switch. */
    q[3] = 0;
    q[0] = MCAST_MFE;
    CHECK_EQ(code_of(h, GET, PID_IP, q, 4), 87);
    CHECK_EQ(code_of(h, GET, PID_IP, q, 1), 87);
    n = mfe_walk(h, MCAST_MFE_STATS_EX, S, &one);
    CHECK_EQ(n, 3);
    router_set_sdk_forms(0);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* Rule 7: BEST_IF {dest}, BEST_ROUTE {dest, 0}; BEST_ROUTE's strict reply
 * is INTERFACE_ROUTE_INFO (72 bytes), the SDK's a MIB_IPFORWARDROW. */
static void test_best_route(void)
{
    MIB_SERVER_HANDLE h;
    MIB_IPFORWARDROW row;
    DWORD q[4] = {BEST_IF, IPV4(10, 9, 8, 7), 0, 0};
    GOT g;

    printf("-- rule 7: BEST_IF {dest}, BEST_ROUTE {dest, 0}, INTERFACE_ROUTE_INFO\n");
    router_reset();
    h = connect_local();
    CHECK_EQ(code_of(h, GET, PID_IP, q, 2), 0);
    CHECK_AS("rule 7: BEST_IF with 0 or 2 index values: 87",
             code_of(h, GET, PID_IP, q, 1) == 87 && code_of(h, GET, PID_IP, q, 3) == 87);
    CHECK_EQ(code_of(h, FIRST, PID_IP, q, 2), 87);
    q[0] = BEST_ROUTE;
    CHECK_EQ(code_of(h, GET, PID_IP, q, 3), 0);
    CHECK_AS("rule 7: BEST_ROUTE with 1 or 3 index values: 87",
             code_of(h, GET, PID_IP, q, 2) == 87 && code_of(h, GET, PID_IP, q, 4) == 87);
    q[2] = IPV4(192, 168, 1, 10); /* a source: index[1] MUST be 0 */
    CHECK_AS("rule 7: BEST_ROUTE index[1] other than 0: 87", code_of(h, GET, PID_IP, q, 3) == 87);
    q[2] = 0;
    CHECK_EQ(code_of(h, NEXT, PID_IP, q, 3), 87);

    g = got(h, GET, PID_IP, q, 3); /* 10.0.0.0/8 via 192.168.1.254, RIP */
    CHECK_AS("rule 7: BEST_ROUTE strict reply: INTERFACE_ROUTE_INFO, 72 bytes",
             g.rc == 0 && g.size == HDR + 72);
    CHECK_EQ(dw(&g, 0), IPV4(10, 0, 0, 0));       /* dwRtInfoDest */
    CHECK_EQ(dw(&g, 4), IPV4(255, 0, 0, 0));      /* dwRtInfoMask */
    CHECK_EQ(dw(&g, 8), 0);                       /* dwRtInfoPolicy */
    CHECK_EQ(dw(&g, 12), IPV4(192, 168, 1, 254)); /* dwRtInfoNextHop */
    CHECK_EQ(dw(&g, 16), 30);                     /* dwRtInfoAge */
    CHECK_EQ(dw(&g, 20), 65001);                  /* dwRtInfoNextHopAS */
    CHECK_EQ(dw(&g, 24), 2);                      /* dwRtInfoMetric1 */
    CHECK_EQ(dw(&g, 28), 3);                      /* dwRtInfoMetric2 */
    CHECK_EQ(dw(&g, 32), 4);                      /* dwRtInfoMetric3 */
    CHECK(zeros(&g, 36, 48));                     /* the rest of the union */
    CHECK_EQ(dw(&g, 48), 3);                      /* dwRtInfoIfIndex */
    CHECK_EQ(dw(&g, 52), 4);                      /* dwRtInfoType */
    CHECK_EQ(dw(&g, 56), 8);                      /* dwRtInfoProto */
    CHECK_EQ(dw(&g, 60), 120);                    /* dwRtInfoPreference */
    CHECK_EQ(dw(&g, 64), 3);                      /* dwRtInfoViewSet */
    CHECK_AS("rule 7: INTERFACE_ROUTE_INFO bV4 is 1", dw(&g, 68) == 1);
    drop(&g);
    /* The chosen route's own preference and view set, as written. */
    memset(&row, 0, sizeof row);
    row.dwForwardDest = IPV4(10, 9, 8, 0);
    row.dwForwardMask = IPV4(255, 255, 255, 0);
    row.dwForwardNextHop = IPV4(192, 168, 1, 1);
    row.dwForwardIfIndex = 3;
    row.dwForwardType = 4;
    row.dwForwardProto = 3;
    row.dwForwardMetric1 = 5;
    CHECK_EQ(route_write(0, h, &row, 1, 2, 0), 0);
    g = got(h, GET, PID_IP, q, 3);
    CHECK_EQ(dw(&g, 0), IPV4(10, 9, 8, 0));
    CHECK_AS("rule 7: BEST_ROUTE gives the route's own preference and view set",
             dw(&g, 60) == 0x7F && dw(&g, 64) == 2);
    drop(&g);
    CHECK_EQ(route_write(2, h, &row, 1, 2, 0), 0);

    router_set_sdk_forms(1);
    g = got(h, GET, PID_IP, q, 3);
    CHECK_AS("rule 7/14: BEST_ROUTE SDK reply: MIB_IPFORWARDROW, 56 bytes",
             g.rc == 0 && g.size == HDR + sizeof(MIB_IPFORWARDROW));
    CHECK_EQ(dw(&g, offsetof(MIB_IPFORWARDROW, dwForwardIfIndex)), 3);
    CHECK_EQ(dw(&g, offsetof(MIB_IPFORWARDROW, dwForwardMetric5)), 6);
    drop(&g);
    q[2] = IPV4(192, 168, 1, 10);
    CHECK_AS("rule 14: the SDK forms keep the query rules (BEST_ROUTE source: 87)",
             code_of(h, GET, PID_IP, q, 3) == 87);
    router_reset();
    q[2] = 0;
    g = got(h = connect_local(), GET, PID_IP, q, 3);
    CHECK_AS("rule 14: router_reset restores the strict forms", g.size == HDR + 72);
    drop(&g);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* The entry count of a route lookup {var, dest, mask, views, proto}, or
 * 0x1000 + its error code. */
static DWORD lookup_count(MIB_SERVER_HANDLE h, DWORD var, DWORD dest, DWORD mask, DWORD views,
                          DWORD proto, DWORD *if_of_first)
{
    DWORD q[5] = {var, dest, mask, views, proto}, n;
    GOT g = got(h, GET, PID_IP, q, 5);
    if (g.rc)
        return 0x1000 + g.rc;
    n = dw(&g, 0);
    CHECK_EQ(g.size, HDR + 4 + n * 64);
    if (if_of_first)
        *if_of_first = dw(&g, 4 + 16);
    drop(&g);
    return n;
}

/* Rule 8: the route lookups take {dest, mask, view set, proto}. */
static void test_route_views(void)
{
    static const DWORD vars[6] = {DEST_MATCHING, DEST_LONGER, DEST_SHORTER,
                                  ROUTE_MATCHING, ROUTE_LONGER, ROUTE_SHORTER};
    MIB_SERVER_HANDLE h;
    MIB_IPFORWARDROW row;
    DWORD i, if_index = 0;
    int wrong = 0;

    printf("-- rule 8: route lookups {dest, mask, view set, proto}\n");
    router_reset();
    h = connect_local();
    for (i = 0; i < 6; i++) {
        DWORD q[5] = {vars[i], 0, 0, 0, 0};
        expect(h, GET, PID_IP, q, 5, 0, &wrong);
        expect_sizes_refused(h, GET, PID_IP, vars[i], 1u << 4, &wrong);
        expect_sizes_refused(h, FIRST, PID_IP, vars[i], 0, &wrong);
        expect_sizes_refused(h, NEXT, PID_IP, vars[i], 0, &wrong);
    }
    CHECK_AS("rule 8: route lookups take exactly 4 index values (2: 87)", wrong == 0);
    CHECK_EQ(lookup_count(h, ROUTE_LONGER, 0, 0, 0, 0, NULL), 6);
    CHECK_AS("rule 8: view set 2 (multicast): the routes in that view",
             lookup_count(h, ROUTE_LONGER, 0, 0, 2, 0, NULL) == 4);
    CHECK_EQ(lookup_count(h, ROUTE_LONGER, 0, 0, 1, 0, NULL), 5);
    CHECK_AS("rule 8: proto 8 (RIP): that protocol's routes",
             lookup_count(h, ROUTE_LONGER, 0, 0, 0, 8, NULL) == 2);
    CHECK_EQ(lookup_count(h, ROUTE_LONGER, 0, 0, 2, 3, NULL), 2);
    CHECK_EQ(lookup_count(h, ROUTE_LONGER, 0, 0, 1, 3, NULL), 1);
    CHECK_EQ(lookup_count(h, DEST_LONGER, 0, 0, 0, 2, NULL), 2);
    CHECK_EQ(lookup_count(h, DEST_MATCHING, IPV4(172, 20, 0, 0), IPV4(255, 255, 0, 0), 2, 0, NULL),
             1);
    CHECK_AS("rule 8: nothing in the view asked for: 232",
             lookup_count(h, DEST_MATCHING, IPV4(172, 20, 0, 0), IPV4(255, 255, 0, 0), 1, 0,
                          NULL) == 0x1000 + 232);
    CHECK_EQ(lookup_count(h, ROUTE_SHORTER, IPV4(10, 1, 0, 0), IPV4(255, 255, 0, 0), 0, 8, NULL), 2);
    /* DEST_*: the best of the routes that match, not the best of all. */
    memset(&row, 0, sizeof row);
    row.dwForwardDest = IPV4(10, 0, 0, 0);
    row.dwForwardMask = IPV4(255, 0, 0, 0);
    row.dwForwardNextHop = IPV4(10, 20, 30, 5);
    row.dwForwardIfIndex = 7;
    row.dwForwardType = 4;
    row.dwForwardProto = 3;
    row.dwForwardMetric1 = 1;
    CHECK_EQ(route_write(0, h, &row, 0, 1, 0), 0);
    CHECK_EQ(lookup_count(h, DEST_MATCHING, IPV4(10, 0, 0, 0), IPV4(255, 0, 0, 0), 0, 0, &if_index),
             1);
    CHECK_EQ(if_index, 3); /* RIP's preference 120 beats the new route's 0x7F */
    CHECK_AS("rule 8: DEST_* picks the best among the routes of that protocol",
             lookup_count(h, DEST_MATCHING, IPV4(10, 0, 0, 0), IPV4(255, 0, 0, 0), 0, 3,
                          &if_index) == 1 && if_index == 7);
    CHECK_EQ(route_write(2, h, &row, 0, 1, 0), 0);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* Rule 9: MCAST_GLOBAL's dwEnable, 1 or 2 (router_set_mcast_enabled). */
static void test_mcast_global(void)
{
    MIB_SERVER_HANDLE h;
    DWORD q[1] = {MCAST_GLOBAL}, rc;

    printf("-- rule 9: MCAST_GLOBAL dwEnable 1 (on) or 2 (off)\n");
    router_reset();
    h = connect_local();
    CHECK_AS("rule 9: MCAST_GLOBAL dwEnable 1 by default", row_field(h, GET, q, 1, 0, &rc) == 1);
    router_set_mcast_enabled(0);
    CHECK_AS("rule 9: MCAST_GLOBAL dwEnable 2 when multicast is off",
             row_field(h, GET, q, 1, 0, &rc) == 2);
    router_set_mcast_enabled(1);
    CHECK_EQ(row_field(h, GET, q, 1, 0, &rc), 1);
    router_set_mcast_enabled(0);
    router_reset();
    h = connect_local();
    CHECK_AS("rule 9: router_reset turns multicast back on", row_field(h, GET, q, 1, 0, &rc) == 1);
    MprAdminMIBServerDisconnect(h);
}

/* Rules 10, 11, 12 and 14: MCAST_SCOPE's 1016 bytes, IP6/UDP6/TCP6_STATS,
 * PROXY_ARP's rows, and what the SDK switch changes. */
static void test_sdk_forms(void)
{
    static const DWORD six[3] = {IP6_STATS, UDP6_STATS, TCP6_STATS};
    static const DWORD six_size[3] = {sizeof(MIB_IPSTATS), sizeof(MIB_UDPSTATS),
                                      sizeof(MIB_TCPSTATS)};
    MIB_SERVER_HANDLE h;
    DWORD q[4], i, rc, in[4];
    GOT g;
    int wrong = 0;

    printf("-- rule 10: MCAST_SCOPE: 1016 bytes strict, 524 with the SDK forms\n");
    router_reset();
    h = connect_local();
    q[0] = MCAST_SCOPE;
    q[1] = IPV4(239, 192, 0, 0);
    q[2] = IPV4(255, 252, 0, 0);
    for (i = 0; i < 3; i++) {
        g = got(h, i == 0 ? GET : FIRST, PID_IP, q, 3);
        if (g.rc || g.size != HDR + 1016 || !zeros(&g, 524, 1016) ||
            dw(&g, offsetof(MIB_IPMCAST_SCOPE, dwStatus)) != 1)
            wrong++;
        drop(&g);
        if (i == 2) {
            q[2] = 0;
            g = got(h, NEXT, PID_IP, q, 2);
            if (g.rc || g.size != HDR + 1016 || !zeros(&g, 524, 1016))
                wrong++;
            drop(&g);
        }
    }
    CHECK_AS("rule 10: MCAST_SCOPE strict: 1016 bytes, reserved[492] zero", wrong == 0);
    router_set_sdk_forms(1);
    q[2] = IPV4(255, 252, 0, 0);
    g = got(h, GET, PID_IP, q, 3);
    CHECK_AS("rule 10/14: MCAST_SCOPE with the SDK forms: 524 bytes",
             g.rc == 0 && g.size == HDR + sizeof(MIB_IPMCAST_SCOPE));
    drop(&g);
    CHECK_EQ(code_of(h, GET, PID_IP, q, 2), 87);
    router_set_sdk_forms(0);

    printf("-- rule 10b: reserved[8] after the rows of the forward, ARP, TCP and UDP tables\n");
    {
        static const DWORD tables[4] = {IP_FORWARDTABLE, IP_NETTABLE, TCP_TABLE, UDP_TABLE};
        static const DWORD row_size[4] = {sizeof(MIB_IPFORWARDROW), sizeof(MIB_IPNETROW),
                                          sizeof(MIB_TCPROW), sizeof(MIB_UDPROW)};
        int sdk;
        for (sdk = 0; sdk < 2; sdk++) {
            router_set_sdk_forms(sdk);
            for (wrong = 0, i = 0; i < 4; i++) {
                DWORD n, expected;
                q[0] = tables[i];
                q[1] = 3; /* IP_NETTABLE: interface 3's entries */
                g = got(h, GET, PID_IP, q, tables[i] == IP_NETTABLE ? 2 : 1);
                n = g.rc || g.size < HDR + 4 ? 0 : dw(&g, 0);
                expected = HDR + 4 + n * row_size[i] + (sdk ? 0 : 8);
                if (g.rc || !n || g.size != expected ||
                    (!sdk && !zeros(&g, 4 + n * row_size[i], 4 + n * row_size[i] + 8)))
                    wrong++;
                drop(&g);
            }
            if (sdk)
                CHECK_AS("rule 10b/14: the SDK's tables end with their rows", wrong == 0);
            else
                CHECK_AS("rule 10b: IP_FORWARDTABLE, IP_NETTABLE, TCP_TABLE, UDP_TABLE end with reserved[8] zero",
                         wrong == 0);
        }
        router_set_sdk_forms(0);
    }

    printf("-- rule 11: IP6/UDP6/TCP6_STATS: 87 strict, served with the SDK forms\n");
    for (wrong = 0, i = 0; i < 3; i++) {
        q[0] = six[i];
        expect(h, GET, PID_IP, q, 1, 87, &wrong);
    }
    CHECK_AS("rule 11: IP6/UDP6/TCP6_STATS strict: 87", wrong == 0);
    router_set_sdk_forms(1);
    for (wrong = 0, i = 0; i < 3; i++) {
        q[0] = six[i];
        g = got(h, GET, PID_IP, q, 1);
        if (g.rc || g.size != HDR + six_size[i])
            wrong++;
        drop(&g);
        expect(h, GET, PID_IP, q, 2, 87, &wrong);
        expect(h, FIRST, PID_IP, q, 1, 87, &wrong);
    }
    CHECK_AS("rule 11/14: IP6/UDP6/TCP6_STATS served with the SDK forms", wrong == 0);
    q[0] = IP6_STATS;
    CHECK_EQ(row_field(h, GET, q, 1, offsetof(MIB_IPSTATS, dwDefaultTTL), &rc), 64);
    q[0] = UDP6_STATS;
    CHECK_EQ(row_field(h, GET, q, 1, offsetof(MIB_UDPSTATS, dwOutDatagrams), &rc), 8003);
    router_set_sdk_forms(0);

    printf("-- rule 12: PROXY_ARP: one MIB_PROXYARP strict, the SDK's tables\n");
    q[0] = PROXY_ARP;
    q[1] = IPV4(192, 168, 1, 50);
    q[2] = 0xFFFFFFFFu;
    q[3] = 3;
    g = got(h, GET, PID_IP, q, 4);
    CHECK_AS("rule 12: PROXY_ARP Get strict: one 12-byte MIB_PROXYARP",
             g.rc == 0 && g.size == HDR + sizeof(MIB_PROXYARP) && dw(&g, 8) == 3);
    drop(&g);
    g = got(h, FIRST, PID_IP, q, 4);
    CHECK_AS("rule 12: PROXY_ARP GetFirst strict: one 12-byte MIB_PROXYARP",
             g.rc == 0 && g.size == HDR + sizeof(MIB_PROXYARP) && dw(&g, 0) == IPV4(10, 20, 30, 0));
    drop(&g);
    CHECK_EQ(proxy_count(h), 3);
    router_set_sdk_forms(1);
    g = got(h, FIRST, PID_IP, q, 4);
    CHECK_AS("rule 12/14: PROXY_ARP GetFirst with the SDK forms: the table",
             g.rc == 0 && g.size == HDR + 4 + 3 * sizeof(MIB_PROXYARP) && dw(&g, 0) == 3);
    drop(&g);
    g = got(h, GET, PID_IP, q, 1);
    CHECK_AS("rule 12/14: PROXY_ARP Get with no index with the SDK forms: the table",
             g.rc == 0 && g.size == HDR + 4 + 3 * sizeof(MIB_PROXYARP) && dw(&g, 0) == 3);
    drop(&g);
    g = got(h, GET, PID_IP, q, 4);
    CHECK_EQ(g.size, HDR + sizeof(MIB_PROXYARP));
    drop(&g);
    q[1] = IPV4(10, 20, 30, 0);
    q[2] = IPV4(255, 255, 255, 0);
    q[3] = 7;
    g = got(h, NEXT, PID_IP, q, 4);
    CHECK_EQ(g.size, HDR + sizeof(MIB_PROXYARP));
    CHECK_EQ(dw(&g, 0), IPV4(192, 168, 1, 50));
    drop(&g);
    q[1] = IPV4(192, 168, 1, 64);
    q[2] = IPV4(255, 255, 255, 192);
    q[3] = 3;
    CHECK_AS("rule 12/14: PROXY_ARP GetNext after the last with the SDK forms: 259",
             code_of(h, NEXT, PID_IP, q, 4) == 259);
    CHECK_EQ(code_of(h, GET, PID_IP, q, 2), 87);
    CHECK_EQ(code_of(h, FIRST, PID_IP, q, 1), 87);
    /* No entries: GetFirst 232 (the SDK's table form too), Get {} an empty table. */
    router_set_unlisted_writes(1);
    in[0] = PROXY_ARP;
    for (i = 0; i < 3; i++) {
        static const DWORD entries3[3][3] = {
            {IPV4(10, 20, 30, 0), IPV4(255, 255, 255, 0), 7},
            {IPV4(192, 168, 1, 50), 0xFFFFFFFFu, 3},
            {IPV4(192, 168, 1, 64), IPV4(255, 255, 255, 192), 3}};
        memcpy(in + 1, entries3[i], sizeof entries3[i]);
        CHECK_EQ(MprAdminMIBEntryDelete(h, PID_IP, IPRTRMGR_PID, in, 16), 0);
    }
    router_set_unlisted_writes(0);
    CHECK_AS("rule 12/14: PROXY_ARP GetFirst of no entries with the SDK forms: 232",
             code_of(h, FIRST, PID_IP, q, 4) == 232);
    g = got(h, GET, PID_IP, q, 1);
    CHECK(g.rc == 0 && g.size == HDR + 4 && dw(&g, 0) == 0);
    drop(&g);
    router_set_sdk_forms(0);
    CHECK_EQ(code_of(h, FIRST, PID_IP, q, 4), 232);
    CHECK_EQ(code_of(h, GET, PID_IP, q, 1), 87);

    printf("-- rule 14: the SDK forms change replies, not the query rules\n");
    router_reset();
    h = connect_local();
    router_set_sdk_forms(1);
    wrong = 0;
    q[0] = IF_ROW;
    expect(h, FIRST, PID_IP, q, 1, 87, &wrong);
    q[0] = IP_NETTABLE;
    expect(h, GET, PID_IP, q, 1, 87, &wrong);
    q[0] = UDP_ROW;
    expect(h, GET, PID_IP, q, 2, 87, &wrong);
    q[0] = DEST_MATCHING;
    expect(h, GET, PID_IP, q, 3, 87, &wrong);
    q[0] = IF_TABLE;
    expect(h, GET, PID_IP, q, 2, 87, &wrong);
    CHECK_AS("rule 14: the query rules stay strict with the SDK forms", wrong == 0);
    router_reset();
    h = connect_local();
    q[0] = IP6_STATS;
    CHECK_AS("rule 14: router_reset turns the SDK forms off", code_of(h, GET, PID_IP, q, 1) == 87);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
}

/* Rule 13: PID_IPV6: IF_TABLE, and IP_FORWARDROW {dwIndex} as
 * INTERFACE_ROUTE_ENTRY. */
static void test_ipv6(void)
{
    static const DWORD walk[5] = {3, 7, 12, 20, 31};
    static const BYTE site10[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10};
    static const BYTE site20[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x20};
    static const BYTE gw2[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    MIB_SERVER_HANDLE h;
    DWORD q[4] = {IF_TABLE, 0, 0, 0}, i, n, rc;
    LPVOID o;
    GOT g;
    int wrong = 0;

    printf("-- rule 13: PID_IPV6: IF_TABLE and IP_FORWARDROW {dwIndex}\n");
    router_reset();
    h = connect_local();
    g = got(h, GET, PID_IPV6, q, 1);
    CHECK_AS("rule 13: PID_IPV6 IF_TABLE: the interfaces with IPv6",
             g.rc == 0 && g.size == HDR + 4 + 2 * sizeof(MIB_IFROW) && dw(&g, 0) == 2);
    CHECK_EQ(dw(&g, 4 + offsetof(MIB_IFROW, dwIndex)), 1);
    CHECK_EQ(dw(&g, 4 + sizeof(MIB_IFROW) + offsetof(MIB_IFROW, dwIndex)), 3);
    drop(&g);
    expect(h, GET, PID_IPV6, q, 2, 87, &wrong);
    expect(h, FIRST, PID_IPV6, q, 1, 87, &wrong);
    expect(h, NEXT, PID_IPV6, q, 1, 87, &wrong);
    q[0] = IP_FORWARDROW;
    expect(h, GET, PID_IPV6, q, 1, 87, &wrong);
    expect(h, GET, PID_IPV6, q, 3, 87, &wrong);
    expect(h, FIRST, PID_IPV6, q, 1, 87, &wrong);
    expect(h, NEXT, PID_IPV6, q, 5, 87, &wrong);
    CHECK_AS("rule 13: PID_IPV6 index sizes: IF_TABLE none, IP_FORWARDROW 1", wrong == 0);
    for (wrong = 0, i = 0; i <= TCP6_STATS; i++) {
        DWORD v[5] = {i, 1, 1, 1, 1};
        if (i == IF_TABLE || i == IP_FORWARDROW)
            continue;
        for (n = 0; n <= 4; n++) {
            expect(h, GET, PID_IPV6, v, 1 + n, 87, &wrong);
            expect(h, FIRST, PID_IPV6, v, 1 + n, 87, &wrong);
        }
    }
    CHECK_AS("rule 13: every other variable under PID_IPV6: 87", wrong == 0);

    /* Get {7}: 2001:db8:10::/64 on-link on 3, as INTERFACE_ROUTE_ENTRY. */
    q[1] = 7;
    g = got(h, GET, PID_IPV6, q, 2);
    CHECK_AS("rule 13: IP_FORWARDROW under PID_IPV6: a 76-byte INTERFACE_ROUTE_ENTRY",
             g.rc == 0 && g.size == HDR + 76);
    CHECK_EQ(dw(&g, 0), 7);                                       /* dwIndex */
    CHECK(g.r && !memcmp(g.r + HDR + 4, site10, 16));             /* DestinationPrefix */
    CHECK_EQ(dw(&g, 20), 64);                                     /* DestPrefixLength */
    CHECK(zeros(&g, 24, 40));                                     /* NextHopAddress :: */
    CHECK_EQ(dw(&g, 40), 0xFFFFFFFFu);                            /* ValidLifeTime */
    CHECK_EQ(dw(&g, 44), 0);                                      /* Flags */
    CHECK_EQ(dw(&g, 48), 260);                                    /* Metric */
    CHECK_EQ(dw(&g, 52), 3);                                      /* dwRtInfoIfIndex */
    CHECK_EQ(dw(&g, 56), 3);                                      /* dwRtInfoType */
    CHECK_EQ(dw(&g, 60), 2);                                      /* dwRtInfoProto */
    CHECK_EQ(dw(&g, 64), 1);                                      /* dwRtInfoPreference */
    CHECK_EQ(dw(&g, 68), 3);                                      /* dwRtInfoViewSet */
    CHECK_AS("rule 13: INTERFACE_ROUTE_ENTRY bV4 is 0", dw(&g, 72) == 0);
    drop(&g);
    q[1] = 31;
    g = got(h, GET, PID_IPV6, q, 2);
    CHECK(g.r && !memcmp(g.r + HDR + 4, site20, 16));
    CHECK_EQ(dw(&g, 20), 48);
    CHECK(g.r && !memcmp(g.r + HDR + 24, gw2, 16));
    CHECK_EQ(dw(&g, 48), 16);
    CHECK_EQ(dw(&g, 56), 4);
    CHECK_EQ(dw(&g, 60), 3);
    CHECK_EQ(dw(&g, 64), 3);
    drop(&g);
    q[1] = 8;
    CHECK_AS("rule 13: PID_IPV6 IP_FORWARDROW Get of no such dwIndex: 1413",
             code_of(h, GET, PID_IPV6, q, 2) == 1413);
    /* GetFirst (value ignored), then GetNext by dwIndex. */
    q[1] = 99;
    g = got(h, FIRST, PID_IPV6, q, 2);
    for (wrong = 0, i = 0; i < 5; i++) {
        if (g.rc || dw(&g, 0) != walk[i])
            wrong++;
        q[1] = dw(&g, 0);
        drop(&g);
        g = got(h, NEXT, PID_IPV6, q, 2);
    }
    CHECK_AS("rule 13: PID_IPV6 route walk by dwIndex: 3, 7, 12, 20, 31, then 259",
             wrong == 0 && g.rc == 259);
    drop(&g);
    q[1] = 4;
    CHECK_EQ(row_field(h, NEXT, q, 2, 0, &rc), 0xDEADBEEFu); /* PID_IP: a 4-index variable */
    CHECK_EQ(rc, 87);
    g = got(h, NEXT, PID_IPV6, q, 2);
    CHECK_EQ(dw(&g, 0), 7);
    drop(&g);

    /* The transport checks: writes keep 902; other pids 902; routing pid 1003. */
    q[1] = 7;
    CHECK_AS("rule 13: writes under PID_IPV6: 902",
             MprAdminMIBEntryCreate(h, PID_IPV6, IPRTRMGR_PID, q, 8) == 902 &&
                 MprAdminMIBEntrySet(h, PID_IPV6, IPRTRMGR_PID, q, 8) == 902 &&
                 MprAdminMIBEntryDelete(h, PID_IPV6, IPRTRMGR_PID, q, 8) == 902);
    CHECK_EQ(MprAdminMIBEntryGet(h, PID_IPV6 + 1, IPRTRMGR_PID, q, 8, &o, &n), 902);
    CHECK_EQ(MprAdminMIBEntryGet(h, PID_IPV6, 1, q, 8, &o, &n), 1003);

    /* Loopback: the host's IPv6 routes and interfaces, or 50. */
    router_set_mode(1);
    q[0] = IP_FORWARDROW;
    q[1] = 0;
    g = got(h, FIRST, PID_IPV6, q, 2);
    printf("     loopback PID_IPV6 IP_FORWARDROW GetFirst: %lu", (unsigned long)g.rc);
    if (!g.rc)
        printf(" (dwIndex %lu, if %lu, /%lu)", (unsigned long)dw(&g, 0), (unsigned long)dw(&g, 52),
               (unsigned long)dw(&g, 20));
    printf("\n");
    CHECK(g.rc == 0 || g.rc == 232 || g.rc == 50);
    if (!g.rc)
        CHECK(g.size == HDR + 76 && dw(&g, 72) == 0);
    drop(&g);
    q[0] = IF_TABLE;
    g = got(h, GET, PID_IPV6, q, 1);
    printf("     loopback PID_IPV6 IF_TABLE: %lu (%lu interfaces)\n", (unsigned long)g.rc,
           (unsigned long)(g.rc ? 0 : dw(&g, 0)));
    CHECK(g.rc == 0 || g.rc == 50);
    if (!g.rc)
        CHECK_EQ(g.size, HDR + 4 + dw(&g, 0) * sizeof(MIB_IFROW));
    drop(&g);
    q[0] = IF_ROW;
    CHECK_EQ(code_of(h, GET, PID_IPV6, q, 2), 87);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminMIBServerDisconnect(h);
    router_reset();
}

/* ------------------------------------------------------------------------ */
/* The admin half (admin.c): MprAdminServerConnect, connections, ports.     */
/* ------------------------------------------------------------------------ */

typedef DWORD(APIENTRY *CONN_ENUM_EX)(RAS_SERVER_HANDLE, PMPRAPI_OBJECT_HEADER, DWORD, LPDWORD,
                                      LPDWORD, PRAS_CONNECTION_EX *, LPDWORD);
typedef DWORD(APIENTRY *SERVER_INFO_EX)(MPR_SERVER_HANDLE, void *);

#ifndef ERROR_INVALID_PORT_HANDLE
#define ERROR_INVALID_PORT_HANDLE 601 /* raserror.h */
#endif

/* RAS_CONNECTION_4 (win32metadata; MinGW lacks it), x64 offsets. */
#define C4_SIZE 1696u
#define C4_TYPE 4u
#define C4_USER 526u
#define C4_QUAR 1124u
#define C4_START 1136u
#define C4_BYTES_X 1144u
#define C4_BYTES_R 1152u
#define C4_HCONN 1672u
#define C4_DEVTYPE 1688u
#define EX1_SIZE 248u
#define EX0_SIZE 240u

static DWORD a_enum(MPR_SERVER_HANDLE h, DWORD level, DWORD pref, BYTE **buf, DWORD *read,
                    DWORD *total, DWORD *resume)
{
    return MprAdminConnectionEnum(h, level, buf, pref, read, total, resume);
}

static DWORD a_ports(MPR_SERVER_HANDLE h, DWORD level, HANDLE conn, DWORD pref, BYTE **buf,
                     DWORD *read, DWORD *total, DWORD *resume)
{
    return MprAdminPortEnum(h, level, conn, buf, pref, read, total, resume);
}

static ULONG64 u64_at(const BYTE *p, size_t at)
{
    ULONG64 v;
    memcpy(&v, p + at, sizeof v);
    return v;
}

static DWORD u32_at(const BYTE *p, size_t at)
{
    DWORD v;
    memcpy(&v, p + at, sizeof v);
    return v;
}

static HANDLE ptr_at(const BYTE *p, size_t at)
{
    HANDLE v;
    memcpy(&v, p + at, sizeof v);
    return v;
}

/* The handle of the n-th (0-based) default connection. */
static HANDLE a_conn_handle(MPR_SERVER_HANDLE h, DWORD n)
{
    BYTE *b = NULL;
    DWORD read = 0, total = 0, resume = 0;
    HANDLE v = NULL;
    if (!a_enum(h, 0, MAX_PREFERRED_LENGTH, &b, &read, &total, &resume) && n < read)
        v = ((RAS_CONNECTION_0 *)b)[n].hConnection;
    if (b)
        MprAdminBufferFree(b);
    return v;
}

static void test_admin_handles(void)
{
    MPR_SERVER_HANDLE a = NULL, b = NULL;
    MIB_SERVER_HANDLE m = NULL;
    BYTE *buf = NULL;
    DWORD size = 0, q = IF_NUMBER;

    router_reset();
    CHECK_EQ(MprAdminServerConnect(NULL, &a), 0);
    CHECK(a != NULL);
    CHECK_EQ(MprAdminServerConnect(L"vpn1", &b), 0);
    CHECK_EQ(MprAdminMIBServerConnect(NULL, &m), 0);
    CHECK_EQ(C("admin_connects"), 2);
    CHECK_EQ(C("connects"), 1);
    CHECK_EQ(C("live_admin_handles"), 2);
    CHECK_EQ(C("live_handles"), 1);
    /* A MIB handle to an admin call, and the reverse: 6, counted. */
    CHECK_EQ(MprAdminServerGetInfo(m, 0, &buf), ERROR_INVALID_HANDLE);
    CHECK(buf == NULL);
    CHECK_EQ(C("admin_bad_handle"), 1);
    CHECK_EQ(MprAdminMIBEntryGet(a, PID_IP, IPRTRMGR_PID, &q, 4, (LPVOID *)&buf, &size),
             ERROR_INVALID_HANDLE);
    CHECK_EQ(C("bad_handle"), 1);
    CHECK_EQ(C("calls"), 0);
    CHECK_EQ(C("admin_calls"), 0);
    /* Disconnecting the other family's handle: counted, and it stays live. */
    MprAdminServerDisconnect(m);
    CHECK_EQ(C("admin_bad_handle"), 2);
    MprAdminMIBServerDisconnect(a);
    CHECK_EQ(C("bad_handle"), 2);
    CHECK_EQ(MprAdminMIBEntryGet(m, PID_IP, IPRTRMGR_PID, &q, 4, (LPVOID *)&buf, &size), 0);
    MprAdminMIBBufferFree(buf);
    buf = NULL;
    CHECK_EQ(MprAdminServerGetInfo(a, 0, &buf), 0);
    CHECK_EQ(C("admin_calls"), 1);
    CHECK_EQ(C("calls"), 2);
    /* Admin buffers: MprAdminBufferFree only, once. */
    CHECK_EQ(MprAdminMIBBufferFree(buf), ERROR_INVALID_PARAMETER);
    CHECK_EQ(C("wrong_free"), 1);
    CHECK_EQ(C("live_buffers"), 1);
    CHECK_EQ(MprAdminBufferFree(buf), 0);
    CHECK_EQ(MprAdminBufferFree(buf), ERROR_INVALID_PARAMETER);
    CHECK_EQ(C("double_free"), 1);
    CHECK_EQ(C("live_buffers"), 0);
    MprAdminServerDisconnect(a);
    MprAdminServerDisconnect(b);
    CHECK_EQ(C("admin_disconnects"), 2);
    CHECK_EQ(C("live_admin_handles"), 0);
    /* Stale: counted, 6. */
    MprAdminServerDisconnect(a);
    CHECK_EQ(C("admin_bad_handle"), 3);
    CHECK_EQ(MprAdminServerGetInfo(a, 0, &buf), ERROR_INVALID_HANDLE);
    CHECK_EQ(C("admin_bad_handle"), 4);
    MprAdminMIBServerDisconnect(m);
    CHECK_EQ(C("disconnects"), 1);
    /* Lazy errors and failures, as for MIB handles. */
    CHECK_EQ(MprAdminServerConnect(L"unreachable", &a), 0);
    CHECK_EQ(MprAdminServerGetInfo(a, 0, &buf), 1722);
    MprAdminServerDisconnect(a);
    router_fail_connect(1753);
    CHECK_EQ(MprAdminServerConnect(L"x", &a), 1753);
    CHECK(a == NULL);
    router_fail_connect(0);
    CHECK_EQ(MprAdminServerConnect(NULL, NULL), ERROR_INVALID_PARAMETER);
}

static void test_admin_server_info(void)
{
    MPR_SERVER_HANDLE h;
    BYTE *buf = NULL;
    router_reset();
    MprAdminServerConnect(NULL, &h);
    CHECK_EQ(MprAdminServerGetInfo(h, 0, &buf), 0);
    if (buf) {
        MPR_SERVER_0 *s = (MPR_SERVER_0 *)buf;
        CHECK_EQ(s->fLanOnlyMode, 0);
        CHECK_EQ(s->dwUpTime, 273661);
        CHECK_EQ(s->dwTotalPorts, 32 + 64 + 128 + 128);
        CHECK_EQ(s->dwPortsInUse, 6);
        MprAdminBufferFree(buf);
    }
    CHECK_EQ(MprAdminServerGetInfo(h, 1, &buf), 0);
    if (buf) {
        MPR_SERVER_1 *s = (MPR_SERVER_1 *)buf;
        CHECK_EQ(s->dwNumPptpPorts, 32);
        CHECK_EQ(s->dwPptpPortFlags, 3);
        CHECK_EQ(s->dwNumL2tpPorts, 64);
        CHECK_EQ(s->dwL2tpPortFlags, 3);
        MprAdminBufferFree(buf);
    }
    CHECK_EQ(MprAdminServerGetInfo(h, 2, &buf), 0);
    if (buf) {
        MPR_SERVER_2 *s = (MPR_SERVER_2 *)buf;
        CHECK_EQ(s->dwNumSstpPorts, 128);
        CHECK_EQ(s->dwSstpPortFlags, 3);
        MprAdminBufferFree(buf);
    }
    CHECK_EQ(MprAdminServerGetInfo(h, 3, &buf), ERROR_NOT_SUPPORTED);
    CHECK(buf == NULL);
    CHECK_EQ(MprAdminServerGetInfo(h, 0, NULL), ERROR_INVALID_PARAMETER);
    router_admin_set_ports(1, 2, 3, 4);
    CHECK_EQ(MprAdminServerGetInfo(h, 2, &buf), 0);
    if (buf) {
        MPR_SERVER_2 *s = (MPR_SERVER_2 *)buf;
        /* 1 PPTP and 1 L2TP connection fit; SSTP has 2 connections: 3 ports. */
        CHECK_EQ(s->dwNumPptpPorts, 1);
        CHECK_EQ(s->dwNumL2tpPorts, 2);
        CHECK_EQ(s->dwNumSstpPorts, 3);
        MprAdminBufferFree(buf);
    }
    router_admin_set_ports(0, 0, 0, 0);
    CHECK_EQ(MprAdminServerGetInfo(h, 0, &buf), 0);
    if (buf) {
        /* Each connection has a port: grown to exactly 6. */
        CHECK_EQ(((MPR_SERVER_0 *)buf)->dwTotalPorts, 6);
        MprAdminBufferFree(buf);
    }
    MprAdminServerDisconnect(h);
    CHECK_EQ(C("live_buffers"), 0);
}

static void test_admin_connections(void)
{
    static const WCHAR *users[6] = {L"alice", L"bob", L"carol", L"dave", L"BRANCH-OFFICE-1",
                                    L"zo\x00eb"};
    static const DWORD devtype[6] = {0x1000E, 0x1000F, 0x10009, 0x10008, 0x1000F, 0x1000E};
    static const DWORD if_type[6] = {0, 0, 0, 0, 2, 0};
    static const ULONG64 bytes_x[6] = {1234567, 5000000000ULL, 52000, 0, 987654321,
                                       4294967295ULL};
    static const ULONG64 bytes_r[6] = {7654321, 6442450944ULL, 98000, 0, 123456789,
                                       4294967296ULL};
    MPR_SERVER_HANDLE h;
    BYTE *buf = NULL;
    DWORD read, total, resume, level, i;
    router_reset();
    MprAdminServerConnect(NULL, &h);
    for (level = 0; level <= 4; level++) {
        resume = 0;
        CHECK_EQ(a_enum(h, level, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
        CHECK_EQ(read, 6);
        CHECK_EQ(total, 6);
        CHECK_EQ(resume, 0);
        CHECK_EQ(HeapSize(GetProcessHeap(), 0, buf),
                 6 * (level == 0   ? sizeof(RAS_CONNECTION_0)
                      : level == 1 ? sizeof(RAS_CONNECTION_1)
                      : level == 2 ? sizeof(RAS_CONNECTION_2)
                      : level == 3 ? sizeof(RAS_CONNECTION_3)
                                   : C4_SIZE));
        for (i = 0; buf && i < 6; i++) {
            if (level == 0) {
                RAS_CONNECTION_0 *c = (RAS_CONNECTION_0 *)buf + i;
                CHECK(!wcscmp(c->wszUserName, users[i]));
                CHECK_EQ(c->dwInterfaceType, if_type[i]);
                CHECK_EQ((ULONG_PTR)c->hConnection, 0x80000000u | (i + 1) << 3);
                CHECK_EQ((ULONG_PTR)c->hInterface, 0x40000000u | (i + 1) << 3);
            } else if (level == 1) {
                RAS_CONNECTION_1 *c = (RAS_CONNECTION_1 *)buf + i;
                CHECK_EQ(c->dwBytesXmited, (DWORD)bytes_x[i]);
                CHECK_EQ(c->dwBytesRcved, (DWORD)bytes_r[i]);
            } else if (level == 3) {
                RAS_CONNECTION_3 *c = (RAS_CONNECTION_3 *)buf + i;
                CHECK_EQ(c->dwSize, sizeof(RAS_CONNECTION_3));
                CHECK_EQ(c->rasQuarState, i == 2 ? 2 : 0);
#ifdef _WIN64
            } else if (level == 4) {
                const BYTE *c = buf + C4_SIZE * i;
                CHECK(!wcscmp((const WCHAR *)(c + C4_USER), users[i]));
                CHECK_EQ(u32_at(c, C4_TYPE), if_type[i]);
                CHECK_EQ(u64_at(c, C4_BYTES_X), bytes_x[i]);
                CHECK_EQ(u64_at(c, C4_BYTES_R), bytes_r[i]);
                CHECK_EQ(u32_at(c, C4_DEVTYPE), devtype[i]);
                CHECK_EQ((ULONG_PTR)ptr_at(c, C4_HCONN), 0x80000000u | (i + 1) << 3);
                CHECK_EQ(u32_at(c, C4_QUAR), i == 2 ? 2 : 0);
#endif
            }
        }
        (void)devtype;
        (void)C4_START;
        MprAdminBufferFree(buf);
        buf = NULL;
    }
    /* Levels: 5 never; above router_admin_set_max_level 50. */
    CHECK_EQ(a_enum(h, 5, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_NOT_SUPPORTED);
    router_admin_set_max_level(2);
    CHECK_EQ(a_enum(h, 3, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_NOT_SUPPORTED);
    CHECK_EQ(MprAdminConnectionGetInfo(h, 3, a_conn_handle(h, 0), &buf), ERROR_NOT_SUPPORTED);
    CHECK_EQ(a_enum(h, 2, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    MprAdminBufferFree(buf);
    router_admin_set_max_level(4);
    /* NULL out pointers: 87. */
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, NULL, &read, &total, &resume), ERROR_INVALID_PARAMETER);
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, NULL, &total, &resume), ERROR_INVALID_PARAMETER);
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, NULL, &resume), ERROR_INVALID_PARAMETER);
    /* GetInfo: 0..3 (MS-RRASM 3.1.4.3), 4 with the lenient levels. */
    CHECK_EQ(MprAdminConnectionGetInfo(h, 1, a_conn_handle(h, 1), &buf), 0);
    if (buf) {
        CHECK_EQ(((RAS_CONNECTION_1 *)buf)->dwBytesXmited, (DWORD)5000000000ULL);
        CHECK(!wcscmp(((RAS_CONNECTION_1 *)buf)->PppInfo.ip.wszRemoteAddress, L"10.10.0.12"));
        MprAdminBufferFree(buf);
    }
    CHECK_EQ(MprAdminConnectionGetInfo(h, 4, a_conn_handle(h, 1), &buf), ERROR_NOT_SUPPORTED);
    router_admin_set_lenient_levels(1);
    CHECK_EQ(MprAdminConnectionGetInfo(h, 4, a_conn_handle(h, 1), &buf), 0);
#ifdef _WIN64
    if (buf)
        CHECK_EQ(u64_at(buf, C4_BYTES_X), 5000000000ULL);
#endif
    MprAdminBufferFree(buf);
    router_admin_set_lenient_levels(0);
    CHECK_EQ(MprAdminConnectionGetInfo(h, 0, (HANDLE)(ULONG_PTR)0x1234, &buf), ERROR_INTERFACE_NOT_CONNECTED);
    CHECK_EQ(MprAdminConnectionGetInfo(h, 0, NULL, &buf), ERROR_INTERFACE_NOT_CONNECTED);
    CHECK_EQ(MprAdminConnectionGetInfo(h, 0, a_conn_handle(h, 0), NULL), ERROR_INVALID_PARAMETER);
    CHECK(buf == NULL);
    MprAdminServerDisconnect(h);
    CHECK_EQ(C("live_buffers"), 0);
}

static void test_admin_ports(void)
{
    MPR_SERVER_HANDLE h;
    BYTE *buf = NULL;
    DWORD read, total, resume = 0, i, in_use = 0;
    HANDLE bob;
    router_reset();
    MprAdminServerConnect(NULL, &h);
    bob = a_conn_handle(h, 1);
    CHECK_EQ(a_ports(h, 0, INVALID_HANDLE_VALUE, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    CHECK_EQ(read, 352);
    CHECK_EQ(total, 352);
    for (i = 0; buf && i < read; i++) {
        RAS_PORT_0 *p = (RAS_PORT_0 *)buf + i;
        in_use += p->hConnection != NULL;
        CHECK(p->dwPortCondition == (p->hConnection ? RAS_PORT_AUTHENTICATED : RAS_PORT_LISTENING));
        if (i == 0 || i == 32 || i == 96 || i == 224) {
            CHECK(!wcscmp(p->wszDeviceType, L"vpn"));
            CHECK_EQ((ULONG_PTR)p->hPort, (ULONG_PTR)((i == 0 ? 1u : i == 32 ? 2u : i == 96 ? 3u : 4u) << 24 | 4u));
        }
    }
    if (buf) {
        RAS_PORT_0 *p = (RAS_PORT_0 *)buf;
        CHECK(!wcscmp(p[0].wszDeviceName, L"WAN Miniport (PPTP)"));
        CHECK(!wcscmp(p[0].wszPortName, L"VPN1-0"));
        CHECK(!wcscmp(p[32].wszDeviceName, L"WAN Miniport (L2TP)"));
        CHECK(!wcscmp(p[96].wszDeviceName, L"WAN Miniport (SSTP)"));
        CHECK(!wcscmp(p[97].wszPortName, L"SSTP-1"));
        CHECK(!wcscmp(p[224].wszDeviceName, L"WAN Miniport (IKEv2)"));
        CHECK(!wcscmp(p[224].wszPortName, L"IKEv2-0"));
        CHECK(p[224].hConnection == bob);
    }
    CHECK_EQ(in_use, 6);
    MprAdminBufferFree(buf);
    /* Ports of one connection. */
    CHECK_EQ(a_ports(h, 0, bob, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    CHECK_EQ(read, 1);
    if (buf)
        CHECK(((RAS_PORT_0 *)buf)->hConnection == bob);
    MprAdminBufferFree(buf);
    CHECK_EQ(a_ports(h, 0, NULL, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_INVALID_HANDLE);
    CHECK_EQ(a_ports(h, 0, (HANDLE)(ULONG_PTR)0x80000FF8u, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume),
             ERROR_INTERFACE_NOT_CONNECTED);
    /* Levels: PortEnum 0 only (MS-RRASM 3.1.4.5); 1 with the lenient levels. */
    CHECK_EQ(a_ports(h, 1, INVALID_HANDLE_VALUE, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_NOT_SUPPORTED);
    router_admin_set_lenient_levels(1);
    CHECK_EQ(a_ports(h, 1, INVALID_HANDLE_VALUE, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    CHECK_EQ(read, 352);
    MprAdminBufferFree(buf);
    router_admin_set_lenient_levels(0);
    CHECK_EQ(a_ports(h, 2, INVALID_HANDLE_VALUE, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_NOT_SUPPORTED);
    /* PortGetInfo 0 and 1. */
    CHECK_EQ(MprAdminPortGetInfo(h, 1, (HANDLE)(ULONG_PTR)(4u << 24 | 4u), &buf), 0);
    if (buf) {
        RAS_PORT_1 *p = (RAS_PORT_1 *)buf;
        CHECK(p->hConnection == bob);
        CHECK_EQ(p->dwBytesXmited, (DWORD)5000000000ULL);
        CHECK_EQ(p->dwLineSpeed, 100000000);
        MprAdminBufferFree(buf);
    }
    CHECK_EQ(MprAdminPortGetInfo(h, 0, (HANDLE)(ULONG_PTR)(1u << 24 | 8u), &buf), 0);
    if (buf) {
        CHECK(!wcscmp(((RAS_PORT_0 *)buf)->wszPortName, L"VPN1-1"));
        MprAdminBufferFree(buf);
    }
    CHECK_EQ(MprAdminPortGetInfo(h, 2, (HANDLE)(ULONG_PTR)(1u << 24 | 8u), &buf), ERROR_NOT_SUPPORTED);
    CHECK_EQ(MprAdminPortGetInfo(h, 0, (HANDLE)(ULONG_PTR)0x77, &buf), ERROR_INVALID_PORT_HANDLE);
    CHECK_EQ(MprAdminPortGetInfo(h, 0, bob, &buf), ERROR_INVALID_PORT_HANDLE);
    CHECK(buf == NULL);
    MprAdminServerDisconnect(h);
    CHECK_EQ(C("live_buffers"), 0);
}

static void test_admin_resume(void)
{
    MPR_SERVER_HANDLE h, other;
    BYTE *buf = NULL;
    DWORD read, total, resume = 0, r1, pages, seen;
    ULONG_PTR last;
    LARGE_INTEGER f, t0, t1;
    router_reset();
    MprAdminServerConnect(NULL, &h);
    MprAdminServerConnect(NULL, &other);
    router_admin_set_page_limit(4);
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_MORE_DATA);
    CHECK_EQ(read, 4);
    CHECK_EQ(total, 6);
    CHECK(resume != 0);
    CHECK(buf != NULL); /* the ERROR_MORE_DATA page is the client's to free */
    MprAdminBufferFree(buf);
    r1 = resume;
    /* A resume handle the server never issued, or issued for another
     * enumeration or another handle: 87. */
    resume = 12345;
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_INVALID_PARAMETER);
    resume = r1 + 1000;
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_INVALID_PARAMETER);
    resume = r1;
    CHECK_EQ(a_ports(h, 0, INVALID_HANDLE_VALUE, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_INVALID_PARAMETER);
    resume = r1;
    CHECK_EQ(a_enum(other, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_INVALID_PARAMETER);
    CHECK(buf == NULL);
    resume = r1;
    CHECK_EQ(a_enum(h, 2, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    CHECK_EQ(read, 2);
    CHECK_EQ(total, 2);
    CHECK_EQ(resume, 0);
    if (buf)
        CHECK(!wcscmp(((RAS_CONNECTION_2 *)buf)[0].wszUserName, L"BRANCH-OFFICE-1"));
    MprAdminBufferFree(buf);
    router_admin_set_page_limit(0);
    /* dwPrefMaxLen: as many whole entries as fit, at least one. */
    resume = 0;
    CHECK_EQ(a_enum(h, 0, 3 * sizeof(RAS_CONNECTION_0) + 5, &buf, &read, &total, &resume), ERROR_MORE_DATA);
    CHECK_EQ(read, 3);
    MprAdminBufferFree(buf);
    CHECK_EQ(a_enum(h, 0, 1, &buf, &read, &total, &resume), ERROR_MORE_DATA);
    CHECK_EQ(read, 1);
    CHECK_EQ(total, 3);
    MprAdminBufferFree(buf);
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    CHECK_EQ(read, 2);
    MprAdminBufferFree(buf);
    /* Ports too. */
    resume = 0;
    CHECK_EQ(a_ports(h, 0, INVALID_HANDLE_VALUE, 100 * sizeof(RAS_PORT_0), &buf, &read, &total, &resume), ERROR_MORE_DATA);
    CHECK_EQ(read, 100);
    CHECK_EQ(total, 352);
    MprAdminBufferFree(buf);
    /* A connection removed meanwhile shifts nothing: resumes at the next handle. */
    /* 10,000 connections, walked whole at level 4 in pages of 1000. */
    CHECK_EQ(router_admin_set_connections(10000), 0);
    router_admin_set_page_limit(1000);
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&t0);
    resume = 0;
    pages = seen = 0;
    last = 0;
    for (;;) {
        DWORD rc = a_enum(h, 4, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), i;
        pages++;
        if (rc != 0 && rc != ERROR_MORE_DATA) {
            CHECK_EQ(rc, 0);
            break;
        }
        for (i = 0; buf && i < read; i++) {
#ifdef _WIN64
            ULONG_PTR hc = (ULONG_PTR)ptr_at(buf + (size_t)C4_SIZE * i, C4_HCONN);
            if (hc <= last)
                break;
            last = hc;
#endif
            seen++;
        }
        MprAdminBufferFree(buf);
        buf = NULL;
        if (rc == 0 || pages > 20)
            break;
    }
    QueryPerformanceCounter(&t1);
    printf("     10000 connections at level 4 in %d pages: %.1f ms\n", (int)pages,
           (double)(t1.QuadPart - t0.QuadPart) * 1000.0 / (double)f.QuadPart);
    CHECK_EQ(seen, 10000);
    CHECK_EQ(pages, 10);
    CHECK_EQ(resume, 0);
    (void)last;
    router_admin_set_page_limit(0);
    CHECK_EQ(a_enum(h, 4, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    CHECK_EQ(read, 10000);
#ifdef _WIN64
    if (buf) {
        const BYTE *c = buf + (size_t)C4_SIZE * 9999;
        CHECK(!wcscmp((const WCHAR *)(c + C4_USER), L"user10000"));
        CHECK_EQ(u64_at(c, C4_BYTES_R), 10000ULL * 7777777u);
    }
#endif
    MprAdminBufferFree(buf);
    CHECK_EQ(a_ports(h, 0, INVALID_HANDLE_VALUE, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    CHECK_EQ(read, 10000); /* 2500 per tunnel type, grown from 32/64/128/128 */
    MprAdminBufferFree(buf);
    CHECK_EQ(router_admin_set_connections(0), 0);
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    CHECK_EQ(read, 0);
    CHECK(buf == NULL);
    MprAdminServerDisconnect(h);
    MprAdminServerDisconnect(other);
    CHECK_EQ(C("live_buffers"), 0);
}

static void test_admin_lan_only_and_writes(void)
{
    MPR_SERVER_HANDLE h;
    BYTE *buf = NULL;
    DWORD read, total, resume = 0;
    HANDLE alice, bob, alice_port = (HANDLE)(ULONG_PTR)(3u << 24 | 4u);
    HANDLE bob_port = (HANDLE)(ULONG_PTR)(4u << 24 | 4u);
    router_reset();
    MprAdminServerConnect(NULL, &h);
    alice = a_conn_handle(h, 0);
    bob = a_conn_handle(h, 1);
    router_admin_set_lan_only(1);
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_DDM_NOT_RUNNING);
    CHECK_EQ(a_ports(h, 0, INVALID_HANDLE_VALUE, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_DDM_NOT_RUNNING);
    CHECK_EQ(MprAdminConnectionGetInfo(h, 0, alice, &buf), ERROR_DDM_NOT_RUNNING);
    CHECK_EQ(MprAdminPortGetInfo(h, 0, alice_port, &buf), ERROR_DDM_NOT_RUNNING);
    CHECK_EQ(MprAdminConnectionClearStats(h, alice), ERROR_DDM_NOT_RUNNING);
    CHECK_EQ(MprAdminPortClearStats(h, alice_port), ERROR_DDM_NOT_RUNNING);
    CHECK_EQ(MprAdminPortReset(h, alice_port), ERROR_DDM_NOT_RUNNING);
    CHECK_EQ(MprAdminPortDisconnect(h, alice_port), ERROR_DDM_NOT_RUNNING);
    CHECK_EQ(MprAdminServerGetInfo(h, 0, &buf), 0);
    if (buf)
        CHECK_EQ(((MPR_SERVER_0 *)buf)->fLanOnlyMode, 1);
    MprAdminBufferFree(buf);
    router_admin_set_lan_only(0);
    /* Clear a connection's statistics (and its port's). */
    CHECK_EQ(MprAdminConnectionClearStats(h, bob), 0);
    CHECK_EQ(MprAdminConnectionGetInfo(h, 1, bob, &buf), 0);
    if (buf)
        CHECK_EQ(((RAS_CONNECTION_1 *)buf)->dwBytesXmited, 0);
    MprAdminBufferFree(buf);
    CHECK_EQ(MprAdminPortGetInfo(h, 1, bob_port, &buf), 0);
    if (buf)
        CHECK_EQ(((RAS_PORT_1 *)buf)->dwBytesRcved, 0);
    MprAdminBufferFree(buf);
    CHECK_EQ(MprAdminConnectionClearStats(h, (HANDLE)(ULONG_PTR)0x99), ERROR_INVALID_PARAMETER);
    /* Reset: no action, success, any handle (MS-RRASM 3.1.4.8). */
    CHECK_EQ(MprAdminPortReset(h, alice_port), 0);
    CHECK_EQ(MprAdminPortReset(h, (HANDLE)(ULONG_PTR)0x99), 0);
    CHECK_EQ(MprAdminPortGetInfo(h, 1, alice_port, &buf), 0);
    if (buf)
        CHECK_EQ(((RAS_PORT_1 *)buf)->dwBytesXmited, 1234567);
    MprAdminBufferFree(buf);
    /* Clear a port's. */
    CHECK_EQ(MprAdminPortClearStats(h, alice_port), 0);
    CHECK_EQ(MprAdminPortGetInfo(h, 1, alice_port, &buf), 0);
    if (buf)
        CHECK_EQ(((RAS_PORT_1 *)buf)->dwBytesXmited, 0);
    MprAdminBufferFree(buf);
    CHECK_EQ(MprAdminPortClearStats(h, (HANDLE)(ULONG_PTR)0x99), ERROR_INVALID_PORT_HANDLE);
    /* Disconnect: the connection goes, the port listens again. */
    CHECK_EQ(MprAdminPortDisconnect(h, alice_port), 0);
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    CHECK_EQ(read, 5);
    if (buf)
        CHECK(!wcscmp(((RAS_CONNECTION_0 *)buf)[0].wszUserName, L"bob"));
    MprAdminBufferFree(buf);
    CHECK_EQ(MprAdminPortGetInfo(h, 0, alice_port, &buf), 0);
    if (buf) {
        CHECK(((RAS_PORT_0 *)buf)->hConnection == NULL);
        CHECK_EQ(((RAS_PORT_0 *)buf)->dwPortCondition, RAS_PORT_LISTENING);
        CHECK_EQ(((RAS_PORT_0 *)buf)->dwTotalNumberOfCalls, 1);
    }
    MprAdminBufferFree(buf);
    CHECK_EQ(MprAdminConnectionGetInfo(h, 0, alice, &buf), ERROR_INTERFACE_NOT_CONNECTED);
    CHECK_EQ(MprAdminPortDisconnect(h, alice_port), ERROR_INVALID_PARAMETER);
    CHECK_EQ(MprAdminPortDisconnect(h, (HANDLE)(ULONG_PTR)0x99), ERROR_INVALID_PARAMETER);
    CHECK_EQ(MprAdminServerGetInfo(h, 0, &buf), 0);
    if (buf)
        CHECK_EQ(((MPR_SERVER_0 *)buf)->dwPortsInUse, 5);
    MprAdminBufferFree(buf);
    MprAdminServerDisconnect(h);
    CHECK_EQ(C("live_buffers"), 0);
}

static void test_admin_malformed(void)
{
    MPR_SERVER_HANDLE h;
    BYTE *buf = NULL;
    DWORD read, total, resume = 0, r1, i;
    router_reset();
    MprAdminServerConnect(NULL, &h);
    /* 1: entries read far beyond the buffer. */
    router_admin_set_malformed(1);
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    CHECK_EQ(read, 0x7FFFFFFF);
    CHECK_EQ(HeapSize(GetProcessHeap(), 0, buf), 6 * sizeof(RAS_CONNECTION_0));
    MprAdminBufferFree(buf);
    /* 2: ERROR_MORE_DATA, nothing, the same resume handle again. */
    router_admin_set_malformed(2);
    resume = 0;
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_MORE_DATA);
    CHECK_EQ(read, 0);
    CHECK(buf == NULL);
    CHECK(resume != 0);
    r1 = resume;
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_MORE_DATA);
    CHECK_EQ(read, 0);
    CHECK_EQ(resume, r1);
    /* 3: names with no NUL. */
    router_admin_set_malformed(3);
    resume = 0;
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    if (buf) {
        RAS_CONNECTION_0 *c = (RAS_CONNECTION_0 *)buf;
        for (i = 0; i <= UNLEN; i++)
            if (!c->wszUserName[i] || !c->wszInterfaceName[i])
                break;
        CHECK_EQ(i, UNLEN + 1);
    }
    MprAdminBufferFree(buf);
    /* 4: enumerations out of range. */
    router_admin_set_malformed(4);
    CHECK_EQ(a_enum(h, 3, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    if (buf) {
        CHECK_EQ(((RAS_CONNECTION_3 *)buf)->dwInterfaceType, 99);
        CHECK_EQ(((RAS_CONNECTION_3 *)buf)->rasQuarState, 55);
    }
    MprAdminBufferFree(buf);
    CHECK_EQ(a_ports(h, 0, INVALID_HANDLE_VALUE, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), 0);
    if (buf)
        CHECK_EQ(((RAS_PORT_0 *)buf)->dwPortCondition, 77);
    MprAdminBufferFree(buf);
    /* 5: an error that comes with a buffer. */
    router_admin_set_malformed(5);
    CHECK_EQ(a_enum(h, 0, MAX_PREFERRED_LENGTH, &buf, &read, &total, &resume), ERROR_CAN_NOT_COMPLETE);
    CHECK(buf != NULL);
    CHECK_EQ(read, 6);
    MprAdminBufferFree(buf);
    buf = NULL;
    CHECK_EQ(MprAdminServerGetInfo(h, 0, &buf), ERROR_CAN_NOT_COMPLETE);
    CHECK(buf != NULL);
    MprAdminBufferFree(buf);
    buf = NULL;
    CHECK_EQ(MprAdminPortGetInfo(h, 0, (HANDLE)(ULONG_PTR)(1u << 24 | 4u), &buf), ERROR_CAN_NOT_COMPLETE);
    CHECK(buf != NULL);
    MprAdminBufferFree(buf);
    router_admin_set_malformed(0);
    MprAdminServerDisconnect(h);
    CHECK_EQ(C("live_buffers"), 0);
}

static void test_admin_ex(void)
{
    HMODULE m = GetModuleHandleW(L"mprapi.dll");
    CONN_ENUM_EX enum_ex;
    SERVER_INFO_EX info_ex;
    FARPROC p;
    MPR_SERVER_HANDLE h;
    MPRAPI_OBJECT_HEADER hdr = {1, 1, sizeof(RAS_CONNECTION_EX)};
    PRAS_CONNECTION_EX conns = NULL;
    DWORD read, total, resume = 0;
    BYTE info[512];

    p = GetProcAddress(m, "MprAdminConnectionEnumEx");
    memcpy(&enum_ex, &p, sizeof p);
    p = GetProcAddress(m, "MprAdminServerGetInfoEx");
    memcpy(&info_ex, &p, sizeof p);
    CHECK(enum_ex != NULL);
    CHECK(info_ex != NULL);
    if (!enum_ex || !info_ex)
        return;
    router_reset();
    MprAdminServerConnect(NULL, &h);
    CHECK_EQ(enum_ex(h, &hdr, MAX_PREFERRED_LENGTH, &read, &total, &conns, &resume), 0);
    CHECK_EQ(read, 6);
    if (conns) {
        CHECK_EQ(conns[0].Header.size, sizeof(RAS_CONNECTION_EX));
        CHECK(!wcscmp(conns[1].wszUserName, L"bob"));
        CHECK_EQ(conns[1].dwBytesXmited, (DWORD)5000000000ULL);
        CHECK_EQ(conns[1].ProjectionInfo.projectionInfoType, 2);
        CHECK(!wcscmp(conns[1].ProjectionInfo.Ikev2ProjectionInfo.wszRemoteAddress, L"10.10.0.12"));
        CHECK_EQ(conns[0].ProjectionInfo.projectionInfoType, 1);
        CHECK(!wcscmp(conns[5].wszRemoteEndpointAddress, L"2001:db8::16"));
        CHECK_EQ((ULONG_PTR)conns[5].hConnection, 0x80000000u | 6u << 3);
    }
    MprAdminBufferFree(conns);
    conns = NULL;
    router_admin_set_page_limit(5);
    CHECK_EQ(enum_ex(h, &hdr, MAX_PREFERRED_LENGTH, &read, &total, &conns, &resume), ERROR_MORE_DATA);
    CHECK_EQ(read, 5);
    MprAdminBufferFree(conns);
    CHECK_EQ(enum_ex(h, &hdr, MAX_PREFERRED_LENGTH, &read, &total, &conns, &resume), 0);
    CHECK_EQ(read, 1);
    CHECK_EQ(resume, 0);
    MprAdminBufferFree(conns);
    router_admin_set_page_limit(0);
    hdr.size = 100;
    CHECK_EQ(enum_ex(h, &hdr, MAX_PREFERRED_LENGTH, &read, &total, &conns, &resume), ERROR_INVALID_PARAMETER);
    hdr.size = sizeof(RAS_CONNECTION_EX);
    hdr.revision = 2;
    CHECK_EQ(enum_ex(h, &hdr, MAX_PREFERRED_LENGTH, &read, &total, &conns, &resume), ERROR_INVALID_PARAMETER);
    CHECK_EQ(enum_ex(h, NULL, MAX_PREFERRED_LENGTH, &read, &total, &conns, &resume), ERROR_INVALID_PARAMETER);
    hdr.revision = 1;
    router_admin_set_lan_only(1);
    CHECK_EQ(enum_ex(h, &hdr, MAX_PREFERRED_LENGTH, &read, &total, &conns, &resume), ERROR_DDM_NOT_RUNNING);
#ifdef _WIN64
    memset(info, 0, sizeof info);
    info[0] = 2;
    info[1] = 2;
    info[2] = (BYTE)EX1_SIZE;
    CHECK_EQ(info_ex(h, info), 0);
    CHECK_EQ(u32_at(info, 4), 1);        /* fLanOnlyMode: still answers */
    CHECK_EQ(u32_at(info, 12), 352);     /* dwTotalPorts */
    CHECK_EQ(u32_at(info, 16), 6);       /* dwPortsInUse */
    CHECK_EQ(u32_at(info, 24), 128);     /* IKEv2 ports */
    CHECK_EQ(u32_at(info, 24 + 120), 32); /* PPTP */
    CHECK_EQ(u32_at(info, 24 + 128), 64); /* L2TP */
    CHECK_EQ(u32_at(info, 24 + 176), 128); /* SSTP */
    CHECK_EQ(u32_at(info, 24 + 216), 0);   /* GRE */
    CHECK_EQ(info[EX1_SIZE], 0);           /* nothing past the structure */
    memset(info, 0xAB, sizeof info);
    info[0] = 1;
    info[1] = 2;
    info[2] = (BYTE)EX0_SIZE;
    info[3] = 0;
    CHECK_EQ(info_ex(h, info), 0);
    CHECK_EQ(info[EX0_SIZE], 0xAB);
    info[0] = 2; /* revision 2 with EX0's size */
    CHECK_EQ(info_ex(h, info), ERROR_INVALID_PARAMETER);
#endif
    CHECK_EQ(info_ex(h, NULL), ERROR_INVALID_PARAMETER);
    router_admin_set_lan_only(0);
    router_admin_set_ex_available(0);
    CHECK_EQ(enum_ex(h, &hdr, MAX_PREFERRED_LENGTH, &read, &total, &conns, &resume), ERROR_PROC_NOT_FOUND);
    CHECK_EQ(info_ex(h, info), ERROR_PROC_NOT_FOUND);
    router_admin_set_ex_available(1);
    MprAdminServerDisconnect(h);
    CHECK_EQ(C("live_buffers"), 0);
}

static DWORD WINAPI admin_hung_call(LPVOID h)
{
    BYTE *buf = NULL;
    DWORD rc = MprAdminServerGetInfo((MPR_SERVER_HANDLE)h, 0, &buf);
    if (buf)
        MprAdminBufferFree(buf);
    return rc;
}

static void test_admin_servers(void)
{
    MPR_SERVER_HANDLE slow, down, stuck;
    BYTE *buf = NULL;
    DWORD t0, rc = 0;
    HANDLE t;
    int i;
    router_reset();
    router_set_server(L"vpn-slow", 150, 0, 0);
    router_set_server(L"vpn-down", 0, 1753, 0);
    router_set_server(L"vpn-stuck", 0, 0, 1);
    MprAdminServerConnect(L"vpn-slow", &slow);
    MprAdminServerConnect(L"vpn-down", &down);
    MprAdminServerConnect(L"vpn-stuck", &stuck);
    t0 = GetTickCount();
    CHECK_EQ(MprAdminServerGetInfo(slow, 0, &buf), 0);
    CHECK(GetTickCount() - t0 >= 120);
    MprAdminBufferFree(buf);
    CHECK_EQ(MprAdminServerGetInfo(down, 0, &buf), 1753);
    CHECK(buf == NULL);
    router_fail_calls(5);
    CHECK_EQ(MprAdminPortReset(slow, NULL), ERROR_ACCESS_DENIED);
    router_fail_calls(0);
    t = CreateThread(NULL, 0, admin_hung_call, stuck, 0, NULL);
    for (i = 0; i < 500 && C("hung") < 1; i++)
        Sleep(10);
    CHECK_EQ(C("hung"), 1);
    CHECK_EQ(C("in_flight"), 1);
    MprAdminServerDisconnect(stuck);
    CHECK_EQ(C("disconnect_in_use"), 1);
    router_release_hangs();
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &rc);
    CloseHandle(t);
    CHECK_EQ(rc, 0);
    CHECK_EQ(C("in_flight"), 0);
    CHECK_EQ(C("hangs"), 1);
    MprAdminServerDisconnect(slow);
    MprAdminServerDisconnect(down);
    CHECK_EQ(C("live_admin_handles"), 0);
    CHECK_EQ(C("live_buffers"), 0);
}

static void test_admin(void)
{
    test_admin_handles();
    test_admin_server_info();
    test_admin_connections();
    test_admin_ports();
    test_admin_resume();
    test_admin_lan_only_and_writes();
    test_admin_malformed();
    test_admin_ex();
    test_admin_servers();
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
    test_not_used_index();
    test_row_index();
    test_net_table_index();
    test_net_row_index();
    test_udp_scope_index();
    test_mfe();
    test_best_route();
    test_route_views();
    test_mcast_global();
    test_sdk_forms();
    test_ipv6();
    test_admin();
    printf("%d passed, %d failed\n", g_passes, g_failures);
    return g_failures ? 1 : 0;
}
