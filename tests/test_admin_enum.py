"""AdminServer's enumerations: the resume-handle loop, the level fallback, and their guards.

Natively, the loop against scripted pages (what no stand-in setting gives: a
repeated resume handle, a count past MAX_ENUM_ENTRIES); in the Windows lane,
10,000 connections through the stand-in's page limit and preferred lengths,
and servers that take only lower levels.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import mprapi_cffi as mpr
from mprapi_cffi import _admin_calls, _handle, admin as admin_module
from mprapi_cffi._admin_calls import Page
from mprapi_cffi.ras import Connection0, Connection1, Connection2, Connection3, Connection4, Port0, Port1, Tunnel

from conftest import windows_lane
from test_admin import CONNECTIONS, AdminControls, admin, expected_connection  # noqa: F401  (the fixture)

# -- natively: the loop against scripted pages ------------------------------------------

PORT1 = Port1.layout.size


def port1(handle: int) -> bytes:
    """A RAS_PORT_1 whose hPort is `handle` (the rest zero)."""
    return struct.pack("P", handle) + bytes(PORT1 - struct.calcsize("P"))


class Scripted:
    """An AdminServer whose C calls are replaced by a script: no Windows needed.

    ``pages`` are what each call returns, in order; ``resumes`` records the
    resume handle each call was given, ``handles`` what the fake connect made.
    """

    def __init__(self, pages: list[Page | Exception | Callable[[], Page]]) -> None:
        self.pages = iter(pages)
        self.resumes: list[int] = []
        self.allowances: list[int] = []
        self.connects = 0
        self.releases = 0
        server = object.__new__(mpr.AdminServer)
        server._server = "scripted"  # type: ignore[attr-defined]
        server._connection_level = None  # type: ignore[attr-defined]
        server._info_level = None  # type: ignore[attr-defined]
        server._owned = _handle.LazyOwnedHandle(self._connect, self._release, "AdminServer")  # type: ignore[misc]
        self.server = server

    def _connect(self) -> object:
        self.connects += 1
        return object()

    def _release(self, handle: object) -> None:
        self.releases += 1

    def page(self, handle: Any, resume: int, most: int) -> Page:
        self.resumes.append(resume)
        self.allowances.append(most)
        result = next(self.pages)
        if callable(result):
            result = result()
        if isinstance(result, Exception):
            raise result
        return result

    def run(self) -> list[Any]:
        return self.server._enumerate(self.page)


def page(handles: list[int], resume: int, more: bool) -> Page:
    return Page(Port1.decode_array(b"".join(port1(h) for h in handles), len(handles)), resume, more)


def test_the_loop_follows_the_resume_handles_to_the_end() -> None:
    script = Scripted([page([1, 2], 0x100, True), page([3], 0x200, True), page([4, 5], 0, False)])
    rows = script.run()
    assert [row.handle for row in rows] == [1, 2, 3, 4, 5]
    assert script.resumes == [0, 0x100, 0x200]  # exactly the values the server returned
    assert script.connects == 1


def test_an_empty_enumeration_is_one_call() -> None:
    script = Scripted([page([], 0, False)])
    assert script.run() == [] and script.resumes == [0]


def test_more_data_with_no_entries_is_refused() -> None:
    script = Scripted([page([1], 0x100, True), page([], 0x200, True)])
    with pytest.raises(ValueError, match=r"more data \(234\) and no entries"):
        script.run()


@pytest.mark.parametrize("repeat", [0x100, 0x200])
def test_a_resume_handle_given_twice_is_refused(repeat: int) -> None:
    script = Scripted([page([1], 0x100, True), page([2], 0x200, True), page([3], repeat, True),
                       page([4], 0x300, False)])
    with pytest.raises(ValueError, match=f"resume handle {repeat:#x} twice"):
        script.run()
    assert len(script.resumes) == 3


def test_more_data_with_resume_handle_0_is_refused_as_a_restart() -> None:
    script = Scripted([page([1], 0, True), page([1], 0, False)])
    with pytest.raises(ValueError, match="resume handle 0"):
        script.run()
    assert script.resumes == [0]


def test_each_page_is_allowed_what_is_left_of_max_enum_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_module, "MAX_ENUM_ENTRIES", 5)
    script = Scripted([page([1, 2], 0x100, True), page([3, 4], 0x200, True), page([5], 0, False)])
    assert [row.handle for row in script.run()] == [1, 2, 3, 4, 5]
    assert script.allowances == [5, 3, 1]


def test_an_error_mid_enumeration_is_raised_and_the_handle_counted_out() -> None:
    script = Scripted([page([1], 0x100, True), mpr.MprError(1722, "gone", "MprAdminPortEnum")])
    with pytest.raises(mpr.MprError):
        script.run()
    assert not script.server._owned.in_flight
    script.server.close()
    assert script.releases == 1


def test_a_close_between_pages_stops_the_enumeration_at_the_next_call() -> None:
    script = Scripted([])

    def closing_page() -> Page:
        script.server.close()  # another thread closes while this page's call is in flight
        return page([1], 0x100, True)

    script.pages = iter([closing_page, page([2], 0, False)])
    with pytest.raises(ValueError, match="closed AdminServer"):
        script.run()
    assert script.resumes == [0] and script.releases == 1  # released when the call in flight returned


@pytest.mark.parametrize(("refused", "code"), [([4, 3], 50), ([4], 124), ([4, 3, 2, 1], 50)])
def test_the_fallback_steps_down_on_50_and_124_and_remembers(refused: list[int], code: int) -> None:
    script = Scripted([])
    levels: list[int] = []

    def read(level: int) -> str:
        levels.append(level)
        if level in refused:
            raise mpr.MprError(code, "no", "MprAdminConnectionEnum")
        return f"level {level}"

    assert script.server._richest(None, read) == (f"level {refused[-1] - 1}", refused[-1] - 1)
    assert levels == [*refused, refused[-1] - 1]


def test_the_fallback_raises_other_errors_and_level_0s_refusal() -> None:
    script = Scripted([])
    def deny(level: int) -> None:
        raise mpr.MprError(5, "denied")

    with pytest.raises(mpr.MprError) as info:
        script.server._richest(None, deny)
    assert info.value.winerror == 5
    tried: list[int] = []

    def refuse(level: int) -> None:
        tried.append(level)
        raise mpr.MprError(50, "no")

    with pytest.raises(mpr.MprError):
        script.server._richest(None, refuse)
    assert tried == [4, 3, 2, 1, 0]


# -- in the Windows lane: the stand-in's pages ---------------------------------------------

@pytest.fixture
def many(admin: AdminControls) -> Iterator[AdminControls]:  # noqa: F811
    admin.connections(10_000)
    yield admin


def generated(i: int) -> dict[str, Any]:
    """What admin.c's generated connection i (0-based) holds."""
    order = [Tunnel.SSTP, Tunnel.IKEV2, Tunnel.L2TP, Tunnel.PPTP]
    return {"user_name": f"user{i + 1}", "handle": 0x80000000 | (i + 1) << 3, "tunnel": order[i % 4],
            "duration": 60 + i, "bytes_sent": (i + 1) * 1000003, "bytes_received": (i + 1) * 7777777}


