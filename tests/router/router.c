/*
 * Stand-in router: a DLL named mprapi.dll that replaces Mprapi.dll in tests.
 *
 * Wine's own Mprapi.dll exports the Router Management MIB functions as stubs
 * that abort the process, and a real router (RRAS) only runs on Windows
 * Server. So the tests load this DLL instead (WINEDLLOVERRIDES="mprapi=n,b").
 * It answers the twelve functions the client imports the way the real router
 * manager does (see tests/router/README.md), serves a fixed MIB whose values
 * the tests check field by field, and exports control functions (router_*)
 * through which tests inject faults, damaged replies and delays and read
 * counters that reveal client mistakes (leaked handles, double frees, ...).
 * By default it is as strict as MS-RRASM for the MIB reads: each variable's
 * index exactly as 2.2.1.2.53 gives it, each reply as 2.2.1.2.52 gives it
 * (router_set_sdk_forms serves the SDK's reply forms instead).
 *
 * Build (x86-64 only; WINAPI names are undecorated there):
 *   x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Werror -shared -o mprapi.dll \
 *       tests/router/router.c -liphlpapi -static-libgcc
 */

/* winsock2.h and ws2ipdef.h before windows.h: iphlpapi.h then declares the
 * Vista API (netioapi.h: GetIpForwardTable2 and friends, for IPv6). */
#include <winsock2.h>
#include <ws2ipdef.h>
#include <windows.h>
#include <mprapi.h>
#include <mprerror.h>
#include <iprtrmib.h>
#include <iphlpapi.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __declspec(dllexport)

/* Builds with MinGW-w64 (the Windows lane) and with MSVC (cibuildwheel). */
#ifdef _MSC_VER
#define bswap32(x) _byteswap_ulong(x)
#pragma comment(lib, "iphlpapi.lib")
#else
#define bswap32(x) __builtin_bswap32(x)
#endif

/* Error codes named as in winerror.h / mprerror.h; spelled out as numbers
 * as well so that a reader can match them against the tests. */
#define E_OK 0
#define E_ACCESS_DENIED 5                 /* ERROR_ACCESS_DENIED */
#define E_INVALID_HANDLE 6                /* ERROR_INVALID_HANDLE */
#define E_NOT_ENOUGH_MEMORY 8             /* ERROR_NOT_ENOUGH_MEMORY */
#define E_NOT_SUPPORTED 50                /* ERROR_NOT_SUPPORTED */
#define E_INVALID_PARAMETER 87            /* ERROR_INVALID_PARAMETER */
#define E_ALREADY_EXISTS 183              /* ERROR_ALREADY_EXISTS */
#define E_NO_DATA 232                     /* ERROR_NO_DATA */
#define E_NO_MORE_ITEMS 259               /* ERROR_NO_MORE_ITEMS */
#define E_MR_MID_NOT_FOUND 317            /* ERROR_MR_MID_NOT_FOUND */
#define E_UNKNOWN_PROTOCOL_ID 902         /* ERROR_UNKNOWN_PROTOCOL_ID */
#define E_CAN_NOT_COMPLETE 1003           /* ERROR_CAN_NOT_COMPLETE */
#define E_HOST_UNREACHABLE 1232           /* ERROR_HOST_UNREACHABLE */
#define E_INVALID_INDEX 1413              /* ERROR_INVALID_INDEX */
#define E_RPC_UNKNOWN_IF 1717             /* RPC_S_UNKNOWN_IF */
#define E_RPC_SERVER_UNAVAILABLE 1722     /* RPC_S_SERVER_UNAVAILABLE */

/* MIB_OPAQUE_INFO puts its payload after a ULONGLONG-aligned union. */
#define REPLY_HDR ((DWORD)offsetof(MIB_OPAQUE_INFO, rgbyData))

/* Windows runs little-endian everywhere, so the in-memory bytes a.b.c.d of a
 * network-order address are this DWORD. */
#define IPV4(a, b, c, d) \
    ((DWORD)(a) | ((DWORD)(b) << 8) | ((DWORD)(c) << 16) | ((DWORD)(d) << 24))

/* The SDK says the upper 16 bits of a port DWORD may hold garbage; putting
 * some there makes a client that forgets to mask them fail visibly. */
#define PORT(p) (0xABCD0000u | (DWORD)((((p) & 0xFFu) << 8) | (((p) >> 8) & 0xFFu)))

#define METRIC_UNUSED 0xFFFFFFFFu
/* What Create and Set give a route "irrespective of the values specified"
 * (MS-RRASM 3.1.4.27, 3.1.4.29); the SDK's routprot.h value. */
#define IP_PRIORITY_DEFAULT_METRIC 0x7Fu
/* MIB_IPMCAST_BOUNDARY's dwStatus (MS-RRASM 2.2.1.2.37); MinGW lacks them. */
#ifndef ROWSTATUS_ACTIVE
#define ROWSTATUS_ACTIVE 1u
#define ROWSTATUS_CREATEANDGO 4u
#define ROWSTATUS_DESTROY 6u
#endif

/* The address family GetIpStatisticsEx and friends take for IPv6 (ws2def.h). */
#define FAMILY_INET6 23
/* The IPv6 transport (MS-RRASM 3.1.4.30, 3.1.4.31: "An IPv6 protocol MIB
 * entry is to be retrieved"); MinGW's mprapi.h lacks it. */
#ifndef PID_IPV6
#define PID_IPV6 0x00000057
#endif
/* MS-RRASM 2.2.1.2.46's MIB_IPMCAST_SCOPE: the SDK's 524 bytes, then BYTE
 * reserved[492]. */
#define SCOPE_WIRE_SIZE 1016u
/* MS-RRASM 2.2.1.2.53: MCAST_MFE's and MCAST_MFE_STATS's rgdwVarIndex[2]. */
#define MFE_SRC_MASK_INDEX 0xFFFFFFFFu

enum { OP_GET, OP_GETFIRST, OP_GETNEXT };
/* KIND_HANDLE: a MIB server handle; KIND_ADMIN_HANDLE: an admin (MprAdminServerConnect)
 * one (admin.c). Each family refuses the other's. */
enum { KIND_NONE, KIND_MIB, KIND_ADMIN, KIND_HANDLE, KIND_ADMIN_HANDLE };
enum { MODE_FIXED = 0, MODE_LOOPBACK = 1 };

/* ------------------------------------------------------------------------ */
/* Registry of live pointers (handles, buffers).                            */
/*                                                                          */
/* Liveness must be decided without dereferencing the pointer: clients hand */
/* us freed or invented pointers on purpose. An open-addressing hash keeps  */
/* this O(1) even when a client holds thousands of replies.                 */
/* ------------------------------------------------------------------------ */

typedef struct {
    void **keys;
    BYTE *kinds;
    size_t cap; /* power of two, or 0 before the first insert */
    size_t count;
} PTRSET;

static size_t set_home(const PTRSET *s, const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (s->cap - 1);
}

static int set_slot(const PTRSET *s, const void *p, size_t *slot)
{
    size_t i;
    if (!s->cap || !p)
        return 0;
    for (i = set_home(s, p); s->keys[i]; i = (i + 1) & (s->cap - 1)) {
        if (s->keys[i] == p) {
            *slot = i;
            return 1;
        }
    }
    return 0;
}

static int set_kind(const PTRSET *s, const void *p)
{
    size_t i;
    return set_slot(s, p, &i) ? s->kinds[i] : KIND_NONE;
}

static void set_put(PTRSET *s, void *p, int kind)
{
    size_t i = set_home(s, p);
    while (s->keys[i])
        i = (i + 1) & (s->cap - 1);
    s->keys[i] = p;
    s->kinds[i] = (BYTE)kind;
    s->count++;
}

static BOOL set_add(PTRSET *s, void *p, int kind)
{
    if ((s->count + 1) * 2 > s->cap) {
        PTRSET n;
        size_t i;
        n.cap = s->cap ? s->cap * 2 : 64;
        n.count = 0;
        n.keys = calloc(n.cap, sizeof *n.keys);
        n.kinds = calloc(n.cap, 1);
        if (!n.keys || !n.kinds) {
            free(n.keys);
            free(n.kinds);
            return FALSE;
        }
        for (i = 0; i < s->cap; i++)
            if (s->keys[i])
                set_put(&n, s->keys[i], s->kinds[i]);
        free(s->keys);
        free(s->kinds);
        *s = n;
    }
    set_put(s, p, kind);
    return TRUE;
}

/* Is k cyclically within (i, j]? */
static int cyc_between(size_t i, size_t k, size_t j)
{
    return i <= j ? (i < k && k <= j) : (i < k || k <= j);
}

static void set_remove(PTRSET *s, const void *p)
{
    size_t i, j;
    if (!set_slot(s, p, &i))
        return;
    /* Backward-shift deletion: keeps every probe chain unbroken without
     * tombstones, so lookups stay short after many alloc/free cycles. */
    for (j = (i + 1) & (s->cap - 1); s->keys[j]; j = (j + 1) & (s->cap - 1)) {
        if (!cyc_between(i, set_home(s, s->keys[j]), j)) {
            s->keys[i] = s->keys[j];
            s->kinds[i] = s->kinds[j];
            i = j;
        }
    }
    s->keys[i] = NULL;
    s->count--;
}

/* Drops the registry without freeing what it points to: after a reset a
 * client may still hold (and later free) those pointers. */