@windows_lane
@pytest.mark.parametrize("page_limit", [0, 1000, 333, 7])
def test_10000_connections_arrive_whole_in_order_without_duplicates(many: AdminControls, page_limit: int) -> None:
    many.page_limit(page_limit)
    with mpr.AdminServer() as server:
        rows = server.connections()
    assert len(rows) == 10_000
    assert len({row.handle for row in rows}) == 10_000
    for i in (0, 1, 2, 3, 4999, 9998, 9999):
        row = rows[i]
        assert isinstance(row, Connection4)
        assert {k: getattr(row, k) for k in ("user_name", "handle", "duration", "bytes_sent", "bytes_received")} == {
            k: v for k, v in generated(i).items() if k != "tunnel"}
        assert row.tunnel is generated(i)["tunnel"]
    assert [row.user_name for row in rows] == [f"user{i + 1}" for i in range(10_000)]
    pages = 1 if page_limit == 0 else -(-10_000 // page_limit)
    assert many.counters("admin_calls", "buffers_allocated", "live_buffers") == {
        "admin_calls": pages, "buffers_allocated": pages, "live_buffers": 0}


@windows_lane
def test_a_preferred_length_pages_the_enumeration(many: AdminControls) -> None:
    size = Connection4.layout.size
    with mpr.AdminServer() as server:
        rows = server.connections(max_length=size * 250 + size - 1)  # 250 whole entries a call
    assert [row.user_name for row in rows] == [f"user{i + 1}" for i in range(10_000)]
    assert many.calls() == 40


@windows_lane
@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_every_level_pages_whole(many: AdminControls, level: int) -> None:
    many.page_limit(777)
    with mpr.AdminServer() as server:
        rows = server.connections(level)
    assert len(rows) == 10_000 and len({row.handle for row in rows}) == 10_000
    assert [row.handle for row in rows] == [generated(i)["handle"] for i in range(10_000)]


@windows_lane
def test_connections_ex_pages_whole(many: AdminControls) -> None:
    many.page_limit(999)
    with mpr.AdminServer() as server:
        rows = server.connections_ex()
    assert [row.user_name for row in rows] == [f"user{i + 1}" for i in range(10_000)]
    assert many.calls() == 11


@windows_lane
def test_10000_ports_and_the_port_of_each_connection(many: AdminControls) -> None:
    many.page_limit(512)
    with mpr.AdminServer() as server:
        ports = server.ports()
        # 2500 connections a tunnel type, more than its base count: one port each.
        assert len(ports) == 10_000 and len({p.handle for p in ports}) == 10_000
        assert sorted(p.handle for p in ports) == [p.handle for p in ports]
        by_connection = {p.connection_handle: p for p in ports}
        for i in (0, 1, 2, 3, 6000, 9999):
            handle = generated(i)["handle"]
            own = server.ports(connection=handle)
            assert own == [by_connection[handle]] and own[0].tunnel is generated(i)["tunnel"]
        info = server.server_info()
    assert (info.total_ports, info.ports_in_use) == (10_000, 10_000)
    assert many.router.counter("live_buffers") == 0


@windows_lane
def test_the_loop_sends_back_exactly_the_resume_handle_it_was_given(many: AdminControls,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    many.page_limit(4000)
    seen: list[tuple[int, int, bool]] = []
    real = _admin_calls.connection_enum

    def spy(handle: Any, level: int, max_length: int, resume: int, row_type: Any, most: int) -> Page:
        result = real(handle, level, max_length, resume, row_type, most)
        seen.append((resume, result.resume, result.more))
        return result

    monkeypatch.setattr(_admin_calls, "connection_enum", spy)
    with mpr.AdminServer() as server:
        assert len(server.connections(0)) == 10_000
    assert [entry[0] for entry in seen] == [0, seen[0][1], seen[1][1]]
    assert [entry[2] for entry in seen] == [True, True, False] and seen[-1][1] == 0


@windows_lane
@pytest.mark.parametrize(("max_level", "row_type"), [(3, Connection3), (2, Connection2), (1, Connection1),
                                                     (0, Connection0)])
def test_connections_fall_back_to_the_level_the_server_takes_and_remember_it(
        admin: AdminControls, max_level: int, row_type: type) -> None:  # noqa: F811
    admin.max_level(max_level)
    with mpr.AdminServer() as server:
        rows = server.connections()
        assert server.connection_level == max_level
        assert admin.calls() == 4 - max_level + 1  # each refused level, then the one taken
        assert [type(row) for row in rows] == [row_type] * 6
        assert [row._asdict() for row in rows] == [expected_connection(max_level, c) for c in CONNECTIONS]
        server.connections()
        assert admin.calls() == 4 - max_level + 2  # remembered: one call
        with pytest.raises(mpr.MprError) as info:
            server.connections(4)  # an explicit level is not stepped down
        assert info.value.winerror == 50


@windows_lane
def test_a_remembered_level_steps_down_again_if_the_server_then_refuses_it(admin: AdminControls) -> None:  # noqa: F811
    with mpr.AdminServer() as server:
        server.connections()
        assert server.connection_level == 4
        admin.max_level(1)
        assert [type(row) for row in server.connections()] == [Connection1] * 6
        assert server.connection_level == 1
        admin.max_level(4)
        assert [type(row) for row in server.connections()] == [Connection1] * 6  # stays where it settled


@windows_lane
def test_the_fallback_applies_to_the_first_page_then_pages_at_that_level(many: AdminControls) -> None:
    many.max_level(2)
    many.page_limit(2500)
    with mpr.AdminServer() as server:
        rows = server.connections()
    assert [type(row) for row in rows] == [Connection2] * 10_000
    assert many.calls() == 2 + 4  # 4 and 3 refused, then four pages of level 2


@windows_lane
def test_ports_at_level_0_per_connection_are_port0(admin: AdminControls) -> None:  # noqa: F811
    with mpr.AdminServer() as server:
        ports = server.ports(0, connection=CONNECTIONS[0]["handle"])
    assert [type(p) for p in ports] == [Port0]


@windows_lane
@pytest.mark.parametrize(("bound", "page_limit", "calls"), [(9_999, 0, 1), (9_999, 4000, 3), (4_000, 4000, 2)])
def test_an_enumeration_past_max_enum_entries_is_refused_before_the_page_is_decoded(
        many: AdminControls, monkeypatch: pytest.MonkeyPatch, bound: int, page_limit: int, calls: int) -> None:
    monkeypatch.setattr(admin_module, "MAX_ENUM_ENTRIES", bound)
    many.page_limit(page_limit)
    decoded: list[int] = []
    real = Connection4.decode_array
    monkeypatch.setattr(Connection4, "decode_array", classmethod(
        lambda cls, buffer, count: decoded.append(count) or real(buffer, count)))  # type: ignore[func-returns-value]
    before = many.router.counter("buffers_allocated")
    with mpr.AdminServer() as server, pytest.raises(ValueError, match="more than the enumeration takes"):
        server.connections(4)
    assert sum(decoded) <= bound  # the page past the bound was never decoded
    assert many.router.counter("buffers_allocated") - before == calls  # each page's buffer, freed (live_buffers 0)
    assert many.router.counter("live_buffers") == 0