static void set_forget(PTRSET *s)
{
    free(s->keys);
    free(s->kinds);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------------ */
/* Global state. Everything below is guarded by g_lock.                     */
/* ------------------------------------------------------------------------ */

typedef struct ROUTER_HANDLE {
    struct ROUTER_HANDLE *next_retired;
    DWORD lazy_error; /* what every MIB call answers, 0 if none */
    LONG in_flight;   /* calls currently running on this handle */
    /* The name Connect got (L"" for NULL), copied: router_set_server's
     * patterns are matched against it at each call. Never freed, like the
     * handle. */
    const WCHAR *server;
} ROUTER_HANDLE;

static CRITICAL_SECTION g_lock;

static struct {
    LONGLONG connects, disconnects, bad_handle, disconnect_in_use, calls;
    LONGLONG max_in_flight, in_flight, buffers_allocated, double_free;
    LONGLONG wrong_free, error_strings;
    LONGLONG hung, hangs; /* calls blocked by a hanging server now, and since the reset */
    /* The admin half (admin.c): its handles and calls. */
    LONGLONG admin_connects, admin_disconnects, admin_calls, admin_bad_handle;
} g_count;

static PTRSET g_handles;
static PTRSET g_buffers;
/* Retired handles are never freed: a call that was in flight when its handle
 * was disconnected still writes to it when it finishes. */
static ROUTER_HANDLE *g_graveyard;
/* Bumped by router_reset so that calls in flight across a reset do not
 * decrement the freshly zeroed in_flight counter. */
static DWORD g_generation;

static DWORD g_fail_connect;
static DWORD g_fail_calls;
static BOOL g_fail_with_buffer;
/* Leave the Get family's out parameters alone on failure, as an RPC stub
   that fails before unmarshalling could: a client must not trust them. */
static BOOL g_out_untouched_on_error;
static DWORD g_delay_ms;
static BOOL g_service_running;
static int g_mode;
static int g_malformed;

/* Per-server behaviour (router_set_server), so that one process can stand
 * in for hundreds of routers, each slow, failing or hanging in its own way.
 * Kept in the order set: a call takes the last rule that matches its
 * handle's server name. Looked up at every call (a linear scan, cheap at
 * this size), so a rule set after Connect applies to the handle too. */
#define SERVER_RULES_MAX 4096
typedef struct {
    WCHAR *pattern; /* an exact name, or a prefix followed by '*' */
    DWORD delay_ms, fail_code;
    BOOL hang;
} SERVER_RULE;
static SERVER_RULE g_rules[SERVER_RULES_MAX];
static DWORD g_nrules;
/* Hung calls wait on g_hang_cv (which gives g_lock up while they wait) until
 * g_hang_epoch moves on: router_release_hangs and router_reset bump it, so a
 * call that hangs after a release waits for the next one. */
static CONDITION_VARIABLE g_hang_cv;
static DWORD g_hang_epoch;

static WCHAR *g_last_server; /* NULL: the last Connect got NULL (or none yet) */
static BYTE *g_last_input;
static DWORD g_last_input_size;

/* Freed MIB/admin buffers wait here before going back to the heap, so that a
 * double free shortly after a free cannot hit a new reply that happens to
 * reuse the address (it would then be missed, and free the wrong buffer). */
#define QUARANTINE_SLOTS 256
#define QUARANTINE_BYTES (64u << 20)
static void *g_quarantine[QUARANTINE_SLOTS];
static SIZE_T g_quarantine_size[QUARANTINE_SLOTS];
static unsigned g_quarantine_head, g_quarantine_len;
static SIZE_T g_quarantine_bytes;

/* A multicast forwarding entry as the fixed MIB keeps it: every counter of
 * MIB_IPMCAST_MFE, _MFE_STATS and _MFE_STATS_EX, and up to three outgoing
 * interfaces; mfe_encode writes each of the three wire forms from it. */
typedef struct {
    DWORD out_if, next_hop, ttl_too_low, frag_needed, out_packets, out_discards;
} FIXED_OIF;

typedef struct {
    DWORD group, source, src_mask, upstream, in_if, in_if_protocol, route_protocol;
    DWORD route_network, route_mask, up_time, expiry_time, time_out, flags;
    DWORD in_pkts, in_octets, pkts_different_if, queue_overflow;
    DWORD uninit_mfe, negative_mfe, in_discards, in_hdr_errors, total_out_packets;
    DWORD num_out_if;
    FIXED_OIF oif[3];
} FIXED_MFE;

/* The SDK's MIB_IPDESTROW (64 bytes): MinGW-w64's C declaration is a 12-byte
 * union, wrong for the wire, so this one is ours. */
typedef struct {
    MIB_IPFORWARDROW route;
    DWORD preference; /* dwForwardPreference: lower wins */
    DWORD view_set;   /* dwForwardViewSet: RTM_VIEW_MASK_UCAST 1, _MCAST 2 */
} DEST_ROW;
typedef char dest_row_is_64_bytes[sizeof(DEST_ROW) == 64 ? 1 : -1];

/* INTERFACE_ROUTE_INFO (MS-RRASM 2.2.1.2.11), 72 bytes: a 48-byte union of
 * the IPv4 arm (9 DWORDs, the rest of the union zero) and the IPv6 arm, then
 * six DWORDs, the last bV4. BEST_ROUTE's strict reply (IPv4 arm) and, after
 * a dwIndex, INTERFACE_ROUTE_ENTRY (2.2.1.2.181: IP_FORWARDROW under
 * PID_IPV6). MinGW-w64 has neither, so they are ours. */
typedef struct {
    union {
        struct {
            DWORD dwRtInfoDest, dwRtInfoMask, dwRtInfoPolicy, dwRtInfoNextHop, dwRtInfoAge;
            DWORD dwRtInfoNextHopAS, dwRtInfoMetric1, dwRtInfoMetric2, dwRtInfoMetric3;
        } v4;
        struct {
            BYTE DestinationPrefix[16]; /* IN6_ADDR */
            DWORD DestPrefixLength;
            BYTE NextHopAddress[16];    /* IN6_ADDR */
            ULONG ValidLifeTime;
            DWORD Flags;
            ULONG Metric;
        } v6;
    } u;
    DWORD dwRtInfoIfIndex, dwRtInfoType, dwRtInfoProto, dwRtInfoPreference, dwRtInfoViewSet;
    BOOL bV4;
} ROUTE_INFO;
typedef char route_info_is_72_bytes[sizeof(ROUTE_INFO) == 72 ? 1 : -1];
typedef char route_info_union_is_48_bytes[offsetof(ROUTE_INFO, dwRtInfoIfIndex) == 48 ? 1 : -1];

typedef struct {
    DWORD dwIndex;
    ROUTE_INFO info;
} ROUTE_ENTRY;
typedef char route_entry_is_76_bytes[sizeof(ROUTE_ENTRY) == 76 ? 1 : -1];

/* The fixed MIB. Every table is kept sorted by its row index. */
static MIB_IFROW g_ifs[3];
static MIB_IPADDRROW g_addrs[3];
/* The ARP table: IP_NETROW Create adds to it, IP_NETTABLE Delete takes from it. */
#define NET_MAX 64
static MIB_IPNETROW g_net[NET_MAX];
static DWORD g_nnet;
static MIB_TCPROW g_tcp[2];
static MIB_UDPROW g_udp[2];
static MIB_IPFORWARDROW *g_routes;
static DWORD g_nroutes, g_routes_cap;
/* Each route's dwForwardPreference and dwForwardViewSet, parallel to
 * g_routes (same index): the route table replies carry MIB_IPFORWARDROW,
 * the route lookups MIB_IPDESTROW. */
typedef struct {
    DWORD preference, view_set;
} ROUTE_PV;
static ROUTE_PV *g_route_pv;
/* Legacy route writes (router_set_legacy_route_writes): also take the form
 * MS-RRASM does not give, dwId IP_FORWARDROW with the 56-byte row (Create,
 * Set) or the query {IP_FORWARDROW, dest, proto, policy, next hop} (Delete).
 * router_reset restores LEGACY_ROUTE_WRITES_DEFAULT. */
#ifndef LEGACY_ROUTE_WRITES_DEFAULT
#define LEGACY_ROUTE_WRITES_DEFAULT 0
#endif
static BOOL g_legacy_route_writes = LEGACY_ROUTE_WRITES_DEFAULT;
/* Unlisted writes (router_set_unlisted_writes): also take the writes that
 * MS-RRASM 3.1.4.27..29 do not list but the SDK's IP Helper functions give a
 * form to: IP_NETROW Create and Set (CreateIpNetEntry, SetIpNetEntry),
 * PROXY_ARP Create and Delete (CreateProxyArpEntry, DeleteProxyArpEntry).
 * Off (the default, and after router_reset) they are 87, as from a server
 * that follows the specification. */
static BOOL g_unlisted_writes;
/* The SDK's reply forms (router_set_sdk_forms) instead of MS-RRASM's: off
 * (the default, and after router_reset), replies are as 2.2.1.2.52 gives
 * them; on, BEST_ROUTE is a MIB_IPFORWARDROW, PROXY_ARP's GetFirst and Get
 * with no index the table, MCAST_SCOPE 524 bytes, the MFEs' outgoing
 * interfaces 16 or 28 bytes and MCAST_MFE_STATS_EX's rows 84, and
 * IP6/UDP6/TCP6_STATS are served. The query rules are the same either way. */
static BOOL g_sdk_forms;
/* MCAST_GLOBAL's dwEnable (router_set_mcast_enabled): 1 on (the default), 2 off. */
static BOOL g_mcast_enabled;
/* MIB_IPSTATS's two writable fields (IP_STATS Set). */
static DWORD g_ip_forwarding, g_ip_default_ttl;
/* Routes the routing table manager holds besides the forwarder's (g_routes):
 * one that lost to a better route, one in the multicast view only. */
static DEST_ROW g_rtm_extra[2];
#define PROXY_ARP_MAX 64
static MIB_PROXYARP g_proxy[PROXY_ARP_MAX];
static DWORD g_nproxy;
static MIB_IPMCAST_IF_ENTRY g_mcast_if[2];
/* MCAST_BOUNDARY Set adds to and takes from it (ROWSTATUS_CREATEANDGO, _DESTROY). */
#define BOUNDARY_MAX 64
static MIB_IPMCAST_BOUNDARY g_boundary[BOUNDARY_MAX];
static DWORD g_nboundary;
static MIB_IPMCAST_SCOPE g_scope[2];
static FIXED_MFE g_mfe[3];
/* PID_IPV6: the interfaces that have IPv6 (indices into the interface table
 * by dwIndex) and the IPv6 routes, sorted by dwIndex. */
static const DWORD g_ip6_if_index[2] = {1, 3};
#define IP6_ROUTES 5
static ROUTE_ENTRY g_ip6_routes[IP6_ROUTES];

/* ------------------------------------------------------------------------ */
/* Row indices.                                                             */
/* ------------------------------------------------------------------------ */

typedef struct {
    DWORD nkeys;
    DWORD addr_keys; /* bit i set: key i is an IPv4 address (network order) */
    DWORD port_keys; /* bit i set: key i is a port (network order in the low 16 bits) */
    size_t row_size;
    void (*keys_of)(const void *row, DWORD *keys);
} ROW_KIND;

static void if_keys(const void *row, DWORD *k)
{
    const MIB_IFROW *r = row;
    k[0] = r->dwIndex;
}

static void addr_keys(const void *row, DWORD *k)
{
    const MIB_IPADDRROW *r = row;
    k[0] = r->dwAddr;
}

static void net_keys(const void *row, DWORD *k)
{
    const MIB_IPNETROW *r = row;
    k[0] = r->dwIndex;
    k[1] = r->dwAddr;
}

static void fwd_keys(const void *row, DWORD *k)
{
    const MIB_IPFORWARDROW *r = row;
    k[0] = r->dwForwardDest;
    k[1] = r->dwForwardProto;
    k[2] = r->dwForwardPolicy;
    k[3] = r->dwForwardNextHop;
}

static void tcp_keys(const void *row, DWORD *k)
{
    const MIB_TCPROW *r = row;
    k[0] = r->dwLocalAddr;
    k[1] = r->dwLocalPort;
    k[2] = r->dwRemoteAddr;
    k[3] = r->dwRemotePort;
}

static void udp_keys(const void *row, DWORD *k)
{
    const MIB_UDPROW *r = row;
    k[0] = r->dwLocalAddr;
    k[1] = r->dwLocalPort;
}

static void ifstatus_keys(const void *row, DWORD *k)
{
    const MIB_IFSTATUS *r = row;
    k[0] = r->dwIfIndex;
}

static void proxy_keys(const void *row, DWORD *k)
{
    const MIB_PROXYARP *r = row;
    k[0] = r->dwAddress;
    k[1] = r->dwMask;
    k[2] = r->dwIfIndex;
}

static void mcast_if_keys(const void *row, DWORD *k)
{
    const MIB_IPMCAST_IF_ENTRY *r = row;
    k[0] = r->dwIfIndex;
}

static void boundary_keys(const void *row, DWORD *k)
{
    const MIB_IPMCAST_BOUNDARY *r = row;
    k[0] = r->dwIfIndex;
    k[1] = r->dwGroupAddress;
    k[2] = r->dwGroupMask;
}

static void scope_keys(const void *row, DWORD *k)
{
    const MIB_IPMCAST_SCOPE *r = row;
    k[0] = r->dwGroupAddress;
    k[1] = r->dwGroupMask;
}

static void mfe_keys(const void *row, DWORD *k)
{
    const FIXED_MFE *r = row;
    k[0] = r->group;
    k[1] = r->source;
    k[2] = r->src_mask;
}

static void ip6_route_keys(const void *row, DWORD *k)
{
    const ROUTE_ENTRY *r = row;
    k[0] = r->dwIndex;
}

static const ROW_KIND K_IF = {1, 0x0, 0x0, sizeof(MIB_IFROW), if_keys};
static const ROW_KIND K_ADDR = {1, 0x1, 0x0, sizeof(MIB_IPADDRROW), addr_keys};
static const ROW_KIND K_NET = {2, 0x2, 0x0, sizeof(MIB_IPNETROW), net_keys};
static const ROW_KIND K_FWD = {4, 0x9, 0x0, sizeof(MIB_IPFORWARDROW), fwd_keys};
static const ROW_KIND K_TCP = {4, 0x5, 0xA, sizeof(MIB_TCPROW), tcp_keys};
static const ROW_KIND K_UDP = {2, 0x1, 0x2, sizeof(MIB_UDPROW), udp_keys};
static const ROW_KIND K_IFSTATUS = {1, 0x0, 0x0, sizeof(MIB_IFSTATUS), ifstatus_keys};
static const ROW_KIND K_PROXY = {3, 0x3, 0x0, sizeof(MIB_PROXYARP), proxy_keys};
static const ROW_KIND K_MCAST_IF = {1, 0x0, 0x0, sizeof(MIB_IPMCAST_IF_ENTRY), mcast_if_keys};
static const ROW_KIND K_BOUNDARY = {3, 0x6, 0x0, sizeof(MIB_IPMCAST_BOUNDARY), boundary_keys};
static const ROW_KIND K_SCOPE = {2, 0x3, 0x0, sizeof(MIB_IPMCAST_SCOPE), scope_keys};
static const ROW_KIND K_MFE = {3, 0x7, 0x0, sizeof(FIXED_MFE), mfe_keys};
static const ROW_KIND K_IP6_ROUTE = {1, 0x0, 0x0, sizeof(ROUTE_ENTRY), ip6_route_keys};

/* Addresses compare in natural IP order (10.0.0.2 < 10.0.1.0), which is
 * numeric order of the byte-swapped network-order DWORD; ports as host-order
 * numbers, the upper 16 bits of their DWORD ignored (the SDK leaves them
 * undefined, and the fixed MIB puts garbage there). */
static void norm_keys(const ROW_KIND *k, DWORD *keys)
{
    DWORD i;
    for (i = 0; i < k->nkeys; i++) {
        if (k->addr_keys >> i & 1)
            keys[i] = bswap32(keys[i]);
        else if (k->port_keys >> i & 1)
            keys[i] = (keys[i] & 0xFFu) << 8 | (keys[i] >> 8 & 0xFFu);
    }
}

static void row_keys(const ROW_KIND *k, const void *row, DWORD *keys)
{
    k->keys_of(row, keys);
    norm_keys(k, keys);
}

static int cmp_keys(const DWORD *a, const DWORD *b, DWORD n)
{
    DWORD i;
    for (i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static int cmp_rows(const ROW_KIND *k, const void *a, const void *b)
{
    DWORD ka[4], kb[4];
    row_keys(k, a, ka);
    row_keys(k, b, kb);
    return cmp_keys(ka, kb, k->nkeys);
}

static int cmp_if(const void *a, const void *b) { return cmp_rows(&K_IF, a, b); }
static int cmp_addr(const void *a, const void *b) { return cmp_rows(&K_ADDR, a, b); }
static int cmp_net(const void *a, const void *b) { return cmp_rows(&K_NET, a, b); }
static int cmp_fwd(const void *a, const void *b) { return cmp_rows(&K_FWD, a, b); }
static int cmp_tcp(const void *a, const void *b) { return cmp_rows(&K_TCP, a, b); }
static int cmp_udp(const void *a, const void *b) { return cmp_rows(&K_UDP, a, b); }

/* Index of the first row whose first nk keys are >= key's (or > when
 * strict). Binary search, because clients walk 200000-route tables with
 * GetNext. */
static DWORD row_bound(const ROW_KIND *k, const BYTE *rows, DWORD n,
                       const DWORD *key, DWORD nk, BOOL strict)
{
    DWORD lo = 0, hi = n;
    while (lo < hi) {
        DWORD mid = lo + (hi - lo) / 2, rk[4];
        int c;
        row_keys(k, rows + (size_t)mid * k->row_size, rk);
        c = cmp_keys(rk, key, nk);
        if (c < 0 || (strict && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Get/GetFirst/GetNext of a row id against sorted rows, by the first nk
 * keys (the index given, or the leading part of it that names rows):
 * - GetFirst: the first row (232 if there is none); the index is ignored;
 * - Get: the first row whose first nk keys equal the index (1413 if none);
 * - GetNext: the first row whose first nk keys are greater (259 if none). */
static DWORD row_find(int op, const ROW_KIND *k, const BYTE *rows, DWORD n,
                      const DWORD *idx, DWORD nk, const BYTE **row)
{
    DWORD key[4] = {0, 0, 0, 0}, i;
    if (op == OP_GETFIRST) {
        if (!n)
            return E_NO_DATA;
        *row = rows;
        return E_OK;
    }
    if (nk > k->nkeys)
        nk = k->nkeys;
    memcpy(key, idx, nk * sizeof(DWORD));
    norm_keys(k, key);
    i = row_bound(k, rows, n, key, nk, op == OP_GETNEXT);
    if (op == OP_GETNEXT) {
        if (i >= n)
            return E_NO_MORE_ITEMS;
    } else {
        DWORD rk[4];
        if (i >= n)
            return E_INVALID_INDEX;
        row_keys(k, rows + (size_t)i * k->row_size, rk);
        if (cmp_keys(rk, key, nk))
            return E_INVALID_INDEX;
    }
    *row = rows + (size_t)i * k->row_size;
    return E_OK;
}

/* ------------------------------------------------------------------------ */
/* The fixed MIB.                                                           */
/* ------------------------------------------------------------------------ */

static void set_if(MIB_IFROW *r, DWORD index, const WCHAR *name, DWORD type,
                   DWORD mtu, DWORD speed, const BYTE *phys, DWORD physlen,
                   DWORD admin, DWORD oper, DWORD last_change, const char *descr)
{
    memset(r, 0, sizeof *r);
    wcsncpy(r->wszName, name, MAX_INTERFACE_NAME_LEN - 1);
    r->dwIndex = index;
    r->dwType = type;
    r->dwMtu = mtu;
    r->dwSpeed = speed;
    r->dwPhysAddrLen = physlen;
    if (physlen)
        memcpy(r->bPhysAddr, phys, physlen);
    r->dwAdminStatus = admin;
    r->dwOperStatus = oper;
    r->dwLastChange = last_change;
    /* Windows counts the terminating NUL in dwDescrLen. */
    r->dwDescrLen = (DWORD)strlen(descr) + 1;
    memcpy(r->bDescr, descr, r->dwDescrLen);
}

static void set_route(MIB_IPFORWARDROW *r, DWORD dest, DWORD mask, DWORD next_hop,
                      DWORD ifindex, DWORD type, DWORD proto, DWORD age, DWORD as,
                      DWORD m1, DWORD m2, DWORD m3, DWORD m4, DWORD m5)
{
    memset(r, 0, sizeof *r);
    r->dwForwardDest = dest;
    r->dwForwardMask = mask;
    r->dwForwardPolicy = 0;
    r->dwForwardNextHop = next_hop;
    r->dwForwardIfIndex = ifindex;
    r->dwForwardType = type;
    r->dwForwardProto = proto;
    r->dwForwardAge = age;
    r->dwForwardNextHopAS = as;
    r->dwForwardMetric1 = m1;
    r->dwForwardMetric2 = m2;
    r->dwForwardMetric3 = m3;
    r->dwForwardMetric4 = m4;
    r->dwForwardMetric5 = m5;
}

static void set_net(MIB_IPNETROW *r, DWORD index, BYTE last_octet, DWORD addr, DWORD type)
{
    static const BYTE base[6] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x00};
    memset(r, 0, sizeof *r);
    r->dwIndex = index;
    r->dwPhysAddrLen = 6;
    memcpy(r->bPhysAddr, base, 6);
    r->bPhysAddr[5] = last_octet;
    r->dwAddr = addr;
    r->dwType = type;
}

static BOOL routes_reserve(DWORD n)
{
    MIB_IPFORWARDROW *p;
    ROUTE_PV *pv;
    DWORD cap;
    if (n <= g_routes_cap)
        return TRUE;
    cap = g_routes_cap ? g_routes_cap : 8;
    while (cap < n)
        cap = cap > 0x7FFFFFFFu ? n : cap * 2;
    p = realloc(g_routes, (size_t)cap * sizeof *p);
    if (!p)
        return FALSE;
    g_routes = p;
    pv = realloc(g_route_pv, (size_t)cap * sizeof *pv);
    if (!pv)
        return FALSE;
    g_route_pv = pv;
    g_routes_cap = cap;
    return TRUE;
}

/* Preference by protocol, as the router manager's defaults rank them. */
static DWORD preference_of(DWORD proto)
{
    switch (proto) {
    case 2: return 1;        /* MIB_IPPROTO_LOCAL */
    case 3: return 3;        /* MIB_IPPROTO_NETMGMT (static) */
    case 10006: return 3;    /* MIB_IPPROTO_NT_STATIC */
    case 10007: return 5;    /* MIB_IPPROTO_NT_STATIC_NON_DOD */
    case 10002: return 7;    /* MIB_IPPROTO_NT_AUTOSTATIC */
    case 13: return 110;     /* MIB_IPPROTO_OSPF */
    case 8: return 120;      /* MIB_IPPROTO_RIP */
    default: return 250;
    }
}

/* Route i's preference and view set as the router manager gives a route of
 * its protocol: view set 1 (unicast) for local routes, 3 for the others. */
static void route_pv_default(DWORD i)
{
    g_route_pv[i].preference = preference_of(g_routes[i].dwForwardProto);
    g_route_pv[i].view_set = g_routes[i].dwForwardProto == 2 ? 1 : 3;
}

static void set_scope(MIB_IPMCAST_SCOPE *s, DWORD group, DWORD mask, const WCHAR *name,
                      DWORD status)
{
    memset(s, 0, sizeof *s);
    s->dwGroupAddress = group;
    s->dwGroupMask = mask;
    wcsncpy(s->snNameBuffer, name, MAX_SCOPE_NAME_LEN);
    s->dwStatus = status;
}

static void set_oif(FIXED_OIF *o, DWORD out_if, DWORD next_hop, DWORD ttl_too_low,
                    DWORD frag_needed, DWORD out_packets, DWORD out_discards)
{
    o->out_if = out_if;
    o->next_hop = next_hop;
    o->ttl_too_low = ttl_too_low;
    o->frag_needed = frag_needed;
    o->out_packets = out_packets;
    o->out_discards = out_discards;
}

/* The 16 bytes of an IPv6 address given as its eight 16-bit groups. */
static void ip6_addr(BYTE *out, const WORD *groups)
{
    DWORD i;
    for (i = 0; i < 8; i++) {
        out[2 * i] = (BYTE)(groups[i] >> 8);
        out[2 * i + 1] = (BYTE)(groups[i] & 0xFFu);
    }
}

/* An IPv6 route as INTERFACE_ROUTE_ENTRY gives it (MS-RRASM 2.2.1.2.181):
 * the IPv6 arm of INTERFACE_ROUTE_INFO, valid for ever, Flags 0, its
 * protocol's preference, view set 3 (unicast and multicast), bV4 FALSE. */
static void set_route6(ROUTE_ENTRY *e, DWORD index, const WORD *prefix, DWORD prefix_len,
                       const WORD *next_hop, DWORD if_index, DWORD type, DWORD proto,
                       DWORD metric)
{
    memset(e, 0, sizeof *e);
    e->dwIndex = index;
    ip6_addr(e->info.u.v6.DestinationPrefix, prefix);
    e->info.u.v6.DestPrefixLength = prefix_len;
    ip6_addr(e->info.u.v6.NextHopAddress, next_hop);
    e->info.u.v6.ValidLifeTime = 0xFFFFFFFFu;
    e->info.u.v6.Flags = 0;
    e->info.u.v6.Metric = metric;
    e->info.dwRtInfoIfIndex = if_index;
    e->info.dwRtInfoType = type;
    e->info.dwRtInfoProto = proto;
    e->info.dwRtInfoPreference = preference_of(proto);
    e->info.dwRtInfoViewSet = 3;
    e->info.bV4 = FALSE;
}

/* The IPv6 routes (PID_IPV6 IP_FORWARDROW), dwIndex apart on purpose: a
 * client must walk by the index it got, not count. Types 3 (direct) and 4
 * (indirect); protocols 2 (local) and 3 (netmgmt). Lock held (or DllMain). */
static void load_fixed_ip6(void)
{
    static const WORD any[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    static const WORD gw1[8] = {0xfe80, 0, 0, 0, 0, 0, 0, 1};
    static const WORD gw2[8] = {0xfe80, 0, 0, 0, 0, 0, 0, 2};
    static const WORD site10[8] = {0x2001, 0xdb8, 0x10, 0, 0, 0, 0, 0};
    static const WORD site20[8] = {0x2001, 0xdb8, 0x20, 0, 0, 0, 0, 0};
    static const WORD link[8] = {0xfe80, 0, 0, 0, 0, 0, 0, 0};
    static const WORD loop[8] = {0, 0, 0, 0, 0, 0, 0, 1};

    set_route6(&g_ip6_routes[0], 3, any, 0, gw1, 3, 4, 2, 256);
    set_route6(&g_ip6_routes[1], 7, site10, 64, any, 3, 3, 2, 260);
    set_route6(&g_ip6_routes[2], 12, link, 64, any, 3, 3, 2, 281);
    set_route6(&g_ip6_routes[3], 20, loop, 128, any, 1, 3, 2, 306);
    set_route6(&g_ip6_routes[4], 31, site20, 48, gw2, 3, 4, 3, 16);
}

/* The variables beyond the IP tables: proxy ARP, multicast, the routing
 * table manager's other routes, IPv6. Lock held (or DllMain). */
static void load_fixed_more(void)
{
    FIXED_MFE *m;

    load_fixed_ip6();

    memset(g_rtm_extra, 0, sizeof g_rtm_extra);
    /* Loses to the forwarder's 10.0.0.0/8 RIP route: same preference, worse metric. */
    set_route(&g_rtm_extra[0].route, IPV4(10, 0, 0, 0), IPV4(255, 0, 0, 0), IPV4(10, 20, 30, 1),
              7, 4, 8, 45, 0, 7, METRIC_UNUSED, METRIC_UNUSED, METRIC_UNUSED, METRIC_UNUSED);
    g_rtm_extra[0].preference = 120;
    g_rtm_extra[0].view_set = 3;
    /* In the multicast view only (an RPF route): never in the forwarder. */
    set_route(&g_rtm_extra[1].route, IPV4(172, 20, 0, 0), IPV4(255, 255, 0, 0),
              IPV4(10, 20, 30, 1), 7, 4, 3, 0, 0, 10, METRIC_UNUSED, METRIC_UNUSED,
              METRIC_UNUSED, METRIC_UNUSED);
    g_rtm_extra[1].preference = 3;
    g_rtm_extra[1].view_set = 2;

    memset(g_proxy, 0, sizeof g_proxy);
    g_proxy[0].dwAddress = IPV4(10, 20, 30, 0);
    g_proxy[0].dwMask = IPV4(255, 255, 255, 0);
    g_proxy[0].dwIfIndex = 7;
    g_proxy[1].dwAddress = IPV4(192, 168, 1, 50);
    g_proxy[1].dwMask = IPV4(255, 255, 255, 255);
    g_proxy[1].dwIfIndex = 3;
    g_proxy[2].dwAddress = IPV4(192, 168, 1, 64);
    g_proxy[2].dwMask = IPV4(255, 255, 255, 192);
    g_proxy[2].dwIfIndex = 3;
    g_nproxy = 3;

    memset(g_mcast_if, 0, sizeof g_mcast_if);
    g_mcast_if[0].dwIfIndex = 3;
    g_mcast_if[0].dwTtl = 1;
    g_mcast_if[0].dwProtocol = 10; /* PROTO_IP_IGMP */
    g_mcast_if[0].dwRateLimit = 0;
    g_mcast_if[0].ulInMcastOctets = 1234567;
    g_mcast_if[0].ulOutMcastOctets = 7654321;
    g_mcast_if[1].dwIfIndex = 7;
    g_mcast_if[1].dwTtl = 16;
    g_mcast_if[1].dwProtocol = 10;
    g_mcast_if[1].dwRateLimit = 256;
    g_mcast_if[1].ulInMcastOctets = 4096;
    g_mcast_if[1].ulOutMcastOctets = 8192;

    memset(g_boundary, 0, sizeof g_boundary);
    g_boundary[0].dwIfIndex = 3;
    g_boundary[0].dwGroupAddress = IPV4(239, 192, 0, 0);
    g_boundary[0].dwGroupMask = IPV4(255, 252, 0, 0);
    g_boundary[0].dwStatus = ROWSTATUS_ACTIVE;
    g_boundary[1].dwIfIndex = 7;
    g_boundary[1].dwGroupAddress = IPV4(239, 192, 0, 0);
    g_boundary[1].dwGroupMask = IPV4(255, 252, 0, 0);
    g_boundary[1].dwStatus = ROWSTATUS_ACTIVE;
    g_boundary[2].dwIfIndex = 7;
    g_boundary[2].dwGroupAddress = IPV4(239, 255, 0, 0);
    g_boundary[2].dwGroupMask = IPV4(255, 255, 0, 0);
    g_boundary[2].dwStatus = 2; /* ROWSTATUS_NOTINSERVICE */
    g_nboundary = 3;

    /* Non-ASCII on purpose, one of them outside the BMP (a surrogate pair). */
    set_scope(&g_scope[0], IPV4(239, 192, 0, 0), IPV4(255, 252, 0, 0),
              L"Organisation \u00e9tendue \u2013 \u00c9tage \u2116 2", 1);
    set_scope(&g_scope[1], IPV4(239, 255, 0, 0), IPV4(255, 255, 0, 0),
              L"Site \u672c\u793e " L"\xd83c" L"\xdf10", 2);

    memset(g_mfe, 0, sizeof g_mfe);
    /* (*, 239.1.1.1): no outgoing interface, a negative entry. */
    m = &g_mfe[0];
    m->group = IPV4(239, 1, 1, 1);
    m->in_if = 7;
    m->in_if_protocol = 10;
    m->route_protocol = 3;
    m->up_time = 600;
    m->expiry_time = 0;
    m->time_out = 900;
    m->flags = 0;
    m->in_pkts = 17;
    m->in_octets = 1700;
    m->pkts_different_if = 2;
    m->queue_overflow = 0;
    m->uninit_mfe = 1;
    m->negative_mfe = 12;
    m->in_discards = 3;
    m->in_hdr_errors = 4;
    m->total_out_packets = 0;
    m->num_out_if = 0;
    /* (192.168.1.20, 239.1.1.1): one outgoing interface. */
    m = &g_mfe[1];
    m->group = IPV4(239, 1, 1, 1);
    m->source = IPV4(192, 168, 1, 20);
    m->src_mask = IPV4(255, 255, 255, 255);
    m->upstream = IPV4(192, 168, 1, 1);
    m->in_if = 3;
    m->in_if_protocol = 10;
    m->route_protocol = 2;
    m->route_network = IPV4(192, 168, 1, 0);
    m->route_mask = IPV4(255, 255, 255, 0);
    m->up_time = 3600;
    m->expiry_time = 210;
    m->time_out = 300;
    m->flags = 1;
    m->in_pkts = 50000;
    m->in_octets = 65000000;
    m->pkts_different_if = 5;
    m->queue_overflow = 6;
    m->uninit_mfe = 7;
    m->negative_mfe = 8;
    m->in_discards = 9;
    m->in_hdr_errors = 10;
    m->total_out_packets = 49990;
    m->num_out_if = 1;
    set_oif(&m->oif[0], 7, IPV4(0, 0, 0, 0), 11, 12, 49990, 13);
    /* (10.20.30.99, 239.192.4.5): three outgoing interfaces, two next hops on one. */
    m = &g_mfe[2];
    m->group = IPV4(239, 192, 4, 5);
    m->source = IPV4(10, 20, 30, 99);
    m->src_mask = IPV4(255, 255, 255, 255);
    m->upstream = IPV4(10, 20, 30, 1);
    m->in_if = 7;
    m->in_if_protocol = 10;
    m->route_protocol = 8;
    m->route_network = IPV4(10, 0, 0, 0);
    m->route_mask = IPV4(255, 0, 0, 0);
    m->up_time = 86400;
    m->expiry_time = 45;
    m->time_out = 60;
    m->flags = 0x11;
    m->in_pkts = 70001;
    m->in_octets = 70002;
    m->pkts_different_if = 70003;
    m->queue_overflow = 70004;
    m->uninit_mfe = 70005;
    m->negative_mfe = 70006;
    m->in_discards = 70007;
    m->in_hdr_errors = 70008;
    m->total_out_packets = 210000;
    m->num_out_if = 3;
    set_oif(&m->oif[0], 1, IPV4(0, 0, 0, 0), 101, 102, 103, 104);
    set_oif(&m->oif[1], 3, IPV4(0, 0, 0, 0), 201, 202, 203, 204);
    set_oif(&m->oif[2], 3, IPV4(192, 168, 1, 77), 301, 302, 303, 304);
}

/* Lock held (or DllMain). */
static void load_fixed_mib(void)
{
    static const BYTE eth[6] = {0x00, 0x15, 0x5d, 0x01, 0x02, 0x03};
    MIB_IFROW *e = &g_ifs[1];
    DWORD i;

    set_if(&g_ifs[0], 1, L"Loopback Pseudo-Interface 1", 24, 1500, 1073741824,
           NULL, 0, 1, 5, 100, "Software Loopback Interface 1");
    set_if(e, 3, L"Ethernet", 6, 1500, 1000000000, eth, 6, 1, 5, 12345,
           "Intel(R) Ethernet Connection I219-V");
    e->dwInOctets = 1000001;
    e->dwInUcastPkts = 2001;
    e->dwInNUcastPkts = 31;
    e->dwInDiscards = 4;
    e->dwInErrors = 5;
    e->dwInUnknownProtos = 6;
    e->dwOutOctets = 7000007;
    e->dwOutUcastPkts = 8001;
    e->dwOutNUcastPkts = 91;
    e->dwOutDiscards = 10;
    e->dwOutErrors = 11;
    e->dwOutQLen = 12;
    /* Non-ASCII on purpose: clients must decode UTF-16, not Latin-1. */
    set_if(&g_ifs[2], 7, L"Wide Area Link \u00fc\u2260", 23, 1400, 56000, NULL, 0,
           2, 0, 7, "WAN Miniport (PPTP)");

    memset(g_addrs, 0, sizeof g_addrs);
    g_addrs[0].dwAddr = IPV4(10, 20, 30, 40);
    g_addrs[0].dwIndex = 7;
    g_addrs[0].dwMask = IPV4(255, 255, 255, 255);
    g_addrs[0].dwBCastAddr = 0;
    g_addrs[0].dwReasmSize = 1500;
    g_addrs[0].wType = 0x0004;
    g_addrs[1].dwAddr = IPV4(127, 0, 0, 1);
    g_addrs[1].dwIndex = 1;
    g_addrs[1].dwMask = IPV4(255, 0, 0, 0);
    g_addrs[1].dwBCastAddr = 1;
    g_addrs[1].dwReasmSize = 65535;
    g_addrs[1].wType = 0x0001;
    g_addrs[2].dwAddr = IPV4(192, 168, 1, 10);
    g_addrs[2].dwIndex = 3;
    g_addrs[2].dwMask = IPV4(255, 255, 255, 0);
    g_addrs[2].dwBCastAddr = 1;
    g_addrs[2].dwReasmSize = 65535;
    g_addrs[2].wType = 0x0001;

    g_nroutes = 0;
    if (routes_reserve(4)) {
        set_route(&g_routes[0], IPV4(0, 0, 0, 0), IPV4(0, 0, 0, 0), IPV4(192, 168, 1, 1),
                  3, 4, 3, 100, 0, 25, METRIC_UNUSED, METRIC_UNUSED, METRIC_UNUSED,
                  METRIC_UNUSED);
        set_route(&g_routes[1], IPV4(10, 0, 0, 0), IPV4(255, 0, 0, 0),
                  IPV4(192, 168, 1, 254), 3, 4, 8, 30, 65001, 2, 3, 4, 5, 6);
        set_route(&g_routes[2], IPV4(127, 0, 0, 0), IPV4(255, 0, 0, 0), IPV4(127, 0, 0, 1),
                  1, 3, 2, 0, 0, 306, METRIC_UNUSED, METRIC_UNUSED, METRIC_UNUSED,
                  METRIC_UNUSED);
        set_route(&g_routes[3], IPV4(192, 168, 1, 0), IPV4(255, 255, 255, 0),
                  IPV4(192, 168, 1, 10), 3, 3, 2, 0, 0, 281, METRIC_UNUSED, METRIC_UNUSED,
                  METRIC_UNUSED, METRIC_UNUSED);
        g_nroutes = 4;
        for (i = 0; i < g_nroutes; i++)
            route_pv_default(i);
    }
    g_ip_forwarding = 1;
    g_ip_default_ttl = 128;

    set_net(&g_net[0], 3, 0x01, IPV4(192, 168, 1, 1), 3);
    set_net(&g_net[1], 3, 0xfe, IPV4(192, 168, 1, 254), 4);
    g_nnet = 2;

    memset(g_tcp, 0, sizeof g_tcp);
    g_tcp[0].dwState = 2;
    g_tcp[0].dwLocalAddr = IPV4(0, 0, 0, 0);
    g_tcp[0].dwLocalPort = PORT(135);
    g_tcp[0].dwRemoteAddr = IPV4(0, 0, 0, 0);
    g_tcp[0].dwRemotePort = PORT(0);
    g_tcp[1].dwState = 5;
    g_tcp[1].dwLocalAddr = IPV4(192, 168, 1, 10);
    g_tcp[1].dwLocalPort = PORT(49712);
    g_tcp[1].dwRemoteAddr = IPV4(93, 184, 216, 34);
    g_tcp[1].dwRemotePort = PORT(443);

    g_udp[0].dwLocalAddr = IPV4(0, 0, 0, 0);
    g_udp[0].dwLocalPort = PORT(53);
    g_udp[1].dwLocalAddr = IPV4(192, 168, 1, 10);
    g_udp[1].dwLocalPort = PORT(123);

    load_fixed_more();
}

static void fixed_ipstats(MIB_IPSTATS *s)
{
    /* The struct is 23 DWORDs; numbering the fields makes each one
     * distinguishable, so a client that shifts a field is caught. */
    DWORD *f = (DWORD *)s, i;
    for (i = 0; i < sizeof *s / sizeof(DWORD) - 2; i++)
        f[2 + i] = 1000 + i;
    s->dwForwarding = g_ip_forwarding;
    s->dwDefaultTTL = g_ip_default_ttl;
    s->dwNumIf = 3;
    s->dwNumAddr = 3;
    s->dwNumRoutes = g_nroutes;
}

static void fixed_icmp(MIB_ICMP *s)
{
    DWORD *in = (DWORD *)&s->stats.icmpInStats, *out = (DWORD *)&s->stats.icmpOutStats, i;
    for (i = 0; i < sizeof(MIBICMPSTATS) / sizeof(DWORD); i++) {
        in[i] = 2000 + i;
        out[i] = 3000 + i;
    }
}

static void fixed_tcpstats(MIB_TCPSTATS *s)
{
    const size_t first = offsetof(MIB_TCPSTATS, dwActiveOpens) / sizeof(DWORD);
    const size_t last = offsetof(MIB_TCPSTATS, dwOutRsts) / sizeof(DWORD);
    DWORD *f = (DWORD *)s;
    size_t i;
    for (i = first; i <= last; i++)
        f[i] = (DWORD)(4000 + i - first);
    s->dwRtoAlgorithm = 4;
    s->dwRtoMin = 300;
    s->dwRtoMax = 120000;
    s->dwMaxConn = 0xFFFFFFFFu;
    s->dwNumConns = 2;
}

static void fixed_udpstats(MIB_UDPSTATS *s)
{
    s->dwInDatagrams = 5000;
    s->dwNoPorts = 5001;
    s->dwInErrors = 5002;
    s->dwOutDatagrams = 5003;
    s->dwNumAddrs = 2;
}

/* The IPv6 statistics: the IPv4 structures (as GetIpStatisticsEx and friends
 * use them with AF_INET6), numbered apart from the IPv4 ones so that a client
 * that reads one for the other is caught. */
static void fixed_ip6stats(MIB_IPSTATS *s)
{
    DWORD *f = (DWORD *)s, i;
    for (i = 0; i < sizeof *s / sizeof(DWORD) - 2; i++)
        f[2 + i] = 6000 + i;
    s->dwForwarding = 2;
    s->dwDefaultTTL = 64;
    s->dwNumIf = 3;
    s->dwNumAddr = 5;
    s->dwNumRoutes = 7;
}

static void fixed_tcp6stats(MIB_TCPSTATS *s)
{
    const size_t first = offsetof(MIB_TCPSTATS, dwActiveOpens) / sizeof(DWORD);
    const size_t last = offsetof(MIB_TCPSTATS, dwOutRsts) / sizeof(DWORD);
    DWORD *f = (DWORD *)s;
    size_t i;
    for (i = first; i <= last; i++)
        f[i] = (DWORD)(7000 + i - first);
    s->dwRtoAlgorithm = 4;
    s->dwRtoMin = 200;
    s->dwRtoMax = 60000;
    s->dwMaxConn = 0xFFFFFFFFu;
    s->dwNumConns = 1;
}

static void fixed_udp6stats(MIB_UDPSTATS *s)
{
    s->dwInDatagrams = 8000;
    s->dwNoPorts = 8001;
    s->dwInErrors = 8002;
    s->dwOutDatagrams = 8003;
    s->dwNumAddrs = 1;
}

/* MIB_IFSTATUS's dwOperationalStatus is a ROUTER_CONNECTION_STATE, not the
 * MIB-II status of MIB_IFROW (INTERNAL_IF_OPER_STATUS): this maps one to the
 * other, in both modes. */
static DWORD router_state_of(DWORD oper)
{
    switch (oper) {
    case 5: /* IF_OPER_STATUS_OPERATIONAL */
    case 4: /* IF_OPER_STATUS_CONNECTED */
        return ROUTER_IF_STATE_CONNECTED;
    case 3: /* IF_OPER_STATUS_CONNECTING */
        return ROUTER_IF_STATE_CONNECTING;
    case 2: /* IF_OPER_STATUS_DISCONNECTED */
        return ROUTER_IF_STATE_DISCONNECTED;
    default: /* NON_OPERATIONAL, UNREACHABLE */
        return ROUTER_IF_STATE_UNREACHABLE;
    }
}

/* Fills n MIB_IFSTATUS from n interface rows; heartbeat flags from the
 * fixed MIB when `fixed` (interface 3: active and alive, 7: active and dead),
 * FALSE otherwise (iphlpapi knows nothing of multicast heartbeats). */
static void if_status_rows(const MIB_IFROW *ifs, DWORD n, MIB_IFSTATUS *out, BOOL fixed)
{
    DWORD i;
    for (i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].dwIfIndex = ifs[i].dwIndex;
        out[i].dwAdminStatus = ifs[i].dwAdminStatus;
        out[i].dwOperationalStatus = router_state_of(ifs[i].dwOperStatus);
        if (fixed) {
            out[i].bMHbeatActive = ifs[i].dwIndex == 3 || ifs[i].dwIndex == 7;
            out[i].bMHbeatAlive = ifs[i].dwIndex == 3;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Reply buffers.                                                           */
/* ------------------------------------------------------------------------ */

typedef enum { SHAPE_STAT, SHAPE_TABLE, SHAPE_ROW } SHAPE;

typedef struct {
    BYTE *buf;
    DWORD size;
    SHAPE shape;
    DWORD var;
    DWORD nrows;
    size_t row_size;
    size_t rows_off;
    /* MFE replies: the rows' fixed part (with its padding), where in it
     * ulNumOutIf sits, and each outgoing interface's size; 0 otherwise. */
    size_t mfe_fixed, mfe_count_at, mfe_elem;
} REPLY;

static DWORD reply_alloc(REPLY *r, DWORD var, SHAPE shape, uint64_t payload)
{
    uint64_t size = REPLY_HDR + payload;
    memset(r, 0, sizeof *r);
    if (size > 0xFFFFFF00u)
        return E_NOT_ENOUGH_MEMORY;
    r->buf = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, (SIZE_T)size);
    if (!r->buf)
        return E_NOT_ENOUGH_MEMORY;
    r->size = (DWORD)size;
    r->shape = shape;
    r->var = var;
    ((MIB_OPAQUE_INFO *)r->buf)->dwId = var;
    return E_OK;
}

static DWORD reply_stat(REPLY *r, DWORD var, const void *data, size_t size)
{
    DWORD rc = reply_alloc(r, var, SHAPE_STAT, size);
    if (!rc)
        memcpy(r->buf + REPLY_HDR, data, size);
    return rc;
}

/* A table: dwNumEntries, the rows, then `tail` zero bytes (a reserved array
 * the specification prints after the rows). */
static DWORD reply_table_tail(REPLY *r, DWORD var, const void *rows, DWORD n, size_t row_size,
                              size_t tail)
{
    DWORD rc = reply_alloc(r, var, SHAPE_TABLE, sizeof(DWORD) + (uint64_t)n * row_size + tail);
    if (rc)
        return rc;
    memcpy(r->buf + REPLY_HDR, &n, sizeof n);
    if (n)
        memcpy(r->buf + REPLY_HDR + sizeof(DWORD), rows, (size_t)n * row_size);
    r->nrows = n;
    r->row_size = row_size;
    r->rows_off = REPLY_HDR + sizeof(DWORD);
    return E_OK;
}

static DWORD reply_table(REPLY *r, DWORD var, const void *rows, DWORD n, size_t row_size)
{
    return reply_table_tail(r, var, rows, n, row_size, 0);
}

/* MS-RRASM prints BYTE reserved[8] after the rows of MIB_IPFORWARDTABLE
 * (2.2.1.2.36), MIB_IPNETTABLE (2.2.1.2.48), MIB_TCPTABLE (2.2.1.2.57) and
 * MIB_UDPTABLE (2.2.1.2.60): "SHOULD be set to 0 and ignored on receipt".
 * Strict replies carry it; the SDK's tables end with their rows. */
#define TABLE_RESERVED 8u
static size_t table_tail(DWORD var, BOOL sdk)
{
    if (sdk)
        return 0;
    return var == IP_FORWARDTABLE || var == IP_NETTABLE || var == TCP_TABLE || var == UDP_TABLE
               ? TABLE_RESERVED : 0;
}

/* One row of wire_size bytes: the stored_size bytes given, then zeros (the
 * reserved tail of a structure the specification makes longer). */
static DWORD reply_row_sized(REPLY *r, DWORD var, const void *row, size_t stored_size,
                             size_t wire_size)
{
    DWORD rc = reply_alloc(r, var, SHAPE_ROW, wire_size);
    if (rc)
        return rc;
    memcpy(r->buf + REPLY_HDR, row, stored_size < wire_size ? stored_size : wire_size);
    r->nrows = 1;
    r->row_size = wire_size;
    r->rows_off = REPLY_HDR;
    return E_OK;
}

static DWORD reply_row(REPLY *r, DWORD var, const void *row, size_t row_size)
{
    return reply_row_sized(r, var, row, row_size, row_size);
}

/* Rows that are not their stored bytes: encode(row, NULL) gives a row's wire
 * size, encode(row, out) writes it there. */
typedef size_t (*ROW_ENCODER)(const void *row, BYTE *out);

static size_t put_dword(BYTE *out, size_t at, DWORD v)
{
    if (out)
        memcpy(out + at, &v, sizeof v);
    return at + sizeof v;
}

/* MIB_IPMCAST_MFE's 60-byte fixed part, then ulNumOutIf MIB_IPMCAST_OIF.
 * - strict (MS-RRASM 2.2.1.2.42/.43, as a 64-bit server lays them out:
 *   MIB_IPMCAST_OIF holds a PVOID, so the array is 8-aligned): 4 zero bytes
 *   of padding, then 24 bytes each: dwOutIfIndex, dwNextHopAddr, the 8-byte
 *   pvReserved (NULL), dwReserved, 4 bytes of padding;
 * - SDK (MinGW's, the XP form): 16 bytes each: dwOutIfIndex, dwNextHopAddr,
 *   dwReserved, dwReserved1. */
static size_t mfe_write(const FIXED_MFE *m, BYTE *out, BOOL sdk)
{
    const DWORD fixed[15] = {m->group, m->source, m->src_mask, m->upstream, m->in_if,
                             m->in_if_protocol, m->route_protocol, m->route_network,
                             m->route_mask, m->up_time, m->expiry_time, m->time_out,
                             m->num_out_if, m->flags, 0};
    size_t at = 0;
    DWORD i;
    for (i = 0; i < 15; i++)
        at = put_dword(out, at, fixed[i]);
    if (!sdk)
        at = put_dword(out, at, 0);
    for (i = 0; i < m->num_out_if; i++) {
        at = put_dword(out, at, m->oif[i].out_if);
        at = put_dword(out, at, m->oif[i].next_hop);
        at = put_dword(out, at, 0);
        at = put_dword(out, at, 0);
        if (!sdk) {
            at = put_dword(out, at, 0);
            at = put_dword(out, at, 0);
        }
    }
    return at;
}

/* MIB_IPMCAST_MFE_STATS's 64-byte fixed part or, with `ex` (SDK only),
 * MIB_IPMCAST_MFE_STATS_EX's 84, then ulNumOutIf MIB_IPMCAST_OIF_STATS:
 * - strict (MS-RRASM 2.2.1.2.45 on a 64-bit server): 32 bytes each:
 *   dwOutIfIndex, dwNextHopAddr, the 8-byte pvDialContext (NULL),
 *   ulTtlTooLow, ulFragNeeded, ulOutPackets, ulOutDiscards;
 * - SDK: 28 bytes each, with a DWORD dwDialContext. */
static size_t mfe_stats_write(const FIXED_MFE *m, BYTE *out, BOOL ex, BOOL sdk)
{
    const DWORD fixed[21] = {m->group, m->source, m->src_mask, m->upstream, m->in_if,
                             m->in_if_protocol, m->route_protocol, m->route_network,
                             m->route_mask, m->up_time, m->expiry_time, m->num_out_if,
                             m->in_pkts, m->in_octets, m->pkts_different_if,
                             m->queue_overflow, m->uninit_mfe, m->negative_mfe,
                             m->in_discards, m->in_hdr_errors, m->total_out_packets};
    size_t at = 0;
    DWORD i;
    for (i = 0; i < (ex ? 21u : 16u); i++)
        at = put_dword(out, at, fixed[i]);
    for (i = 0; i < m->num_out_if; i++) {
        const FIXED_OIF *o = &m->oif[i];
        at = put_dword(out, at, o->out_if);
        at = put_dword(out, at, o->next_hop);
        at = put_dword(out, at, 0);
        if (!sdk)
            at = put_dword(out, at, 0);
        at = put_dword(out, at, o->ttl_too_low);
        at = put_dword(out, at, o->frag_needed);
        at = put_dword(out, at, o->out_packets);
        at = put_dword(out, at, o->out_discards);
    }
    return at;
}

static size_t mfe_encode(const void *row, BYTE *out) { return mfe_write(row, out, FALSE); }
static size_t mfe_encode_sdk(const void *row, BYTE *out) { return mfe_write(row, out, TRUE); }
static size_t mfe_stats_encode(const void *row, BYTE *out) { return mfe_stats_write(row, out, FALSE, FALSE); }
static size_t mfe_stats_encode_sdk(const void *row, BYTE *out) { return mfe_stats_write(row, out, FALSE, TRUE); }
static size_t mfe_stats_ex_encode_sdk(const void *row, BYTE *out) { return mfe_stats_write(row, out, TRUE, TRUE); }

/* An MFE variable's row encoder, and its rows' geometry for reply_damage:
 * the fixed part's size (with its padding), where in it ulNumOutIf sits,
 * and each outgoing interface's size. MS-RRASM 2.2.1.2.52 and .53 give
 * MCAST_MFE_STATS_EX's reply as MIB_MFE_STATS_TABLE, so its strict rows are
 * MCAST_MFE_STATS's. */
static ROW_ENCODER mfe_encoder(DWORD var, BOOL sdk, size_t *fixed, size_t *count_at, size_t *elem)
{
    if (var == MCAST_MFE) {
        *fixed = sdk ? 60 : 64;
        *count_at = 48;
        *elem = sdk ? 16 : 24;
        return sdk ? mfe_encode_sdk : mfe_encode;
    }
    *count_at = 44;
    if (var == MCAST_MFE_STATS_EX && sdk) {
        *fixed = 84;
        *elem = 28;
        return mfe_stats_ex_encode_sdk;
    }
    *fixed = 64;
    *elem = sdk ? 28 : 32;
    return sdk ? mfe_stats_encode_sdk : mfe_stats_encode;
}

/* A table (shape SHAPE_TABLE: dwNumEntries first, then `pad` zero bytes
 * before the rows) or one row (SHAPE_ROW) of encoded rows; r->row_size is
 * 0, since the rows are not all one size. */
static DWORD reply_encoded(REPLY *r, DWORD var, SHAPE shape, const BYTE *rows, DWORD n,
                           size_t stored_size, ROW_ENCODER encode, size_t pad)
{
    uint64_t payload = shape == SHAPE_TABLE ? sizeof(DWORD) + pad : 0;
    size_t at = REPLY_HDR;
    DWORD i, rc;
    for (i = 0; i < n; i++)
        payload += encode(rows + (size_t)i * stored_size, NULL);
    rc = reply_alloc(r, var, shape, payload);
    if (rc)
        return rc;
    if (shape == SHAPE_TABLE) {
        memcpy(r->buf + at, &n, sizeof n);
        at += sizeof n + pad;
    }
    r->rows_off = at;
    for (i = 0; i < n; i++)
        at += encode(rows + (size_t)i * stored_size, r->buf + at);
    r->nrows = n;
    r->row_size = 0;
    return E_OK;
}

/* Damage a reply as router_set_malformed asked. Length fields from the
 * router must not be trusted by the client; this is how tests check it. */
static void reply_damage(REPLY *r, int kind)
{
    DWORD i, new_size = r->size;
    int is_if = r->var == IF_TABLE || r->var == IF_ROW;
    int is_net = r->var == IP_NETTABLE || r->var == IP_NETROW;
    int is_scope = r->var == MCAST_SCOPE;
    size_t fixed = r->mfe_fixed, count_at = r->mfe_count_at, elem = r->mfe_elem;
    int is_mfe = elem != 0;

    if (!r->buf)
        return; /* an MFE reply with no data: nothing to damage */
    if (r->shape != SHAPE_STAT) {
        if (r->shape == SHAPE_TABLE && (kind == 1 || kind == 2)) {
            DWORD n = kind == 1 ? r->nrows + 1000 : 0xFFFFFFFFu;
            memcpy(r->buf + REPLY_HDR, &n, sizeof n);
        }
        for (i = 0; i < r->nrows; i++) {
            BYTE *row = r->buf + r->rows_off + (size_t)i * r->row_size;
            if (is_if && kind == 3) {
                ((MIB_IFROW *)row)->dwPhysAddrLen = 200;
                ((MIB_IFROW *)row)->dwDescrLen = 5000;
            } else if (is_if && kind == 6) {
                MIB_IFROW *f = (MIB_IFROW *)row;
                DWORD j;
                for (j = 0; j < MAX_INTERFACE_NAME_LEN; j++)
                    f->wszName[j] = L'A';
                memset(f->bDescr, 'B', MAXLEN_IFDESCR);
                f->dwDescrLen = MAXLEN_IFDESCR;
            } else if (is_net && kind == 3) {
                ((MIB_IPNETROW *)row)->dwPhysAddrLen = 200;
            } else if (is_scope && kind == 9) {
                MIB_IPMCAST_SCOPE *sc = (MIB_IPMCAST_SCOPE *)row;
                DWORD j;
                for (j = 0; j <= MAX_SCOPE_NAME_LEN; j++)
                    sc->snNameBuffer[j] = 0x00E9; /* e acute, and no NUL anywhere */
            }
        }
        if (is_mfe && r->nrows && (kind == 7 || kind == 8)) {
            /* The last MFE: it claims one more outgoing interface than the
             * reply holds (7), or the reply ends halfway through it (8). */
            size_t at = r->rows_off, len = 0;
            DWORD count = 0;
            for (i = 0; i < r->nrows; i++) {
                at += len;
                memcpy(&count, r->buf + at + count_at, sizeof count);
                len = fixed + count * elem;
            }
            if (kind == 7) {
                count++;
                memcpy(r->buf + at + count_at, &count, sizeof count);
            } else {
                new_size = (DWORD)(at + len / 2);
            }
        }
        if (kind == 5 && r->nrows)
            new_size = r->size - 10;
    }
    if (kind == 4)
        new_size = 6;

    if (new_size != r->size) {
        /* A buffer of exactly the announced size, so that reading past it
         * reads past the allocation, as with a real RPC reply. */
        BYTE *p = HeapAlloc(GetProcessHeap(), 0, new_size);
        if (p) {
            memcpy(p, r->buf, new_size);
            HeapFree(GetProcessHeap(), 0, r->buf);
            r->buf = p;
            r->size = new_size;
        }
    }
}

static DWORD register_buffer(void *p, int kind)
{
    DWORD rc = E_OK;
    EnterCriticalSection(&g_lock);
    if (set_add(&g_buffers, p, kind))
        g_count.buffers_allocated++;
    else
        rc = E_NOT_ENOUGH_MEMORY;
    LeaveCriticalSection(&g_lock);
    return rc;
}

/* Registers the reply and hands it to the caller; frees it on failure. */
static DWORD reply_deliver(REPLY *r, LPVOID *out, LPDWORD out_size)
{
    DWORD rc = register_buffer(r->buf, KIND_MIB);
    if (rc) {
        HeapFree(GetProcessHeap(), 0, r->buf);
        return rc;
    }
    *out = r->buf;
    *out_size = r->size;
    return E_OK;
}

/* Lock held. */
static void quarantine_release(void *p)
{
    SIZE_T size = HeapSize(GetProcessHeap(), 0, p);
    unsigned slot;
    if (size == (SIZE_T)-1)
        size = 0;
    /* Poison it: a client that reads a reply after freeing it sees 0xDD
     * instead of plausible data. */
    memset(p, 0xDD, size);
    while (g_quarantine_len &&
           (g_quarantine_len == QUARANTINE_SLOTS ||
            g_quarantine_bytes + size > QUARANTINE_BYTES)) {
        HeapFree(GetProcessHeap(), 0, g_quarantine[g_quarantine_head]);
        g_quarantine_bytes -= g_quarantine_size[g_quarantine_head];
        g_quarantine_head = (g_quarantine_head + 1) % QUARANTINE_SLOTS;
        g_quarantine_len--;
    }
    slot = (g_quarantine_head + g_quarantine_len) % QUARANTINE_SLOTS;
    g_quarantine[slot] = p;
    g_quarantine_size[slot] = size;
    g_quarantine_len++;
    g_quarantine_bytes += size;
}

/* Shared by the two free functions: each owns one kind of buffer. */
static DWORD free_buffer(void *p, int own_kind)
{
    DWORD rc = E_OK;
    int kind;
    if (!p)
        return E_INVALID_PARAMETER;
    EnterCriticalSection(&g_lock);
    kind = set_kind(&g_buffers, p);
    if (kind == KIND_NONE) {
        /* Double free or garbage: never touch the memory. */
        g_count.double_free++;
        rc = E_INVALID_PARAMETER;
    } else if (kind != own_kind) {
        /* Freed through the wrong function: the buffer stays live. */
        g_count.wrong_free++;
        rc = E_INVALID_PARAMETER;
    } else {
        set_remove(&g_buffers, p);
        quarantine_release(p);
    }
    LeaveCriticalSection(&g_lock);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Loopback mode: the host's own IP stack through iphlpapi.                 */
/* ------------------------------------------------------------------------ */

/* The tables rows come from. The first six are iphlpapi's; T_IFSTATUS is
 * made from the interface table; T_IP6_IF (the interfaces that have IPv6)
 * and T_IP6_ROUTE (the IPv6 routes, INTERFACE_ROUTE_ENTRY) are PID_IPV6's,
 * from iphlpapi's Vista API where it has it; the others exist in the fixed
 * MIB only. */
enum { T_IF, T_ADDR, T_FWD, T_NET, T_TCP, T_UDP, T_IFSTATUS, T_PROXY, T_MCAST_IF,
       T_BOUNDARY, T_SCOPE, T_MFE, T_IP6_IF, T_IP6_ROUTE };

typedef struct {
    const BYTE *rows;
    DWORD n;
    void *owned; /* freed with free() when set */
} ROWS;

static size_t table_row_size(int t)
{
    switch (t) {
    case T_IF: return sizeof(MIB_IFROW);
    case T_ADDR: return sizeof(MIB_IPADDRROW);
    case T_FWD: return sizeof(MIB_IPFORWARDROW);
    case T_NET: return sizeof(MIB_IPNETROW);
    case T_TCP: return sizeof(MIB_TCPROW);
    case T_UDP: return sizeof(MIB_UDPROW);
    case T_IFSTATUS: return sizeof(MIB_IFSTATUS);
    case T_PROXY: return sizeof(MIB_PROXYARP);
    case T_MCAST_IF: return sizeof(MIB_IPMCAST_IF_ENTRY);
    case T_BOUNDARY: return sizeof(MIB_IPMCAST_BOUNDARY);
    case T_SCOPE: return sizeof(MIB_IPMCAST_SCOPE);
    case T_IP6_IF: return sizeof(MIB_IFROW);
    case T_IP6_ROUTE: return sizeof(ROUTE_ENTRY);
    default: return sizeof(FIXED_MFE);
    }
}

/* The interface rows (n of them) whose dwIndex is one of the nidx given, in
 * a block the caller frees. */
static DWORD if_rows_with_index(const MIB_IFROW *ifs, DWORD n, const DWORD *index, DWORD nidx,
                                ROWS *out)
{
    MIB_IFROW *rows = malloc((n ? n : 1) * sizeof *rows);
    DWORD i, j, k = 0;
    if (!rows)
        return E_NOT_ENOUGH_MEMORY;
    for (i = 0; i < n; i++) {
        for (j = 0; j < nidx && index[j] != ifs[i].dwIndex; j++)
            ;
        if (j < nidx)
            rows[k++] = ifs[i];
    }
    out->rows = (const BYTE *)rows;
    out->n = k;
    out->owned = rows;
    return E_OK;
}

/* iphlpapi's functions of the Vista API (netioapi.h), looked up at call
 * time: a Wine or Windows that lacks one gets 50 for what needs it. */
typedef DWORD(WINAPI *GET_IP_FORWARD_TABLE2)(ADDRESS_FAMILY, PMIB_IPFORWARD_TABLE2 *);
typedef DWORD(WINAPI *GET_UNICAST_IP_ADDRESS_TABLE)(ADDRESS_FAMILY, PMIB_UNICASTIPADDRESS_TABLE *);
typedef VOID(WINAPI *FREE_MIB_TABLE)(PVOID);

static BOOL iphlpapi_proc(const char *name, void *fn, size_t fn_size)
{
    HMODULE m = GetModuleHandleW(L"iphlpapi.dll");
    FARPROC p = m ? GetProcAddress(m, name) : NULL;
    memcpy(fn, &p, fn_size); /* not a cast: -Wcast-function-type */
    return p != NULL;
}

/* n MIB_IFSTATUS made from n interface rows, in a block the caller frees. */
static DWORD if_status_table(const BYTE *ifs, DWORD n, BOOL fixed, ROWS *out)
{
    MIB_IFSTATUS *st = malloc((n ? n : 1) * sizeof *st);
    if (!st)
        return E_NOT_ENOUGH_MEMORY;
    if_status_rows((const MIB_IFROW *)ifs, n, st, fixed);
    out->rows = (const BYTE *)st;
    out->n = n;
    out->owned = st;
    return E_OK;
}

static DWORD host_call(int t, void *buf, ULONG *size)
{
    switch (t) {
    case T_IF: return GetIfTable(buf, size, FALSE);
    case T_ADDR: return GetIpAddrTable(buf, size, FALSE);
    case T_FWD: return GetIpForwardTable(buf, size, FALSE);
    case T_NET: return GetIpNetTable(buf, size, FALSE);
    case T_TCP: return GetTcpTable(buf, size, FALSE);
    default: return GetUdpTable(buf, size, FALSE);
    }
}

static DWORD host_table(int t, ROWS *out);

/* PID_IPV6's IF_TABLE in loopback mode: the rows of the interface table
 * whose interface has an IPv6 unicast address (GetUnicastIpAddressTable,
 * AF_INET6); 50 where iphlpapi lacks it. */
static DWORD host_ip6_ifs(ROWS *out)
{
    GET_UNICAST_IP_ADDRESS_TABLE get_table;
    FREE_MIB_TABLE free_table;
    MIB_UNICASTIPADDRESS_TABLE *addrs = NULL;
    DWORD *index, i, n, rc;
    ROWS ifs;

    if (!iphlpapi_proc("GetUnicastIpAddressTable", &get_table, sizeof get_table) ||
        !iphlpapi_proc("FreeMibTable", &free_table, sizeof free_table))
        return E_NOT_SUPPORTED;
    rc = get_table(AF_INET6, &addrs);
    if (rc == E_NO_DATA || rc == ERROR_NOT_FOUND) {
        rc = E_OK; /* no IPv6 address: no interface */
        addrs = NULL;
    }
    if (rc)
        return rc;
    n = addrs ? addrs->NumEntries : 0;
    index = malloc((n ? n : 1) * sizeof *index);
    if (!index) {
        if (addrs)
            free_table(addrs);
        return E_NOT_ENOUGH_MEMORY;
    }
    for (i = 0; i < n; i++)
        index[i] = addrs->Table[i].InterfaceIndex;
    if (addrs)
        free_table(addrs);
    rc = host_table(T_IF, &ifs);
    if (!rc)
        rc = if_rows_with_index((const MIB_IFROW *)ifs.rows, ifs.n, index, n, out);
    free(ifs.owned);
    free(index);
    return rc;
}

/* PID_IPV6's IP_FORWARDROW in loopback mode: GetIpForwardTable2(AF_INET6),
 * each route an INTERFACE_ROUTE_ENTRY whose dwIndex is its 1-based position
 * there; type 3 (direct) for a next hop of ::, else 4; its protocol's
 * preference, view set 3. 50 where iphlpapi lacks the function. */
static DWORD host_ip6_routes(ROWS *out)
{
    static const BYTE unspecified[16];
    GET_IP_FORWARD_TABLE2 get_table;
    FREE_MIB_TABLE free_table;
    MIB_IPFORWARD_TABLE2 *table = NULL;
    ROUTE_ENTRY *rows;
    DWORD i, n, k = 0, rc;

    if (!iphlpapi_proc("GetIpForwardTable2", &get_table, sizeof get_table) ||
        !iphlpapi_proc("FreeMibTable", &free_table, sizeof free_table))
        return E_NOT_SUPPORTED;
    rc = get_table(AF_INET6, &table);
    if (rc == E_NO_DATA || rc == ERROR_NOT_FOUND) {
        rc = E_OK;
        table = NULL;
    }
    if (rc)
        return rc;
    n = table ? table->NumEntries : 0;
    rows = malloc((n ? n : 1) * sizeof *rows);
    if (!rows) {
        if (table)
            free_table(table);
        return E_NOT_ENOUGH_MEMORY;
    }
    for (i = 0; i < n; i++) {
        const MIB_IPFORWARD_ROW2 *f = &table->Table[i];
        ROUTE_ENTRY *e = &rows[k];
        if (f->DestinationPrefix.Prefix.si_family != AF_INET6)
            continue;
        memset(e, 0, sizeof *e);
        e->dwIndex = i + 1;
        memcpy(e->info.u.v6.DestinationPrefix, &f->DestinationPrefix.Prefix.Ipv6.sin6_addr, 16);
        e->info.u.v6.DestPrefixLength = f->DestinationPrefix.PrefixLength;
        memcpy(e->info.u.v6.NextHopAddress, &f->NextHop.Ipv6.sin6_addr, 16);
        e->info.u.v6.ValidLifeTime = f->ValidLifetime;
        e->info.u.v6.Flags = 0;
        e->info.u.v6.Metric = f->Metric;
        e->info.dwRtInfoIfIndex = f->InterfaceIndex;
        e->info.dwRtInfoType = memcmp(e->info.u.v6.NextHopAddress, unspecified, 16) ? 4 : 3;
        e->info.dwRtInfoProto = (DWORD)f->Protocol;
        e->info.dwRtInfoPreference = preference_of(e->info.dwRtInfoProto);
        e->info.dwRtInfoViewSet = 3;
        e->info.bV4 = FALSE;
        k++;
    }
    if (table)
        free_table(table);
    out->rows = (const BYTE *)rows;
    out->n = k;
    out->owned = rows;
    return E_OK;
}

static DWORD host_table(int t, ROWS *out)
{
    ULONG size = 0;
    BYTE *buf = NULL;
    DWORD rc = E_OK, n, max_rows;
    size_t row_size = table_row_size(t);
    int tries;
    int (*cmp)(const void *, const void *) = NULL;

    memset(out, 0, sizeof *out);
    if (t == T_IFSTATUS) {
        ROWS ifs;
        rc = host_table(T_IF, &ifs);
        if (!rc)
            rc = if_status_table(ifs.rows, ifs.n, FALSE, out);
        free(ifs.owned);
        return rc;
    }
    if (t == T_IP6_IF)
        return host_ip6_ifs(out);
    if (t == T_IP6_ROUTE)
        return host_ip6_routes(out);
    /* Ask for the size, then fetch; the table may grow in between. */
    for (tries = 0; tries < 8; tries++) {
        rc = host_call(t, buf, &size);
        if (rc != ERROR_INSUFFICIENT_BUFFER)
            break;
        free(buf);
        buf = malloc(size ? size : sizeof(DWORD));
        if (!buf)
            return E_NOT_ENOUGH_MEMORY;
    }
    /* iphlpapi says ERROR_NO_DATA for an empty table (ARP, TCP, ...);
     * a router answers an empty table. */
    if (rc == E_NO_DATA || (rc == E_OK && !buf)) {
        free(buf);
        return E_OK;
    }
    if (rc) {
        free(buf);
        return rc;
    }
    memcpy(&n, buf, sizeof n);
    max_rows = size >= sizeof(DWORD) ? (DWORD)((size - sizeof(DWORD)) / row_size) : 0;
    if (n > max_rows)
        n = max_rows;
    switch (t) {
    case T_IF: cmp = cmp_if; break;
    case T_ADDR: cmp = cmp_addr; break;
    case T_FWD: cmp = cmp_fwd; break;
    case T_NET: cmp = cmp_net; break;
    case T_TCP: cmp = cmp_tcp; break;
    case T_UDP: cmp = cmp_udp; break;
    default: break;
    }
    if (cmp && n > 1)
        qsort(buf + sizeof(DWORD), n, row_size, cmp);
    out->rows = buf + sizeof(DWORD);
    out->n = n;
    out->owned = buf;
    return E_OK;
}

/* Lock held. */
static DWORD fixed_table(int t, ROWS *out)
{
    memset(out, 0, sizeof *out);
    switch (t) {
    case T_IF: out->rows = (const BYTE *)g_ifs; out->n = 3; break;
    case T_ADDR: out->rows = (const BYTE *)g_addrs; out->n = 3; break;
    case T_FWD: out->rows = (const BYTE *)g_routes; out->n = g_nroutes; break;
    case T_NET: out->rows = (const BYTE *)g_net; out->n = g_nnet; break;
    case T_TCP: out->rows = (const BYTE *)g_tcp; out->n = 2; break;
    case T_UDP: out->rows = (const BYTE *)g_udp; out->n = 2; break;
    case T_IFSTATUS: return if_status_table((const BYTE *)g_ifs, 3, TRUE, out);
    case T_PROXY: out->rows = (const BYTE *)g_proxy; out->n = g_nproxy; break;
    case T_MCAST_IF: out->rows = (const BYTE *)g_mcast_if; out->n = 2; break;
    case T_BOUNDARY: out->rows = (const BYTE *)g_boundary; out->n = g_nboundary; break;
    case T_SCOPE: out->rows = (const BYTE *)g_scope; out->n = 2; break;
    case T_IP6_IF:
        return if_rows_with_index(g_ifs, 3, g_ip6_if_index, 2, out);
    case T_IP6_ROUTE: out->rows = (const BYTE *)g_ip6_routes; out->n = IP6_ROUTES; break;
    default: out->rows = (const BYTE *)g_mfe; out->n = 3; break;
    }
    return E_OK;
}

/* ------------------------------------------------------------------------ */
/* Serving a query.                                                         */
/* ------------------------------------------------------------------------ */

/* What a query is asked in: the method, and the settings that shape the
 * reply, as they were when the call started. */
typedef struct {
    int op;       /* OP_GET, OP_GETFIRST, OP_GETNEXT */
    int mode;     /* MODE_FIXED, MODE_LOOPBACK */
    DWORD pid;    /* PID_IP or PID_IPV6 */
    BOOL sdk;     /* router_set_sdk_forms */
    BOOL mcast;   /* router_set_mcast_enabled */
} QUERY_CTX;

/* Bit n of a VAR_INFO's get_n, first_n or next_n: that method takes a query
 * with n index values (MIB_OPAQUE_QUERY's rgdwVarIndex, MS-RRASM
 * 2.2.1.2.53); no bit set: the method does not take the variable. */
#define IDX(n) (1u << (n))

/* What a variable is and which queries it takes (the README's table):
 * - shape SHAPE_STAT, no table: a statistic, computed (stat_reply);
 * - a table and no kind: the whole table (reply_table);
 * - a table and a kind: rows by that index (row_find), or, for
 *   IP_NETTABLE, the rows of one interface (net_table_reply), or, for the
 *   MFEs, a table of one MFE (mfe_reply);
 * - no table, shape SHAPE_ROW or SHAPE_TABLE: a lookup (lookup_reply).
 * Each method takes the index sizes its mask gives and nothing else (87).
 * `host`: loopback mode answers it from iphlpapi; otherwise loopback mode
 * gives 50. */
typedef struct {
    DWORD var;
    SHAPE shape;
    int table; /* T_* for tables and rows, -1 for statistics and lookups */
    const ROW_KIND *kind;
    DWORD get_n, first_n, next_n;
    BOOL host;
} VAR_INFO;

#define NOT_USED IDX(0), 0, 0 /* 2.2.1.2.53 "Not used.": Get, with no index */
#define BY(n) IDX(n), IDX(n), IDX(n)

/* Under PID_IP. */
static const VAR_INFO g_vars[] = {
    {IF_NUMBER, SHAPE_STAT, -1, NULL, NOT_USED, TRUE},
    {IF_TABLE, SHAPE_TABLE, T_IF, NULL, NOT_USED, TRUE},
    {IF_ROW, SHAPE_ROW, T_IF, &K_IF, BY(1), TRUE},
    {IP_STATS, SHAPE_STAT, -1, NULL, NOT_USED, TRUE},
    {IP_ADDRTABLE, SHAPE_TABLE, T_ADDR, NULL, NOT_USED, TRUE},
    {IP_ADDRROW, SHAPE_ROW, T_ADDR, &K_ADDR, BY(1), TRUE},
    {IP_FORWARDNUMBER, SHAPE_STAT, -1, NULL, NOT_USED, TRUE},
    {IP_FORWARDTABLE, SHAPE_TABLE, T_FWD, NULL, NOT_USED, TRUE},
    {IP_FORWARDROW, SHAPE_ROW, T_FWD, &K_FWD, BY(4), TRUE},
    {IP_NETTABLE, SHAPE_TABLE, T_NET, &K_NET, IDX(1) | IDX(2), 0, 0, TRUE},
    {IP_NETROW, SHAPE_ROW, T_NET, &K_NET, IDX(1) | IDX(2), IDX(1) | IDX(2), IDX(1) | IDX(2), TRUE},
    {ICMP_STATS, SHAPE_STAT, -1, NULL, NOT_USED, TRUE},
    {TCP_STATS, SHAPE_STAT, -1, NULL, NOT_USED, TRUE},
    {TCP_TABLE, SHAPE_TABLE, T_TCP, NULL, NOT_USED, TRUE},
    {TCP_ROW, SHAPE_ROW, T_TCP, &K_TCP, BY(4), TRUE},
    {UDP_STATS, SHAPE_STAT, -1, NULL, NOT_USED, TRUE},
    {UDP_TABLE, SHAPE_TABLE, T_UDP, NULL, NOT_USED, TRUE},
    {UDP_ROW, SHAPE_ROW, T_UDP, &K_UDP, IDX(2), IDX(1) | IDX(2), IDX(1) | IDX(2), TRUE},
    {MCAST_MFE, SHAPE_TABLE, T_MFE, &K_MFE, BY(3), FALSE},
    {MCAST_MFE_STATS, SHAPE_TABLE, T_MFE, &K_MFE, BY(3), FALSE},
    {BEST_IF, SHAPE_ROW, -1, NULL, IDX(1), 0, 0, TRUE},
    {BEST_ROUTE, SHAPE_ROW, -1, NULL, IDX(2), 0, 0, TRUE},
    {PROXY_ARP, SHAPE_ROW, T_PROXY, &K_PROXY, BY(3), FALSE},
    {MCAST_IF_ENTRY, SHAPE_ROW, T_MCAST_IF, &K_MCAST_IF, BY(1), FALSE},
    {MCAST_GLOBAL, SHAPE_STAT, -1, NULL, NOT_USED, FALSE},
    {IF_STATUS, SHAPE_ROW, T_IFSTATUS, &K_IFSTATUS, BY(1), TRUE},
    {MCAST_BOUNDARY, SHAPE_ROW, T_BOUNDARY, &K_BOUNDARY, BY(3), FALSE},
    {MCAST_SCOPE, SHAPE_ROW, T_SCOPE, &K_SCOPE, IDX(2), IDX(1) | IDX(2), IDX(1) | IDX(2), FALSE},
    {DEST_MATCHING, SHAPE_TABLE, -1, NULL, IDX(4), 0, 0, FALSE},
    {DEST_LONGER, SHAPE_TABLE, -1, NULL, IDX(4), 0, 0, FALSE},
    {DEST_SHORTER, SHAPE_TABLE, -1, NULL, IDX(4), 0, 0, FALSE},
    {ROUTE_MATCHING, SHAPE_TABLE, -1, NULL, IDX(4), 0, 0, FALSE},
    {ROUTE_LONGER, SHAPE_TABLE, -1, NULL, IDX(4), 0, 0, FALSE},
    {ROUTE_SHORTER, SHAPE_TABLE, -1, NULL, IDX(4), 0, 0, FALSE},
    {ROUTE_STATE, SHAPE_STAT, -1, NULL, NOT_USED, FALSE},
    {MCAST_MFE_STATS_EX, SHAPE_TABLE, T_MFE, &K_MFE, BY(3), FALSE},
    {IP6_STATS, SHAPE_STAT, -1, NULL, NOT_USED, TRUE},
    {UDP6_STATS, SHAPE_STAT, -1, NULL, NOT_USED, TRUE},
    {TCP6_STATS, SHAPE_STAT, -1, NULL, NOT_USED, TRUE},
};

/* Under PID_IPV6 (Get, GetFirst, GetNext only): MS-RRASM 3.1.4.30 lists
 * IF_TABLE and IP_FORWARDROW for it, 3.1.4.31 IP_FORWARDROW; the route's
 * index is its dwIndex (INTERFACE_ROUTE_ENTRY, 2.2.1.2.181). */
static const VAR_INFO g_vars6[] = {
    {IF_TABLE, SHAPE_TABLE, T_IP6_IF, NULL, NOT_USED, TRUE},
    {IP_FORWARDROW, SHAPE_ROW, T_IP6_ROUTE, &K_IP6_ROUTE, BY(1), TRUE},
};

static const VAR_INFO *var_lookup(const VAR_INFO *vars, size_t n, DWORD var)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (vars[i].var == var)
            return &vars[i];
    return NULL;
}

/* The variable `var` names under PID_IP (or PID_IPV6), or NULL. */
static const VAR_INFO *var_info(DWORD var)
{
    return var_lookup(g_vars, sizeof g_vars / sizeof g_vars[0], var);
}

static const VAR_INFO *var_info_pid(DWORD pid, DWORD var)
{
    if (pid == PID_IPV6)
        return var_lookup(g_vars6, sizeof g_vars6 / sizeof g_vars6[0], var);
    return var_info(var);
}

static BOOL is_ip6_stats(DWORD var)
{
    return var == IP6_STATS || var == UDP6_STATS || var == TCP6_STATS;
}

static BOOL is_mfe(DWORD var)
{
    return var == MCAST_MFE || var == MCAST_MFE_STATS || var == MCAST_MFE_STATS_EX;
}

/* 87 unless the query has a number of index values its variable takes for
 * this method, and the values MS-RRASM 2.2.1.2.53 fixes. */
static DWORD check_query(const QUERY_CTX *c, const VAR_INFO *vi, const DWORD *idx, DWORD nidx)
{
    DWORD forms = c->op == OP_GET ? vi->get_n : c->op == OP_GETFIRST ? vi->first_n : vi->next_n;

    if (c->pid == PID_IP) {
        /* 2.2.1.2.52 gives no structure for them under the IP transport. */
        if (is_ip6_stats(vi->var) && !c->sdk)
            return E_INVALID_PARAMETER;
        /* The SDK's GetProxyArpEntry-era form: Get with no index, the table. */
        if (vi->var == PROXY_ARP && c->op == OP_GET && c->sdk)
            forms |= IDX(0);
    }
    if (nidx > 31 || !(forms >> nidx & 1))
        return E_INVALID_PARAMETER;
    if (c->pid != PID_IP)
        return E_OK;
    /* MCAST_MFE, MCAST_MFE_STATS: "rgdwVarIndex[2] MUST be 0xFFFFFFFF"; for
     * MCAST_MFE_STATS_EX, "rgdwVarIndex[2] is not used". */
    if ((vi->var == MCAST_MFE || vi->var == MCAST_MFE_STATS) && idx[2] != MFE_SRC_MASK_INDEX)
        return E_INVALID_PARAMETER;
    /* BEST_ROUTE {dest, 0}: "rgdwVarIndex[1] MUST be set to 0." */
    if (vi->var == BEST_ROUTE && idx[1] != 0)
        return E_INVALID_PARAMETER;
    return E_OK;
}

static DWORD stat_reply(REPLY *r, DWORD var, const QUERY_CTX *c)
{
    const int mode = c->mode;
    union {
        DWORD number;
        MIB_IPSTATS ip;
        MIB_ICMP icmp;
        MIB_TCPSTATS tcp;
        MIB_UDPSTATS udp;
    } u;
    size_t size = 0;
    DWORD rc = E_OK;

    memset(&u, 0, sizeof u);
    switch (var) {
    case IF_NUMBER:
        size = sizeof(MIB_IFNUMBER);
        if (mode == MODE_FIXED)
            u.number = 3;
        else
            rc = GetNumberOfInterfaces(&u.number);
        break;
    case IP_FORWARDNUMBER:
        size = sizeof(MIB_IPFORWARDNUMBER);
        if (mode == MODE_FIXED) {
            u.number = g_nroutes;
        } else {
            ROWS rows;
            rc = host_table(T_FWD, &rows);
            u.number = rows.n;
            free(rows.owned);
        }
        break;
    case IP_STATS:
        size = sizeof(MIB_IPSTATS);
        if (mode == MODE_FIXED)
            fixed_ipstats(&u.ip);
        else
            rc = GetIpStatistics(&u.ip);
        break;
    case ICMP_STATS:
        size = sizeof(MIB_ICMP);
        if (mode == MODE_FIXED)
            fixed_icmp(&u.icmp);
        else
            rc = GetIcmpStatistics(&u.icmp);
        break;
    case TCP_STATS:
        size = sizeof(MIB_TCPSTATS);
        if (mode == MODE_FIXED)
            fixed_tcpstats(&u.tcp);
        else
            rc = GetTcpStatistics(&u.tcp);
        break;
    case UDP_STATS:
        size = sizeof(MIB_UDPSTATS);
        if (mode == MODE_FIXED)
            fixed_udpstats(&u.udp);
        else
            rc = GetUdpStatistics(&u.udp);
        break;
    case IP6_STATS:
        size = sizeof(MIB_IPSTATS);
        if (mode == MODE_FIXED)
            fixed_ip6stats(&u.ip);
        else
            rc = GetIpStatisticsEx(&u.ip, FAMILY_INET6);
        break;
    case TCP6_STATS:
        size = sizeof(MIB_TCPSTATS);
        if (mode == MODE_FIXED)
            fixed_tcp6stats(&u.tcp);
        else
            rc = GetTcpStatisticsEx(&u.tcp, FAMILY_INET6);
        break;
    case UDP6_STATS:
        size = sizeof(MIB_UDPSTATS);
        if (mode == MODE_FIXED)
            fixed_udp6stats(&u.udp);
        else
            rc = GetUdpStatisticsEx(&u.udp, FAMILY_INET6);
        break;
    case MCAST_GLOBAL:
        /* MIB_IPMCAST_GLOBAL (MS-RRASM 2.2.1.2.39), dwEnable: "This value
         * is set to 1 if IP multicast is enabled on the computer and is set
         * to 2 if IP multicast is not enabled on the computer." */
        size = sizeof(DWORD);
        u.number = c->mcast ? 1 : 2;
        break;
    case ROUTE_STATE: /* MIB_ROUTESTATE: the routes are set to the stack */
        size = sizeof(DWORD);
        u.number = TRUE;
        break;
    default:
        return E_INVALID_PARAMETER;
    }
    if (rc)
        return rc;
    return reply_stat(r, var, &u, size);
}

/* ---- route lookups, from the routing table manager's view --------------- */

/* Order of a route lookup's rows: destination address, then mask (shorter
 * first), then best first: lower preference, lower metric, then route index. */
static int cmp_dest_rows(const void *a, const void *b)
{
    const DEST_ROW *x = a, *y = b;
    DWORD kx[2] = {bswap32(x->route.dwForwardDest & x->route.dwForwardMask),
                   bswap32(x->route.dwForwardMask)};
    DWORD ky[2] = {bswap32(y->route.dwForwardDest & y->route.dwForwardMask),
                   bswap32(y->route.dwForwardMask)};
    int c = cmp_keys(kx, ky, 2);
    if (c)
        return c;
    if (x->preference != y->preference)
        return x->preference < y->preference ? -1 : 1;
    if (x->route.dwForwardMetric1 != y->route.dwForwardMetric1)
        return x->route.dwForwardMetric1 < y->route.dwForwardMetric1 ? -1 : 1;
    c = cmp_fwd(&x->route, &y->route);
    return c ? c : memcmp(x, y, sizeof *x);
}

/* Is the mask (network order) a run of ones from the top? */
static BOOL mask_contiguous(DWORD mask)
{
    DWORD inv = ~bswap32(mask);
    return (inv & (inv + 1)) == 0;
}

/* DEST_* and ROUTE_*, queried {dest, mask, view set, proto} (MS-RRASM
 * 2.2.1.2.53): the forwarder's routes and the manager's others
 * (g_rtm_extra), each with its preference and views, whose prefix
 * - *_MATCHING: is dest/mask;
 * - *_LONGER: lies inside dest/mask (mask as long or longer);
 * - *_SHORTER: covers dest/mask (mask as short or shorter);
 * the given dest masked first; and that are in one of the views asked for
 * (0, RTM_VIEW_MASK_ANY: any) and of the protocol asked for (0: any).
 * ROUTE_* answer every such route, DEST_* one row per destination: its best
 * route among them. None: 232. Lock held. */
static DWORD route_lookup(REPLY *r, DWORD var, const DWORD *idx)
{
    DWORD dest = idx[0], mask = idx[1], views = idx[2], proto = idx[3];
    DWORD n = g_nroutes + 2, i, k = 0, rc;
    BOOL dests = var == DEST_MATCHING || var == DEST_LONGER || var == DEST_SHORTER;
    DEST_ROW *all;

    if (!mask_contiguous(mask))
        return E_INVALID_PARAMETER;
    dest &= mask;
    all = malloc((size_t)n * sizeof *all);
    if (!all)
        return E_NOT_ENOUGH_MEMORY;
    for (i = 0; i < g_nroutes; i++) {
        all[i].route = g_routes[i];
        all[i].preference = g_route_pv[i].preference;
        all[i].view_set = g_route_pv[i].view_set;
    }
    all[g_nroutes] = g_rtm_extra[0];
    all[g_nroutes + 1] = g_rtm_extra[1];
    qsort(all, n, sizeof *all, cmp_dest_rows);
    for (i = 0; i < n; i++) {
        DWORD rmask = all[i].route.dwForwardMask;
        DWORD rdest = all[i].route.dwForwardDest & rmask;
        BOOL hit;
        switch (var) {
        case DEST_MATCHING:
        case ROUTE_MATCHING:
            hit = rdest == dest && rmask == mask;
            break;
        case DEST_LONGER:
        case ROUTE_LONGER:
            hit = (rmask & mask) == mask && (rdest & mask) == dest;
            break;
        default:
            hit = (rmask & mask) == rmask && (dest & rmask) == rdest;
            break;
        }
        if (views && !(all[i].view_set & views))
            hit = FALSE;
        if (proto && all[i].route.dwForwardProto != proto)
            hit = FALSE;
        /* Rows of one destination are next to each other, best first. */
        if (hit && dests && k && (all[k - 1].route.dwForwardDest & all[k - 1].route.dwForwardMask) == rdest &&
            all[k - 1].route.dwForwardMask == rmask)
            hit = FALSE;
        if (hit)
            all[k++] = all[i];
    }
    rc = k ? reply_table(r, var, all, k, sizeof *all) : E_NO_DATA;
    free(all);
    return rc;
}

/* BEST_ROUTE in fixed mode, as GetBestRoute picks: among the forwarder's
 * valid routes that hold dest, the longest mask, then the lowest metric, then
 * the one through the interface that has the source address (if one does),
 * then the first in index order. Its index in g_routes in *which. None:
 * 1232, as GetBestRoute. Lock held. */
static DWORD fixed_best_route(DWORD dest, DWORD source, DWORD *which)
{
    DWORD i, src_if = 0, found = 0;
    BOOL any = FALSE;

    for (i = 0; source && i < 3; i++)
        if (g_addrs[i].dwAddr == source)
            src_if = g_addrs[i].dwIndex;
    for (i = 0; i < g_nroutes; i++) {
        const MIB_IPFORWARDROW *f = &g_routes[i];
        if (f->dwForwardType == MIB_IPROUTE_TYPE_INVALID ||
            (dest & f->dwForwardMask) != (f->dwForwardDest & f->dwForwardMask))
            continue;
        if (any) {
            const MIB_IPFORWARDROW *b = &g_routes[found];
            DWORD m = bswap32(f->dwForwardMask), fm = bswap32(b->dwForwardMask);
            if (m != fm) {
                if (m < fm)
                    continue;
            } else if (f->dwForwardMetric1 != b->dwForwardMetric1) {
                if (f->dwForwardMetric1 > b->dwForwardMetric1)
                    continue;
            } else if (!(src_if && f->dwForwardIfIndex == src_if &&
                         b->dwForwardIfIndex != src_if)) {
                continue;
            }
        }
        found = i;
        any = TRUE;
    }
    if (!any)
        return E_HOST_UNREACHABLE;
    *which = found;
    return E_OK;
}

/* BEST_ROUTE's strict reply: INTERFACE_ROUTE_INFO (MS-RRASM 2.2.1.2.11),
 * the IPv4 arm from the route, its preference and view set, bV4 TRUE. */
static void route_info_v4(ROUTE_INFO *out, const MIB_IPFORWARDROW *f, DWORD preference,
                          DWORD view_set)
{
    memset(out, 0, sizeof *out);
    out->u.v4.dwRtInfoDest = f->dwForwardDest;
    out->u.v4.dwRtInfoMask = f->dwForwardMask;
    out->u.v4.dwRtInfoPolicy = f->dwForwardPolicy;
    out->u.v4.dwRtInfoNextHop = f->dwForwardNextHop;
    out->u.v4.dwRtInfoAge = f->dwForwardAge;
    out->u.v4.dwRtInfoNextHopAS = f->dwForwardNextHopAS;
    out->u.v4.dwRtInfoMetric1 = f->dwForwardMetric1;
    out->u.v4.dwRtInfoMetric2 = f->dwForwardMetric2;
    out->u.v4.dwRtInfoMetric3 = f->dwForwardMetric3;
    out->dwRtInfoIfIndex = f->dwForwardIfIndex;
    out->dwRtInfoType = f->dwForwardType;
    out->dwRtInfoProto = f->dwForwardProto;
    out->dwRtInfoPreference = preference;
    out->dwRtInfoViewSet = view_set;
    out->bV4 = TRUE;
}

/* BEST_IF, BEST_ROUTE and the route lookups. In fixed mode the lock is held. */
static DWORD lookup_reply(REPLY *r, DWORD var, const QUERY_CTX *c, const DWORD *idx)
{
    MIB_IPFORWARDROW route;
    ROUTE_PV pv;
    ROUTE_INFO info;
    MIB_BEST_IF best;
    DWORD rc, which = 0;

    switch (var) {
    case BEST_ROUTE:
        /* {dest, 0}: rgdwVarIndex[1] is 0 (check_query). */
        if (c->mode == MODE_FIXED) {
            rc = fixed_best_route(idx[0], idx[1], &which);
            if (rc)
                return rc;
            route = g_routes[which];
            pv = g_route_pv[which];
        } else {
            rc = GetBestRoute(idx[0], idx[1], &route);
            if (rc)
                return rc;
            pv.preference = preference_of(route.dwForwardProto);
            pv.view_set = 3;
        }
        if (c->sdk)
            return reply_row(r, var, &route, sizeof route);
        route_info_v4(&info, &route, pv.preference, pv.view_set);
        return reply_row(r, var, &info, sizeof info);
    case BEST_IF:
        best.dwDestAddr = idx[0];
        best.dwIfIndex = 0;
        if (c->mode == MODE_FIXED) {
            rc = fixed_best_route(idx[0], 0, &which);
            if (!rc)
                best.dwIfIndex = g_routes[which].dwForwardIfIndex;
        } else {
            rc = GetBestInterface(idx[0], &best.dwIfIndex);
        }
        return rc ? rc : reply_row(r, var, &best, sizeof best);
    default:
        return route_lookup(r, var, idx);
    }
}

/* The fixed interface with this index, or NULL. Lock held. */
static MIB_IFROW *fixed_if(DWORD index)
{
    DWORD i;
    for (i = 0; i < 3; i++)
        if (g_ifs[i].dwIndex == index)
            return &g_ifs[i];
    return NULL;
}

/* IP_NETTABLE Get (MS-RRASM 2.2.1.2.53): with {if index}, a MIB_IPNETTABLE
 * of that interface's entries (none: dwNumEntries 0), 1413 if no interface
 * has that index; with {if index, addr}, a MIB_IPNETTABLE of that one entry,
 * 1413 if there is none. rows: the ARP table, sorted. In fixed mode the lock
 * is held. */
static DWORD net_table_reply(REPLY *r, const QUERY_CTX *c, const ROWS *rows, const DWORD *idx,
                             DWORD nidx)
{
    DWORD key[2] = {idx[0], nidx > 1 ? idx[1] : 0}, first, end, rc;
    BOOL exists = FALSE;

    norm_keys(&K_NET, key);
    first = row_bound(&K_NET, rows->rows, rows->n, key, nidx, FALSE);
    end = row_bound(&K_NET, rows->rows, rows->n, key, nidx, TRUE);
    if (first == end) {
        if (nidx > 1)
            return E_INVALID_INDEX;
        if (c->mode == MODE_FIXED) {
            exists = fixed_if(idx[0]) != NULL;
        } else {
            ROWS ifs;
            DWORD i;
            rc = host_table(T_IF, &ifs);
            if (rc)
                return rc;
            for (i = 0; i < ifs.n && !exists; i++)
                exists = ((const MIB_IFROW *)ifs.rows)[i].dwIndex == idx[0];
            free(ifs.owned);
        }
        if (!exists)
            return E_INVALID_INDEX;
    }
    return reply_table_tail(r, IP_NETTABLE, rows->rows + (size_t)first * sizeof(MIB_IPNETROW),
                            end - first, sizeof(MIB_IPNETROW), table_tail(IP_NETTABLE, c->sdk));
}

/* MCAST_MFE, MCAST_MFE_STATS, MCAST_MFE_STATS_EX: Get, GetFirst and GetNext
 * all answer a table (MIB_MFE_TABLE, MIB_MFE_STATS_TABLE) of one MFE. Strict,
 * as a 64-bit server lays the table out: the rows hold a PVOID in their
 * outgoing-interface entries, so they are 8-aligned, and 4 zero bytes follow
 * dwNumEntries; with the SDK forms the row follows it at once. Get
 * the one whose (group, source) match, GetFirst the first, GetNext the first
 * after (group, source). With none, MS-RRASM 2.2.1.2.52: "rgbyData SHOULD be
 * specified as NULL when the requested IP multicast forwarding entry is not
 * found ... These methods return ERROR_SUCCESS": no reply (r->buf NULL) and
 * 0. Lock held. */
static DWORD mfe_reply(REPLY *r, DWORD var, const QUERY_CTX *c, const ROWS *rows,
                       const DWORD *idx)
{
    size_t fixed, count_at, elem;
    ROW_ENCODER encode = mfe_encoder(var, c->sdk, &fixed, &count_at, &elem);
    const BYTE *row = NULL;
    DWORD rc = row_find(c->op, &K_MFE, rows->rows, rows->n, idx, 2, &row);

    if (rc == E_INVALID_INDEX || rc == E_NO_DATA || rc == E_NO_MORE_ITEMS) {
        memset(r, 0, sizeof *r);
        return E_OK;
    }
    if (rc)
        return rc;
    rc = reply_encoded(r, var, SHAPE_TABLE, row, 1, sizeof(FIXED_MFE), encode,
                       c->sdk ? 0 : sizeof(DWORD));
    if (rc)
        return rc;
    r->mfe_fixed = fixed;
    r->mfe_count_at = count_at;
    r->mfe_elem = elem;
    return E_OK;
}

/* In fixed mode the caller holds the lock for the whole of this. A reply
 * with no data (an MFE not found) comes back as E_OK with r->buf NULL. */
static DWORD serve_query(const QUERY_CTX *c, DWORD var, const DWORD *idx, DWORD nidx,
                         REPLY *r)
{
    const VAR_INFO *vi = var_info_pid(c->pid, var);
    size_t stored;
    ROWS rows;
    DWORD rc;

    memset(r, 0, sizeof *r);
    if (!vi)
        return E_INVALID_PARAMETER;
    rc = check_query(c, vi, idx, nidx);
    if (rc)
        return rc;
    if (c->mode != MODE_FIXED && !vi->host)
        return E_NOT_SUPPORTED; /* nothing on this machine answers it */
    if (vi->table < 0)
        return vi->shape == SHAPE_STAT ? stat_reply(r, var, c) : lookup_reply(r, var, c, idx);

    rc = c->mode == MODE_FIXED ? fixed_table(vi->table, &rows) : host_table(vi->table, &rows);
    if (rc)
        return rc;
    stored = table_row_size(vi->table);
    if (vi->shape == SHAPE_TABLE && !vi->kind) {
        rc = reply_table_tail(r, var, rows.rows, rows.n, stored, table_tail(var, c->sdk));
    } else if (var == IP_NETTABLE && c->pid == PID_IP) {
        rc = net_table_reply(r, c, &rows, idx, nidx);
    } else if (is_mfe(var) && c->pid == PID_IP) {
        rc = mfe_reply(r, var, c, &rows, idx);
    } else if (var == PROXY_ARP && c->sdk &&
               (c->op == OP_GETFIRST || (c->op == OP_GET && nidx == 0))) {
        /* The SDK's form: the whole MIB_PROXYARPTABLE; GetFirst of none: 232. */
        rc = c->op == OP_GETFIRST && !rows.n ? E_NO_DATA
                                             : reply_table(r, var, rows.rows, rows.n, stored);
    } else {
        const BYTE *row = NULL;
        rc = row_find(c->op, vi->kind, rows.rows, rows.n, idx, nidx, &row);
        if (!rc && var == MCAST_SCOPE && !c->sdk)
            rc = reply_row_sized(r, var, row, stored, SCOPE_WIRE_SIZE);
        else if (!rc)
            rc = reply_row(r, var, row, stored);
    }
    free(rows.owned);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Call bookkeeping shared by the six MIB entry points.                     */
/* ------------------------------------------------------------------------ */

typedef struct {
    ROUTER_HANDLE *h;
    DWORD generation;
    /* From the global delay and the server's rule, as they were when the
     * call started. */
    DWORD delay, fail;
    BOOL hang;
    DWORD hang_epoch;
} CALL;

/* Does pattern (a name, or a prefix and '*') match server? */
static BOOL server_matches(const WCHAR *pattern, const WCHAR *server)
{
    size_t len = wcslen(pattern);
    if (len && pattern[len - 1] == L'*')
        return !wcsncmp(pattern, server, len - 1);
    return !wcscmp(pattern, server);
}

/* Lock held. The rule set last among those that match, or NULL. */
static const SERVER_RULE *server_rule(const WCHAR *server)
{
    DWORD i;
    for (i = g_nrules; i-- > 0;)
        if (server_matches(g_rules[i].pattern, server))
            return &g_rules[i];
    return NULL;
}

/* Lock held (or DllMain). */
static void server_rules_reset(void)
{
    DWORD i;
    for (i = 0; i < g_nrules; i++)
        free(g_rules[i].pattern);
    g_nrules = 0;
}

/* Lock held (or DllMain). Wakes every hung call. */
static void release_hangs(void)
{
    g_hang_epoch++;
    WakeAllConditionVariable(&g_hang_cv);
}

/* Lock held. */
static void record_input(const void *in, DWORD size)
{
    BYTE *copy = NULL;
    if (!in)
        size = 0;
    if (size) {
        copy = malloc(size);
        if (!copy)
            size = 0;
        else
            memcpy(copy, in, size);
    }
    free(g_last_input);
    g_last_input = copy;
    g_last_input_size = size;
}

/* Starts a call on hs, which must be a live handle of `kind`: KIND_HANDLE
 * (a MIB call: counts bad_handle if not, keeps its input) or
 * KIND_ADMIN_HANDLE (an admin call, admin.c: counts admin_bad_handle if not,
 * counts admin_calls). Both then take the same path: calls, in_flight, the
 * server's rule. */
static DWORD call_enter_kind(void *hs, int kind, const void *in, DWORD in_size, CALL *c)
{
    const SERVER_RULE *rule;

    EnterCriticalSection(&g_lock);
    if (set_kind(&g_handles, hs) != kind) {
        if (kind == KIND_HANDLE)
            g_count.bad_handle++;
        else
            g_count.admin_bad_handle++;
        LeaveCriticalSection(&g_lock);
        return E_INVALID_HANDLE;
    }
    c->h = hs;
    c->generation = g_generation;
    c->h->in_flight++;
    g_count.in_flight++;
    if (g_count.in_flight > g_count.max_in_flight)
        g_count.max_in_flight = g_count.in_flight;
    g_count.calls++;
    if (kind == KIND_HANDLE)
        record_input(in, in_size);
    else
        g_count.admin_calls++;
    rule = server_rule(c->h->server);
    c->delay = g_delay_ms + (rule ? rule->delay_ms : 0);
    c->fail = rule ? rule->fail_code : 0;
    c->hang = rule && rule->hang;
    /* Taken now, under the same lock as in_flight: a release from here on
     * frees this call, even one that comes before it starts to wait. */
    c->hang_epoch = g_hang_epoch;
    if (c->hang) {
        g_count.hung++;
        g_count.hangs++;
    }
    LeaveCriticalSection(&g_lock);
    return E_OK;
}

static DWORD call_enter(MIB_SERVER_HANDLE hs, const void *in, DWORD in_size, CALL *c)
{
    return call_enter_kind(hs, KIND_HANDLE, in, in_size, c);
}

/* A started call's wait: hung until the next release (or reset), then the
 * delay. Never holds g_lock while it waits, so calls overlap and the control
 * exports and Disconnect go on meanwhile. */
static void call_wait(const CALL *c)
{
    if (c->hang) {
        EnterCriticalSection(&g_lock);
        while (g_hang_epoch == c->hang_epoch)
            SleepConditionVariableCS(&g_hang_cv, &g_lock, INFINITE);
        if (c->generation == g_generation)
            g_count.hung--;
        LeaveCriticalSection(&g_lock);
    }
    if (c->delay)
        Sleep(c->delay);
}

static void call_leave(const CALL *c)
{
    EnterCriticalSection(&g_lock);
    c->h->in_flight--;
    if (c->generation == g_generation)
        g_count.in_flight--;
    LeaveCriticalSection(&g_lock);
}

/* The checks every MIB call makes first, in the router's order; `ipv6`:
 * the call also takes PID_IPV6 (the Get family). Lock held. */
static DWORD common_errors(const CALL *c, DWORD pid, DWORD routing_pid, BOOL ipv6)
{
    if (g_fail_calls)
        return g_fail_calls;
    if (c->fail)
        return c->fail;
    if (c->h->lazy_error)
        return c->h->lazy_error;
    if (pid != PID_IP && !(ipv6 && pid == PID_IPV6))
        return E_UNKNOWN_PROTOCOL_ID;
    if (routing_pid != IPRTRMGR_PID)
        return E_CAN_NOT_COMPLETE;
    return E_OK;
}

static DWORD get_work(int op, const CALL *c, DWORD pid, DWORD routing_pid,
                      const void *in, DWORD in_size, LPVOID *out, LPDWORD out_size)
{
    DWORD rc, var, nidx, idx[4] = {0, 0, 0, 0};
    int malformed;
    QUERY_CTX q;
    REPLY r;

    EnterCriticalSection(&g_lock);
    rc = common_errors(c, pid, routing_pid, TRUE);
    if (g_fail_calls && g_fail_with_buffer && out && out_size) {
        /* A reply buffer that comes back with an error: the client must
         * free it on its error path too. */
        void *p = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, 16);
        if (p && !register_buffer(p, KIND_MIB)) {
            *out = p;
            *out_size = 16;
        } else if (p) {
            HeapFree(GetProcessHeap(), 0, p);
        }
    }
    q.op = op;
    q.mode = g_mode;
    q.pid = pid;
    q.sdk = g_sdk_forms;
    q.mcast = g_mcast_enabled;
    malformed = g_malformed;
    LeaveCriticalSection(&g_lock);
    if (rc)
        return rc;
    if (!out || !out_size)
        return E_INVALID_PARAMETER;
    if (!in || in_size < sizeof(DWORD) || in_size % sizeof(DWORD))
        return E_INVALID_PARAMETER;

    memcpy(&var, in, sizeof var);
    nidx = in_size / sizeof(DWORD) - 1;
    memcpy(idx, (const BYTE *)in + sizeof(DWORD), (nidx < 4 ? nidx : 4) * sizeof(DWORD));

    if (q.mode == MODE_FIXED)
        EnterCriticalSection(&g_lock);
    rc = serve_query(&q, var, idx, nidx, &r);
    if (!rc && q.mode == MODE_FIXED && malformed)
        reply_damage(&r, malformed);
    if (q.mode == MODE_FIXED)
        LeaveCriticalSection(&g_lock);
    if (rc)
        return rc;
    if (!r.buf) {
        /* Success with no data (MS-RRASM 2.2.1.2.52, an MFE not found). */
        *out = NULL;
        *out_size = 0;
        return E_OK;
    }
    return reply_deliver(&r, out, out_size);
}

static DWORD get_family(int op, MIB_SERVER_HANDLE hs, DWORD pid, DWORD routing_pid,
                        LPVOID in, DWORD in_size, LPVOID *out, LPDWORD out_size)
{
    CALL c;
    DWORD rc;
    BOOL untouched;

    EnterCriticalSection(&g_lock);
    untouched = g_out_untouched_on_error;
    LeaveCriticalSection(&g_lock);
    /* The real API overwrites both even when the call fails. */
    if (out && !untouched)
        *out = NULL;
    if (out_size && !untouched)
        *out_size = 0;
    rc = call_enter(hs, in, in_size, &c);
    if (rc)
        return rc;
    call_wait(&c);
    rc = get_work(op, &c, pid, routing_pid, in, in_size, out, out_size);
    call_leave(&c);
    return rc;
}

enum { CH_CREATE, CH_SET, CH_DELETE };

/* Insert row (with its preference and view set) where the table's order
 * wants it: by the IP_FORWARDROW index (dest, proto, policy, next hop), then,
 * among routes that share it (they differ in mask or interface), by mask
 * (shorter first) and interface index. Lock held. */
static DWORD route_insert(const MIB_IPFORWARDROW *row, const ROUTE_PV *pv)
{
    DWORD key[4], rk[4], i;

    if (!routes_reserve(g_nroutes + 1))
        return E_NOT_ENOUGH_MEMORY;
    row_keys(&K_FWD, row, key);
    i = row_bound(&K_FWD, (const BYTE *)g_routes, g_nroutes, key, 4, FALSE);
    for (; i < g_nroutes; i++) {
        const MIB_IPFORWARDROW *f = &g_routes[i];
        row_keys(&K_FWD, f, rk);
        if (cmp_keys(rk, key, 4))
            break;
        if (bswap32(f->dwForwardMask) != bswap32(row->dwForwardMask)) {
            if (bswap32(f->dwForwardMask) > bswap32(row->dwForwardMask))
                break;
        } else if (f->dwForwardIfIndex >= row->dwForwardIfIndex) {
            break;
        }
    }
    memmove(&g_routes[i + 1], &g_routes[i], (size_t)(g_nroutes - i) * sizeof *row);
    memmove(&g_route_pv[i + 1], &g_route_pv[i], (size_t)(g_nroutes - i) * sizeof *pv);
    g_routes[i] = *row;
    g_route_pv[i] = *pv;
    g_nroutes++;
    return E_OK;
}

static void route_remove(DWORD i)
{
    memmove(&g_routes[i], &g_routes[i + 1], (size_t)(g_nroutes - i - 1) * sizeof *g_routes);
    memmove(&g_route_pv[i], &g_route_pv[i + 1], (size_t)(g_nroutes - i - 1) * sizeof *g_route_pv);
    g_nroutes--;
}

/* The route whose dest, mask, if index, next hop and proto are these
 * (MS-RRASM 3.1.4.28's five), or g_nroutes if none. Lock held. */
static DWORD route_matching(DWORD dest, DWORD mask, DWORD if_index, DWORD next_hop, DWORD proto)
{
    DWORD i;
    for (i = 0; i < g_nroutes; i++) {
        const MIB_IPFORWARDROW *f = &g_routes[i];
        if (f->dwForwardDest == dest && f->dwForwardMask == mask &&
            f->dwForwardIfIndex == if_index && f->dwForwardNextHop == next_hop &&
            f->dwForwardProto == proto)
            break;
    }
    return i;
}

/* ROUTE_MATCHING, the form MS-RRASM gives (3.1.4.27 RMIBEntryCreate,
 * 3.1.4.28 RMIBEntryDelete, 3.1.4.29 RMIBEntrySet):
 * - Create and Set: MIB_OPAQUE_INFO {ROUTE_MATCHING, pad, MIB_IPDESTROW},
 *   exactly 72 bytes (the 56-byte MIB_IPFORWARDROW, dwForwardPreference,
 *   dwForwardViewSet). Create adds the route (183 if one with the same dest,
 *   mask, if index, next hop and proto exists); Set replaces that route
 *   (1413 if none). Both then set dwForwardPolicy to 0, dwForwardMetric4 and
 *   5 to MIB_IPROUTE_METRIC_UNUSED and dwForwardPreference to
 *   IP_PRIORITY_DEFAULT_METRIC (0x7F) "irrespective of the values
 *   specified" (3.1.4.27, 3.1.4.29); the view set is kept as written.
 * - Delete: MIB_OPAQUE_QUERY {ROUTE_MATCHING, dest, mask, if index, next hop,
 *   proto}, exactly 24 bytes: the route matching all five goes (1413 if none).
 * Lock held. */
static DWORD route_matching_change_work(int what, const void *in, DWORD in_size)
{
    DEST_ROW d;
    ROUTE_PV pv;
    DWORD q[5], i, rc;

    if (what == CH_DELETE) {
        if (in_size != sizeof(DWORD) + sizeof q)
            return E_INVALID_PARAMETER;
        memcpy(q, (const BYTE *)in + sizeof(DWORD), sizeof q);
        i = route_matching(q[0], q[1], q[2], q[3], q[4]);
        if (i == g_nroutes)
            return E_INVALID_INDEX;
        route_remove(i);
        return E_OK;
    }
    if (in_size != REPLY_HDR + sizeof d)
        return E_INVALID_PARAMETER;
    memcpy(&d, (const BYTE *)in + REPLY_HDR, sizeof d);
    d.route.dwForwardPolicy = 0;
    d.route.dwForwardMetric4 = METRIC_UNUSED;
    d.route.dwForwardMetric5 = METRIC_UNUSED;
    pv.preference = IP_PRIORITY_DEFAULT_METRIC;
    pv.view_set = d.view_set;
    i = route_matching(d.route.dwForwardDest, d.route.dwForwardMask, d.route.dwForwardIfIndex,
                       d.route.dwForwardNextHop, d.route.dwForwardProto);
    if (what == CH_CREATE) {
        if (i < g_nroutes)
            return E_ALREADY_EXISTS;
        return route_insert(&d.route, &pv);
    }
    if (i == g_nroutes)
        return E_INVALID_INDEX;
    /* Set may change dwForwardPolicy (to 0), part of the table's order: re-insert. */
    if (!routes_reserve(g_nroutes + 1))
        return E_NOT_ENOUGH_MEMORY;
    route_remove(i);
    rc = route_insert(&d.route, &pv);
    return rc;
}

/* IP_FORWARDROW, the older form (only with router_set_legacy_route_writes
 * on; 87 otherwise): Create and Set take MIB_OPAQUE_INFO {IP_FORWARDROW,
 * pad, MIB_IPFORWARDROW} (64 bytes), Delete the query {IP_FORWARDROW, dest,
 * proto, policy, next hop} (20 bytes); the route is the first with that
 * IP_FORWARDROW index, its preference and view set its protocol's. Lock held. */
static DWORD route_change_work(int what, const void *in, DWORD in_size)
{
    MIB_IPFORWARDROW row;
    ROUTE_PV pv;
    DWORD key[4], i;
    BOOL found;

    if (!g_legacy_route_writes)
        return E_INVALID_PARAMETER;
    if (what == CH_DELETE) {
        if (in_size != 5 * sizeof(DWORD))
            return E_INVALID_PARAMETER;
        memcpy(key, (const BYTE *)in + sizeof(DWORD), sizeof key);
        norm_keys(&K_FWD, key);
    } else {
        if (in_size != REPLY_HDR + sizeof row)
            return E_INVALID_PARAMETER;
        memcpy(&row, (const BYTE *)in + REPLY_HDR, sizeof row);
        row_keys(&K_FWD, &row, key);
    }

    i = row_bound(&K_FWD, (const BYTE *)g_routes, g_nroutes, key, 4, FALSE);
    found = FALSE;
    if (i < g_nroutes) {
        DWORD rk[4];
        row_keys(&K_FWD, &g_routes[i], rk);
        found = !cmp_keys(rk, key, 4);
    }
    switch (what) {
    case CH_CREATE:
        if (found)
            return E_ALREADY_EXISTS;
        pv.preference = preference_of(row.dwForwardProto);
        pv.view_set = row.dwForwardProto == 2 ? 1 : 3;
        return route_insert(&row, &pv);
    case CH_SET:
        if (!found)
            return E_INVALID_INDEX;
        if (!routes_reserve(g_nroutes + 1))
            return E_NOT_ENOUGH_MEMORY;
        route_remove(i);
        pv.preference = preference_of(row.dwForwardProto);
        pv.view_set = row.dwForwardProto == 2 ? 1 : 3;
        return route_insert(&row, &pv);
    default:
        if (!found)
            return E_INVALID_INDEX;
        route_remove(i);
        return E_OK;
    }
}

/* IP_STATS: Set only (MS-RRASM 2.2.1.2.49 with 3.1.4.29), MIB_OPAQUE_INFO
 * {IP_STATS, pad, MIB_IPSTATS}, exactly 100 bytes. Only dwForwarding (1
 * forwarding, 2 not) and dwDefaultTTL (1..255) are written; 0xFFFFFFFF in
 * either leaves it unchanged; the counters are ignored. Any other value, or
 * Create or Delete: 87. Lock held. */
static DWORD ipstats_change_work(int what, const void *in, DWORD in_size)
{
    MIB_IPSTATS st;

    if (what != CH_SET || in_size != REPLY_HDR + sizeof st)
        return E_INVALID_PARAMETER;
    memcpy(&st, (const BYTE *)in + REPLY_HDR, sizeof st);
    if (st.dwForwarding != 0xFFFFFFFFu && st.dwForwarding != 1 && st.dwForwarding != 2)
        return E_INVALID_PARAMETER;
    if (st.dwDefaultTTL != 0xFFFFFFFFu && (st.dwDefaultTTL < 1 || st.dwDefaultTTL > 255))
        return E_INVALID_PARAMETER;
    if (st.dwForwarding != 0xFFFFFFFFu)
        g_ip_forwarding = st.dwForwarding;
    if (st.dwDefaultTTL != 0xFFFFFFFFu)
        g_ip_default_ttl = st.dwDefaultTTL;
    return E_OK;
}

/* PROXY_ARP, not listed in MS-RRASM 3.1.4.27..29: 87 unless
 * router_set_unlisted_writes is on. Then, in the SDK's form
 * (CreateProxyArpEntry, DeleteProxyArpEntry), Create takes MIB_OPAQUE_INFO
 * {PROXY_ARP, pad, MIB_PROXYARP} (20 bytes; 183 if that entry exists, 1413
 * if the interface does not), Delete the query {PROXY_ARP, address, mask,
 * if index} (16 bytes; 1413 if there is no such entry). Set: 87. Lock held. */
static DWORD proxy_change_work(int what, const void *in, DWORD in_size)
{
    MIB_PROXYARP entry;
    DWORD key[3], rk[3], i, j;
    BOOL found;

    if (!g_unlisted_writes)
        return E_INVALID_PARAMETER;
    if (what == CH_CREATE && in_size == REPLY_HDR + sizeof entry) {
        memcpy(&entry, (const BYTE *)in + REPLY_HDR, sizeof entry);
    } else if (what == CH_DELETE && in_size == 4 * sizeof(DWORD)) {
        memcpy(&entry, (const BYTE *)in + sizeof(DWORD), sizeof entry);
    } else {
        return E_INVALID_PARAMETER;
    }
    row_keys(&K_PROXY, &entry, key);
    i = row_bound(&K_PROXY, (const BYTE *)g_proxy, g_nproxy, key, 3, FALSE);
    found = FALSE;
    if (i < g_nproxy) {
        row_keys(&K_PROXY, &g_proxy[i], rk);
        found = !cmp_keys(rk, key, 3);
    }
    if (what == CH_DELETE) {
        if (!found)
            return E_INVALID_INDEX;
        memmove(&g_proxy[i], &g_proxy[i + 1], (size_t)(g_nproxy - i - 1) * sizeof entry);
        g_nproxy--;
        return E_OK;
    }
    if (found)
        return E_ALREADY_EXISTS;
    for (j = 0; j < 3 && g_ifs[j].dwIndex != entry.dwIfIndex; j++)
        ;
    if (j == 3)
        return E_INVALID_INDEX;
    if (g_nproxy == PROXY_ARP_MAX)
        return E_NOT_ENOUGH_MEMORY;
    memmove(&g_proxy[i + 1], &g_proxy[i], (size_t)(g_nproxy - i) * sizeof entry);
    g_proxy[i] = entry;
    g_nproxy++;
    return E_OK;
}

/* MCAST_IF_ENTRY: Set takes MIB_OPAQUE_INFO {MCAST_IF_ENTRY, pad,
 * MIB_IPMCAST_IF_ENTRY} (32 bytes) and writes dwTtl and dwRateLimit of the
 * entry with that dwIfIndex (1413 if none); the other fields are read-only
 * and ignored. 3.1.4.29: "dwTtl MUST be set to less than or equal to 255.
 * dwRateLimit MUST NOT be set to 0": 87 otherwise, as for Create and
 * Delete. Lock held. */
static DWORD mcast_if_change_work(int what, const void *in, DWORD in_size)
{
    MIB_IPMCAST_IF_ENTRY entry;
    DWORD i;

    if (what != CH_SET || in_size != REPLY_HDR + sizeof entry)
        return E_INVALID_PARAMETER;
    memcpy(&entry, (const BYTE *)in + REPLY_HDR, sizeof entry);
    if (entry.dwTtl > 255 || entry.dwRateLimit == 0)
        return E_INVALID_PARAMETER;
    for (i = 0; i < 2; i++) {
        if (g_mcast_if[i].dwIfIndex == entry.dwIfIndex) {
            g_mcast_if[i].dwTtl = entry.dwTtl;
            g_mcast_if[i].dwRateLimit = entry.dwRateLimit;
            return E_OK;
        }
    }
    return E_INVALID_INDEX;
}

/* Where the ARP entry (if index, addr) is in g_net, or would go; *found says
 * whether it is there. Lock held. */
static DWORD net_find(DWORD if_index, DWORD addr, BOOL *found)
{
    DWORD key[2], rk[2], i;

    key[0] = if_index;
    key[1] = addr;
    norm_keys(&K_NET, key);
    i = row_bound(&K_NET, (const BYTE *)g_net, g_nnet, key, 2, FALSE);
    *found = FALSE;
    if (i < g_nnet) {
        row_keys(&K_NET, &g_net[i], rk);
        *found = !cmp_keys(rk, key, 2);
    }
    return i;
}

/* What CreateIpNetEntry and SetIpNetEntry refuse with 87: a physical address
 * of 0 or more than 8 bytes, a type that is not 1..4, an address that names
 * no host (0.0.0.0, 255.255.255.255, multicast). */
static BOOL net_row_valid(const MIB_IPNETROW *row)
{
    DWORD a = bswap32(row->dwAddr);
    return row->dwPhysAddrLen >= 1 && row->dwPhysAddrLen <= MAXLEN_PHYSADDR &&
           row->dwType >= 1 && row->dwType <= 4 && a != 0 && a != 0xFFFFFFFFu &&
           (a >> 28) != 0xE;
}

/* IP_NETROW Create and Set: MS-RRASM 3.1.4.27 and 3.1.4.29 do not list
 * IP_NETROW, so 87 unless router_set_unlisted_writes is on. Then
 * MIB_OPAQUE_INFO {IP_NETROW, pad, MIB_IPNETROW}, exactly 32 bytes, the form
 * of the SDK's CreateIpNetEntry/SetIpNetEntry (a whole MIB_IPNETROW, every
 * member given). Create: 183 if the (if index, addr)
 * entry exists, 1413 if the interface does not; Set: 1413 if the entry does
 * not exist, then its physical address and type are replaced. Delete: 87
 * (MS-RRASM deletes ARP entries through IP_NETTABLE). Lock held. */
static DWORD net_row_change_work(int what, const void *in, DWORD in_size)
{
    MIB_IPNETROW row;
    DWORD i;
    BOOL found;

    if (!g_unlisted_writes || what == CH_DELETE || in_size != REPLY_HDR + sizeof row)
        return E_INVALID_PARAMETER;
    memcpy(&row, (const BYTE *)in + REPLY_HDR, sizeof row);
    if (!net_row_valid(&row))
        return E_INVALID_PARAMETER;
    i = net_find(row.dwIndex, row.dwAddr, &found);
    if (what == CH_SET) {
        if (!found)
            return E_INVALID_INDEX;
        g_net[i] = row;
        return E_OK;
    }
    if (found)
        return E_ALREADY_EXISTS;
    if (!fixed_if(row.dwIndex))
        return E_INVALID_INDEX;
    if (g_nnet == NET_MAX)
        return E_NOT_ENOUGH_MEMORY;
    memmove(&g_net[i + 1], &g_net[i], (size_t)(g_nnet - i) * sizeof row);
    g_net[i] = row;
    g_nnet++;
    return E_OK;
}

/* IP_NETTABLE Delete, the form MS-RRASM 3.1.4.28 gives: MIB_OPAQUE_QUERY
 * {IP_NETTABLE, dwIfIndex, dwAddr}, exactly 12 bytes; the entry whose
 * interface index and address match goes (1413 if none). Create and Set:
 * 87. Lock held. */
static DWORD net_table_change_work(int what, const void *in, DWORD in_size)
{
    DWORD q[2], i;
    BOOL found;

    if (what != CH_DELETE || in_size != sizeof(DWORD) + sizeof q)
        return E_INVALID_PARAMETER;
    memcpy(q, (const BYTE *)in + sizeof(DWORD), sizeof q);
    i = net_find(q[0], q[1], &found);
    if (!found)
        return E_INVALID_INDEX;
    memmove(&g_net[i], &g_net[i + 1], (size_t)(g_nnet - i - 1) * sizeof *g_net);
    g_nnet--;
    return E_OK;
}

/* IF_ROW Set, as MS-RRASM 3.1.4.29 gives it: MIB_OPAQUE_INFO {IF_ROW, pad,
 * MIB_IFROW}, exactly 868 bytes; "Only dwAdminStatus can be set", to
 * IF_ADMIN_STATUS_UP (1) or IF_ADMIN_STATUS_DOWN (2), of the interface
 * dwIndex names (1413 if none). Every other member is ignored. Any other
 * status, Create or Delete: 87. Lock held. */
static DWORD if_row_change_work(int what, const void *in, DWORD in_size)
{
    MIB_IFROW row;
    MIB_IFROW *target;

    if (what != CH_SET || in_size != REPLY_HDR + sizeof row)
        return E_INVALID_PARAMETER;
    memcpy(&row, (const BYTE *)in + REPLY_HDR, sizeof row);
    if (row.dwAdminStatus != 1 && row.dwAdminStatus != 2)
        return E_INVALID_PARAMETER;
    target = fixed_if(row.dwIndex);
    if (!target)
        return E_INVALID_INDEX;
    target->dwAdminStatus = row.dwAdminStatus;
    return E_OK;
}

/* MCAST_BOUNDARY Set, as MS-RRASM 3.1.4.29 gives it: MIB_OPAQUE_INFO
 * {MCAST_BOUNDARY, pad, MIB_IPMCAST_BOUNDARY}, exactly 24 bytes. "If dwStatus
 * is set to ROWSTATUS_CREATEANDGO, the boundary information specified in
 * MIB_IPMCAST_BOUNDARY is created": 183 if the (if index, group, mask)
 * boundary exists, 1413 if the interface does not; it is then active. "If
 * dwStatus field is set to ROWSTATUS_DESTROY, [it] is deleted": 1413 if
 * there is none. 87 for any other status, for a group outside 239.0.0.0/8
 * or a mask that lets the range leave it (2.2.1.2.37: "Scoped addresses
 * MUST come from the range 239.*.*.*"), and for Create and Delete, which
 * 3.1.4.27 and 3.1.4.28 do not list. Lock held. */
static DWORD boundary_change_work(int what, const void *in, DWORD in_size)
{
    MIB_IPMCAST_BOUNDARY b;
    DWORD key[3], rk[3], i;
    BOOL found;

    if (what != CH_SET || in_size != REPLY_HDR + sizeof b)
        return E_INVALID_PARAMETER;
    memcpy(&b, (const BYTE *)in + REPLY_HDR, sizeof b);
    if (b.dwStatus != ROWSTATUS_CREATEANDGO && b.dwStatus != ROWSTATUS_DESTROY)
        return E_INVALID_PARAMETER;
    if ((bswap32(b.dwGroupAddress) >> 24) != 239 || (bswap32(b.dwGroupMask) >> 24) != 0xFF)
        return E_INVALID_PARAMETER;
    row_keys(&K_BOUNDARY, &b, key);
    i = row_bound(&K_BOUNDARY, (const BYTE *)g_boundary, g_nboundary, key, 3, FALSE);
    found = FALSE;
    if (i < g_nboundary) {
        row_keys(&K_BOUNDARY, &g_boundary[i], rk);
        found = !cmp_keys(rk, key, 3);
    }
    if (b.dwStatus == ROWSTATUS_DESTROY) {
        if (!found)
            return E_INVALID_INDEX;
        memmove(&g_boundary[i], &g_boundary[i + 1], (size_t)(g_nboundary - i - 1) * sizeof b);
        g_nboundary--;
        return E_OK;
    }
    if (found)
        return E_ALREADY_EXISTS;
    if (!fixed_if(b.dwIfIndex))
        return E_INVALID_INDEX;
    if (g_nboundary == BOUNDARY_MAX)
        return E_NOT_ENOUGH_MEMORY;
    memmove(&g_boundary[i + 1], &g_boundary[i], (size_t)(g_nboundary - i) * sizeof b);
    b.dwStatus = ROWSTATUS_ACTIVE;
    g_boundary[i] = b;
    g_nboundary++;
    return E_OK;
}

/* Create, Set and Delete: 5 in loopback mode (the host is never modified);
 * 87 for input that is not whole DWORDs or names no variable; 50 for a
 * variable nothing writes; then the variable's own rules. Lock held. */
static DWORD change_work(int what, const void *in, DWORD in_size)
{
    DWORD var;

    if (g_mode != MODE_FIXED)
        return E_ACCESS_DENIED;
    if (!in || in_size < sizeof(DWORD) || in_size % sizeof(DWORD))
        return E_INVALID_PARAMETER;
    memcpy(&var, in, sizeof var);
    if (!var_info(var))
        return E_INVALID_PARAMETER;
    switch (var) {
    case ROUTE_MATCHING: return route_matching_change_work(what, in, in_size);
    case IP_FORWARDROW: return route_change_work(what, in, in_size);
    case IP_STATS: return ipstats_change_work(what, in, in_size);
    case PROXY_ARP: return proxy_change_work(what, in, in_size);
    case MCAST_IF_ENTRY: return mcast_if_change_work(what, in, in_size);
    case IP_NETROW: return net_row_change_work(what, in, in_size);
    case IP_NETTABLE: return net_table_change_work(what, in, in_size);
    case IF_ROW: return if_row_change_work(what, in, in_size);
    case MCAST_BOUNDARY: return boundary_change_work(what, in, in_size);
    default: return E_NOT_SUPPORTED; /* read-only */
    }
}

static DWORD change_family(int what, MIB_SERVER_HANDLE hs, DWORD pid, DWORD routing_pid,
                           LPVOID in, DWORD in_size)
{
    CALL c;
    DWORD rc;

    rc = call_enter(hs, in, in_size, &c);
    if (rc)
        return rc;
    call_wait(&c);
    EnterCriticalSection(&g_lock);
    rc = common_errors(&c, pid, routing_pid, FALSE);
    if (!rc)
        rc = change_work(what, in, in_size);
    LeaveCriticalSection(&g_lock);
    call_leave(&c);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The real API.                                                            */
/* ------------------------------------------------------------------------ */

/* A malloc'd copy of s, or NULL. */
static WCHAR *wstr_copy(const WCHAR *s)
{
    size_t bytes = (wcslen(s) + 1) * sizeof(WCHAR);
    WCHAR *copy = malloc(bytes);
    if (copy)
        memcpy(copy, s, bytes);
    return copy;
}

EXPORT DWORD WINAPI MprAdminMIBServerConnect(LPWSTR lpwsServerName,
                                             MIB_SERVER_HANDLE *phMibServer)
{
    ROUTER_HANDLE *h;
    DWORD rc = E_OK;

    EnterCriticalSection(&g_lock);
    free(g_last_server);
    g_last_server = NULL;
    if (lpwsServerName) {
        size_t len = wcslen(lpwsServerName);
        g_last_server = malloc((len + 1) * sizeof(WCHAR));
        if (g_last_server)
            memcpy(g_last_server, lpwsServerName, (len + 1) * sizeof(WCHAR));
    }
    if (g_fail_connect) {
        rc = g_fail_connect;
    } else if (!phMibServer) {
        rc = E_INVALID_PARAMETER;
    } else {
        /* Binding is lazy: a bad server shows up only on the first call. */
        h = calloc(1, sizeof *h);
        /* NULL and L"" both name the local router. */
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
            if (set_add(&g_handles, h, KIND_HANDLE)) {
                g_count.connects++;
                *phMibServer = h;
            } else {
                if (lpwsServerName)
                    free((void *)h->server);
                free(h);
                rc = E_NOT_ENOUGH_MEMORY;
            }
        }
    }
    if (rc && phMibServer)
        *phMibServer = NULL;
    LeaveCriticalSection(&g_lock);
    return rc;
}

EXPORT VOID WINAPI MprAdminMIBServerDisconnect(MIB_SERVER_HANDLE hMibServer)
{
    EnterCriticalSection(&g_lock);
    if (set_kind(&g_handles, hMibServer) != KIND_HANDLE) {
        g_count.bad_handle++;
    } else {
        ROUTER_HANDLE *h = hMibServer;
        if (h->in_flight)
            g_count.disconnect_in_use++;
        else
            g_count.disconnects++;
        set_remove(&g_handles, h);
        h->next_retired = g_graveyard;
        g_graveyard = h;
    }
    LeaveCriticalSection(&g_lock);
}

EXPORT DWORD WINAPI MprAdminMIBEntryGet(MIB_SERVER_HANDLE hMibServer, DWORD dwProtocolId,
                                        DWORD dwRoutingPid, LPVOID lpInEntry,
                                        DWORD dwInEntrySize, LPVOID *lplpOutEntry,
                                        LPDWORD lpOutEntrySize)
{
    return get_family(OP_GET, hMibServer, dwProtocolId, dwRoutingPid, lpInEntry,
                      dwInEntrySize, lplpOutEntry, lpOutEntrySize);
}

EXPORT DWORD WINAPI MprAdminMIBEntryGetFirst(MIB_SERVER_HANDLE hMibServer,
                                             DWORD dwProtocolId, DWORD dwRoutingPid,
                                             LPVOID lpInEntry, DWORD dwInEntrySize,
                                             LPVOID *lplpOutEntry, LPDWORD lpOutEntrySize)
{
    return get_family(OP_GETFIRST, hMibServer, dwProtocolId, dwRoutingPid, lpInEntry,
                      dwInEntrySize, lplpOutEntry, lpOutEntrySize);
}

EXPORT DWORD WINAPI MprAdminMIBEntryGetNext(MIB_SERVER_HANDLE hMibServer,
                                            DWORD dwProtocolId, DWORD dwRoutingPid,
                                            LPVOID lpInEntry, DWORD dwInEntrySize,
                                            LPVOID *lplpOutEntry, LPDWORD lpOutEntrySize)
{
    return get_family(OP_GETNEXT, hMibServer, dwProtocolId, dwRoutingPid, lpInEntry,
                      dwInEntrySize, lplpOutEntry, lpOutEntrySize);
}

EXPORT DWORD WINAPI MprAdminMIBEntrySet(MIB_SERVER_HANDLE hMibServer, DWORD dwProtocolId,
                                        DWORD dwRoutingPid, LPVOID lpEntry,
                                        DWORD dwEntrySize)
{
    return change_family(CH_SET, hMibServer, dwProtocolId, dwRoutingPid, lpEntry,
                         dwEntrySize);
}

EXPORT DWORD WINAPI MprAdminMIBEntryCreate(MIB_SERVER_HANDLE hMibServer, DWORD dwPid,
                                           DWORD dwRoutingPid, LPVOID lpEntry,
                                           DWORD dwEntrySize)
{
    return change_family(CH_CREATE, hMibServer, dwPid, dwRoutingPid, lpEntry, dwEntrySize);
}

EXPORT DWORD WINAPI MprAdminMIBEntryDelete(MIB_SERVER_HANDLE hMibServer, DWORD dwProtocolId,
                                           DWORD dwRoutingPid, LPVOID lpEntry,
                                           DWORD dwEntrySize)
{
    return change_family(CH_DELETE, hMibServer, dwProtocolId, dwRoutingPid, lpEntry,
                         dwEntrySize);
}

EXPORT DWORD WINAPI MprAdminMIBBufferFree(LPVOID pBuffer)
{
    return free_buffer(pBuffer, KIND_MIB);
}

EXPORT DWORD WINAPI MprAdminBufferFree(LPVOID pBuffer)
{
    return free_buffer(pBuffer, KIND_ADMIN);
}

EXPORT DWORD WINAPI MprAdminGetErrorString(DWORD dwError, LPWSTR *lpwsErrorString)
{
    WCHAR text[64], digits[12];
    const WCHAR *fixed = NULL;
    size_t len, nd = 0;
    DWORD v = dwError;
    WCHAR *s;

    if (!lpwsErrorString)
        return E_INVALID_PARAMETER;
    *lpwsErrorString = NULL;
    /* Like the real one: text only for RAS and router codes (600-999);
     * plain Win32 codes are FormatMessage's business. */
    if (dwError < 600 || dwError > 999)
        return E_MR_MID_NOT_FOUND;

    if (dwError == E_UNKNOWN_PROTOCOL_ID)
        fixed = L"No router manager is installed for this protocol.";
    if (fixed) {
        wcscpy(text, fixed);
    } else {
        do {
            digits[nd++] = (WCHAR)(L'0' + v % 10);
            v /= 10;
        } while (v);
        wcscpy(text, L"Router error ");
        len = wcslen(text);
        while (nd)
            text[len++] = digits[--nd];
        text[len++] = L'.';
        text[len] = 0;
    }
    /* Real message-table strings end with CR LF. */
    wcscat(text, L"\r\n");
    len = wcslen(text);
    s = LocalAlloc(LMEM_FIXED, (len + 1) * sizeof(WCHAR));
    if (!s)
        return E_NOT_ENOUGH_MEMORY;
    memcpy(s, text, (len + 1) * sizeof(WCHAR));
    *lpwsErrorString = s;
    EnterCriticalSection(&g_lock);
    g_count.error_strings++;
    LeaveCriticalSection(&g_lock);
    return E_OK;
}

EXPORT WINBOOL WINAPI MprAdminIsServiceRunning(LPWSTR lpwsServerName)
{
    BOOL running;
    (void)lpwsServerName;
    EnterCriticalSection(&g_lock);
    running = g_service_running;
    LeaveCriticalSection(&g_lock);
    return running;
}

/* ------------------------------------------------------------------------ */
/* Traps: MprAdminMIBSetTrapInfo, MprAdminMIBGetTrapInfo, router_*trap*.    */
/*                                                                          */
/* MinGW-w64's import library and Wine's Mprapi.dll lack these two, so the  */
/* client binds them at run time; built with -DROUTER_NO_TRAPS this DLL     */
/* lacks them too, for the tests of that path (the control exports stay).   */
/*                                                                          */
/* As the real service does (MS-RRASM 3.1.4.34: Mprapi.dll sends the event  */
/* handle's value and the caller's process id; the service duplicates the   */
/* handle into itself), a registration keeps a duplicate of the client's    */
/* event and signals that: it outlives the client's handle, and there is no */
/* call that withdraws it (a NULL event cannot be duplicated: 6). The       */
/* client's own handle value is kept too, so that tests can ask whether the */
/* client still has it open. Everything here is guarded by g_lock.          */
/* ------------------------------------------------------------------------ */

typedef struct {
    HANDLE client; /* the handle value the client registered */
    HANDLE event;  /* our duplicate: the one we signal */
} TRAP_REG;

static TRAP_REG *g_traps;
static DWORD g_ntraps, g_traps_cap;
static BYTE *g_trap_data; /* what GetTrapInfo serves: the last injected trap */
static DWORD g_trap_size;
static BOOL g_trap_injected;

static struct {
    LONGLONG registrations, bad_event, signals, signals_unheard, signal_failed, served;
} g_trap_count;

typedef BOOL(WINAPI *COMPARE_OBJECT_HANDLES)(HANDLE, HANDLE);

/* Whether the client's handle still names the event it registered. Handle
 * values are reused at once after a close, so only CompareObjectHandles
 * (Windows 10 and later, Wine) can tell; without it, whether the value is
 * open at all. */
static BOOL trap_client_open(const TRAP_REG *t)
{
    static COMPARE_OBJECT_HANDLES compare;
    static BOOL looked_up;
    DWORD flags;

    if (!looked_up) {
        HMODULE kernelbase = GetModuleHandleW(L"kernelbase.dll");
        FARPROC p = kernelbase ? GetProcAddress(kernelbase, "CompareObjectHandles") : NULL;
        memcpy(&compare, &p, sizeof p);
        looked_up = TRUE;
    }
    if (compare)
        return compare(t->client, t->event);
    return GetHandleInformation(t->client, &flags);
}

/* Lock held (or DllMain). The duplicates are ours: closed here. */
static void traps_reset(void)
{
    DWORD i;
    for (i = 0; i < g_ntraps; i++)
        CloseHandle(g_traps[i].event);
    free(g_traps);
    g_traps = NULL;
    g_ntraps = g_traps_cap = 0;
    free(g_trap_data);
    g_trap_data = NULL;
    g_trap_size = 0;
    g_trap_injected = FALSE;
    memset(&g_trap_count, 0, sizeof g_trap_count);
}

/* Lock held. Sets *v and returns 1 for a trap counter's name. */
static int traps_counter(const char *name, long long *v)
{
    static const struct {
        const char *name;
        LONGLONG *value;
    } named[] = {
        {"trap_registrations", &g_trap_count.registrations},
        {"trap_bad_event", &g_trap_count.bad_event},
        {"trap_signals", &g_trap_count.signals},
        {"trap_signals_unheard", &g_trap_count.signals_unheard},
        {"trap_signal_failed", &g_trap_count.signal_failed},
        {"trap_info_served", &g_trap_count.served},
    };
    DWORD i, open = 0;

    if (!strcmp(name, "trap_events")) {
        *v = g_ntraps;
        return 1;
    }
    if (!strcmp(name, "trap_events_open")) {
        for (i = 0; i < g_ntraps; i++)
            open += trap_client_open(&g_traps[i]) ? 1 : 0;
        *v = open;
        return 1;
    }
    for (i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (!strcmp(name, named[i].name)) {
            *v = *named[i].value;
            return 1;
        }
    }
    return 0;
}

#ifndef ROUTER_NO_TRAPS

/* A fresh MIB buffer holding a copy of size bytes, handed to the caller. */
static DWORD trap_reply(const void *data, DWORD size, LPVOID *out, LPDWORD out_size)
{
    REPLY r;
    memset(&r, 0, sizeof r);
    r.buf = HeapAlloc(GetProcessHeap(), 0, size ? size : 1);
    if (!r.buf)
        return E_NOT_ENOUGH_MEMORY;
    if (size)
        memcpy(r.buf, data, size);
    r.size = size;
    return reply_deliver(&r, out, out_size);
}

/* router_fail_calls_with_buffer: a live buffer comes back with the error. Lock held. */
static void trap_fail_buffer(LPVOID *out, LPDWORD out_size)
{
    static const BYTE junk[16];
    if (g_fail_calls && g_fail_with_buffer)
        trap_reply(junk, sizeof junk, out, out_size);
}

/* Errors come in this order: NULL out pointers or input, 87 (Mprapi.dll
 * checks these before it calls the service); the injected failure code; a
 * protocol id other than PID_IP, 902; a routing pid other than
 * IPRTRMGR_PID, 1003; an event that cannot be duplicated, the error
 * DuplicateHandle gives (6 for NULL or a closed handle). The reply is a
 * copy of the input. */
EXPORT DWORD WINAPI MprAdminMIBSetTrapInfo(DWORD dwProtocolId, DWORD dwRoutingPid, HANDLE hEvent,
                                           LPVOID lpInData, DWORD dwInDataSize,
                                           LPVOID *lplpOutData, LPDWORD lpOutDataSize)
{
    HANDLE dup = NULL;
    DWORD rc;

    if (!lplpOutData || !lpOutDataSize)
        return E_INVALID_PARAMETER;
    *lplpOutData = NULL;
    *lpOutDataSize = 0;
    if (!lpInData)
        return E_INVALID_PARAMETER;
    EnterCriticalSection(&g_lock);
    record_input(lpInData, dwInDataSize);
    rc = g_fail_calls;
    trap_fail_buffer(lplpOutData, lpOutDataSize);
    if (!rc && dwProtocolId != PID_IP)
        rc = E_UNKNOWN_PROTOCOL_ID;
    if (!rc && dwRoutingPid != IPRTRMGR_PID)
        rc = E_CAN_NOT_COMPLETE;
    if (!rc && !DuplicateHandle(GetCurrentProcess(), hEvent, GetCurrentProcess(), &dup, 0, FALSE,
                                DUPLICATE_SAME_ACCESS)) {
        rc = GetLastError();
        if (!rc)
            rc = E_INVALID_HANDLE;
        dup = NULL;
        g_trap_count.bad_event++;
    }
    if (!rc && g_ntraps == g_traps_cap) {
        DWORD cap = g_traps_cap ? g_traps_cap * 2 : 16;
        TRAP_REG *grown = realloc(g_traps, cap * sizeof *grown);
        if (grown) {
            g_traps = grown;
            g_traps_cap = cap;
        } else {
            rc = E_NOT_ENOUGH_MEMORY;
        }
    }
    if (!rc)
        rc = trap_reply(lpInData, dwInDataSize, lplpOutData, lpOutDataSize);
    if (!rc) {
        g_traps[g_ntraps].client = hEvent;
        g_traps[g_ntraps].event = dup;
        g_ntraps++;
        g_trap_count.registrations++;
    } else if (dup) {
        CloseHandle(dup);
    }
    LeaveCriticalSection(&g_lock);
    return rc;
}

/* Errors: NULL out pointers or input, 87 (before the handle is looked at, as
 * in Mprapi.dll); a handle that is not live, 6 (bad_handle); then as the other
 * MIB calls (injected code, lazy error, 902, 1003); no trap injected since the
 * reset, 232. The reply is the last injected trap's bytes, in a fresh buffer. */
EXPORT DWORD WINAPI MprAdminMIBGetTrapInfo(MIB_SERVER_HANDLE hMibServer, DWORD dwProtocolId,
                                           DWORD dwRoutingPid, LPVOID lpInData,
                                           DWORD dwInDataSize, LPVOID *lplpOutData,
                                           LPDWORD lpOutDataSize)
{
    CALL c;
    DWORD rc;

    if (!lplpOutData || !lpOutDataSize)
        return E_INVALID_PARAMETER;
    *lplpOutData = NULL;
    *lpOutDataSize = 0;
    if (!lpInData)
        return E_INVALID_PARAMETER;
    rc = call_enter(hMibServer, lpInData, dwInDataSize, &c);
    if (rc)
        return rc;
    call_wait(&c);
    EnterCriticalSection(&g_lock);
    rc = common_errors(&c, dwProtocolId, dwRoutingPid, FALSE);
    trap_fail_buffer(lplpOutData, lpOutDataSize);
    if (!rc && !g_trap_injected)
        rc = E_NO_DATA;
    if (!rc)
        rc = trap_reply(g_trap_data, g_trap_size, lplpOutData, lpOutDataSize);
    if (!rc)
        g_trap_count.served++;
    LeaveCriticalSection(&g_lock);
    call_leave(&c);
    return rc;
}

#endif /* ROUTER_NO_TRAPS */

/* A trap: the next GetTrapInfo serves these bytes, and every registered event
 * is signaled. A signal to an event whose client handle is closed counts
 * trap_signals_unheard (harmless, as with the real router: our duplicate keeps
 * the event alive); a SetEvent that fails (a registered handle that is not an
 * event) counts trap_signal_failed. Returns how many events were signaled. */
EXPORT int __cdecl router_inject_trap(const void *data, DWORD size)
{
    BYTE *copy = NULL;
    DWORD i;
    int signaled = 0;

    if (!data)
        size = 0;
    if (size && !(copy = malloc(size)))
        return -1;
    if (size)
        memcpy(copy, data, size);
    EnterCriticalSection(&g_lock);
    free(g_trap_data);
    g_trap_data = copy;
    g_trap_size = size;
    g_trap_injected = TRUE;
    for (i = 0; i < g_ntraps; i++) {
        if (!trap_client_open(&g_traps[i]))
            g_trap_count.signals_unheard++;
        if (SetEvent(g_traps[i].event)) {
            g_trap_count.signals++;
            signaled++;
        } else {
            g_trap_count.signal_failed++;
        }
    }
    LeaveCriticalSection(&g_lock);
    return signaled;
}

/* The handle value the client gave the index-th registration since the reset, or NULL. */
EXPORT void *__cdecl router_trap_event(DWORD index)
{
    void *client = NULL;
    EnterCriticalSection(&g_lock);
    if (index < g_ntraps)
        client = g_traps[index].client;
    LeaveCriticalSection(&g_lock);
    return client;
}

/* The admin half: MprAdminServerConnect, connections, ports (admin.c). */
#include "admin.c"

/* ------------------------------------------------------------------------ */
/* Control exports for tests (plain C, called through ctypes).              */
/* ------------------------------------------------------------------------ */

/* Lock held (or DllMain). */
static void reset_state(void)
{
    memset(&g_count, 0, sizeof g_count);
    /* Forgotten handles and buffers are leaked, not freed: a client may
     * still hold them, and must be able to pass them back without a crash. */
    set_forget(&g_handles);
    set_forget(&g_buffers);
    g_generation++;
    g_fail_connect = 0;
    g_fail_calls = 0;
    g_fail_with_buffer = FALSE;
    g_out_untouched_on_error = FALSE;
    g_delay_ms = 0;
    g_service_running = TRUE;
    g_mode = MODE_FIXED;
    g_malformed = 0;
    g_legacy_route_writes = LEGACY_ROUTE_WRITES_DEFAULT;
    g_unlisted_writes = FALSE;
    g_sdk_forms = FALSE;
    g_mcast_enabled = TRUE;
    free(g_last_server);
    g_last_server = NULL;
    free(g_last_input);
    g_last_input = NULL;
    g_last_input_size = 0;
    traps_reset();
    server_rules_reset();
    release_hangs();
    load_fixed_mib();
    admin_reset();
}

EXPORT void __cdecl router_reset(void)
{
    EnterCriticalSection(&g_lock);
    reset_state();
    LeaveCriticalSection(&g_lock);
}

EXPORT long long __cdecl router_counter(const char *name)
{
    static const struct {
        const char *name;
        LONGLONG *value;
    } named[] = {
        {"connects", &g_count.connects},
        {"disconnects", &g_count.disconnects},
        {"bad_handle", &g_count.bad_handle},
        {"disconnect_in_use", &g_count.disconnect_in_use},
        {"calls", &g_count.calls},
        {"max_in_flight", &g_count.max_in_flight},
        {"in_flight", &g_count.in_flight},
        {"buffers_allocated", &g_count.buffers_allocated},
        {"double_free", &g_count.double_free},
        {"wrong_free", &g_count.wrong_free},
        {"error_strings", &g_count.error_strings},
        {"hung", &g_count.hung},
        {"hangs", &g_count.hangs},
        {"admin_connects", &g_count.admin_connects},
        {"admin_disconnects", &g_count.admin_disconnects},
        {"admin_calls", &g_count.admin_calls},
        {"admin_bad_handle", &g_count.admin_bad_handle},
    };
    long long v = -1;
    size_t i;

    if (!name)
        return -1;
    EnterCriticalSection(&g_lock);
    /* g_handles holds both kinds: live_handles counts the MIB ones. */
    if (!strcmp(name, "live_handles"))
        v = (long long)g_handles.count - (long long)g_live_admin_handles;
    else if (!strcmp(name, "live_admin_handles"))
        v = (long long)g_live_admin_handles;
    else if (!strcmp(name, "live_buffers"))
        v = (long long)g_buffers.count;
    for (i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strcmp(name, named[i].name))
            v = *named[i].value;
    traps_counter(name, &v);
    LeaveCriticalSection(&g_lock);
    return v;
}

EXPORT void __cdecl router_fail_connect(DWORD code)
{
    EnterCriticalSection(&g_lock);
    g_fail_connect = code;
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_fail_calls(DWORD code)
{
    EnterCriticalSection(&g_lock);
    g_fail_calls = code;
    g_fail_with_buffer = FALSE;
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_set_out_untouched_on_error(int untouched)
{
    EnterCriticalSection(&g_lock);
    g_out_untouched_on_error = untouched != 0;
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_fail_calls_with_buffer(DWORD code)
{
    EnterCriticalSection(&g_lock);
    g_fail_calls = code;
    g_fail_with_buffer = code != 0;
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_set_delay_ms(DWORD ms)
{
    EnterCriticalSection(&g_lock);
    g_delay_ms = ms;
    LeaveCriticalSection(&g_lock);
}

/* A rule for every MIB call on a handle whose Connect got a name pattern
 * matches (that name; with a trailing '*', every name that begins with what
 * precedes it; L"" is the local router). Such a call first waits, if hang,
 * for router_release_hangs or router_reset; then sleeps delay_ms on top of
 * router_set_delay_ms; then, if fail_code is not 0, fails with it. The last
 * rule set that matches wins; setting a pattern again replaces its rule and
 * makes it the last. Returns 0, or -1 (and changes nothing) if pattern is
 * NULL, if it is new and SERVER_RULES_MAX rules are already set, or if
 * memory ran out. */
EXPORT int __cdecl router_set_server(const WCHAR *pattern, DWORD delay_ms, DWORD fail_code,
                                     int hang)
{
    SERVER_RULE rule;
    DWORD i;
    int rc = 0;

    if (!pattern)
        return -1;
    rule.pattern = wstr_copy(pattern);
    if (!rule.pattern)
        return -1;
    rule.delay_ms = delay_ms;
    rule.fail_code = fail_code;
    rule.hang = hang != 0;
    EnterCriticalSection(&g_lock);
    for (i = 0; i < g_nrules; i++)
        if (!wcscmp(g_rules[i].pattern, pattern))
            break;
    if (i < g_nrules) {
        free(g_rules[i].pattern);
        memmove(&g_rules[i], &g_rules[i + 1], (g_nrules - i - 1) * sizeof *g_rules);
        g_nrules--;
    }
    if (g_nrules < SERVER_RULES_MAX)
        g_rules[g_nrules++] = rule;
    else
        rc = -1;
    LeaveCriticalSection(&g_lock);
    if (rc)
        free(rule.pattern);
    return rc;
}

/* Wakes every call hung by router_set_server; they go on as their rule says
 * (the delay, then the fail code or the normal reply). */
EXPORT void __cdecl router_release_hangs(void)
{
    EnterCriticalSection(&g_lock);
    release_hangs();
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_set_service_running(int running)
{
    EnterCriticalSection(&g_lock);
    g_service_running = running != 0;
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_set_mode(int mode)
{
    EnterCriticalSection(&g_lock);
    if (mode == MODE_FIXED || mode == MODE_LOOPBACK)
        g_mode = mode;
    LeaveCriticalSection(&g_lock);
}

/* Non-zero: route writes also take the older IP_FORWARDROW form (see
 * route_change_work); 0: only MS-RRASM's ROUTE_MATCHING form. */
EXPORT void __cdecl router_set_legacy_route_writes(int on)
{
    EnterCriticalSection(&g_lock);
    g_legacy_route_writes = on != 0;
    LeaveCriticalSection(&g_lock);
}

/* Non-zero: also take the writes MS-RRASM 3.1.4.27..29 do not list, in the
 * SDK's form (IP_NETROW Create/Set, PROXY_ARP Create/Delete); 0 (the
 * default): 87 to them. */
EXPORT void __cdecl router_set_unlisted_writes(int on)
{
    EnterCriticalSection(&g_lock);
    g_unlisted_writes = on != 0;
    LeaveCriticalSection(&g_lock);
}

/* Non-zero: the SDK's reply forms (BEST_ROUTE a 56-byte MIB_IPFORWARDROW,
 * PROXY_ARP's tables, MCAST_SCOPE 524 bytes, the MFEs' 16 and 28-byte
 * outgoing interfaces and MCAST_MFE_STATS_EX's 84-byte rows,
 * IP6/UDP6/TCP6_STATS served); 0 (the default): MS-RRASM's. The query rules
 * stay the same (but for PROXY_ARP's Get with no index, the SDK's table). */
EXPORT void __cdecl router_set_sdk_forms(int on)
{
    EnterCriticalSection(&g_lock);
    g_sdk_forms = on != 0;
    LeaveCriticalSection(&g_lock);
}

/* Whether multicast forwarding is on: MCAST_GLOBAL's dwEnable 1 (non-zero,
 * the default) or 2 (0). */
EXPORT void __cdecl router_set_mcast_enabled(int on)
{
    EnterCriticalSection(&g_lock);
    g_mcast_enabled = on != 0;
    LeaveCriticalSection(&g_lock);
}

EXPORT void __cdecl router_set_malformed(int kind)
{
    EnterCriticalSection(&g_lock);
    g_malformed = kind >= 0 && kind <= 9 ? kind : 0;
    LeaveCriticalSection(&g_lock);
}

EXPORT int __cdecl router_last_server(WCHAR *out, int cap)
{
    int len;
    EnterCriticalSection(&g_lock);
    if (!g_last_server) {
        len = -1;
        if (out && cap > 0)
            out[0] = 0;
    } else {
        len = (int)wcslen(g_last_server);
        if (out && cap > 0) {
            int n = len < cap - 1 ? len : cap - 1;
            memcpy(out, g_last_server, (size_t)n * sizeof(WCHAR));
            out[n] = 0;
        }
    }
    LeaveCriticalSection(&g_lock);
    return len;
}

EXPORT DWORD __cdecl router_last_input(void *out, DWORD cap)
{
    DWORD size;
    EnterCriticalSection(&g_lock);
    size = g_last_input_size;
    if (out && size)
        memcpy(out, g_last_input, size < cap ? size : cap);
    LeaveCriticalSection(&g_lock);
    return size;
}

EXPORT void __cdecl router_set_bench_routes(DWORD n)
{
    DWORD i;
    EnterCriticalSection(&g_lock);
    g_nroutes = 0;
    if (routes_reserve(n)) {
        /* Host-order dest counting up from 10.0.0.1 is sorted by index as
         * built, so no sort is needed even for hundreds of thousands. */
        for (i = 0; i < n; i++)
            set_route(&g_routes[i], bswap32(0x0A000001u + i),
                      IPV4(255, 255, 255, 255), IPV4(192, 168, 1, 1), 3, 4, 3, 0, 0, i,
                      METRIC_UNUSED, METRIC_UNUSED, METRIC_UNUSED, METRIC_UNUSED);
        g_nroutes = n;
        for (i = 0; i < n; i++)
            route_pv_default(i);
    }
    LeaveCriticalSection(&g_lock);
}

/* Nothing in the real API this stand-in serves returns an "admin" buffer
 * (those come from MprAdminInterfaceEnum and friends), so tests get one here
 * to exercise MprAdminBufferFree and freeing through the wrong function. */
EXPORT void *__cdecl router_alloc_admin_buffer(DWORD size)
{
    void *p = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, size ? size : 1);
    if (p && register_buffer(p, KIND_ADMIN)) {
        HeapFree(GetProcessHeap(), 0, p);
        p = NULL;
    }
    return p;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) {
        DisableThreadLibraryCalls(instance);
        InitializeCriticalSection(&g_lock);
        InitializeConditionVariable(&g_hang_cv);
        reset_state();
        if (!g_routes || !g_admin_ports)
            return FALSE;
    }
    return TRUE;
}
