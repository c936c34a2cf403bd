"""MibServer.walk's logic, on every OS: a scripted router stands in for the calls."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest

import mprapi_cffi as mpr
from mib_bytes import if_row_bytes, info


def if_row_reply(index: int) -> bytes:
    return info(mpr.IF_ROW, if_row_bytes(index=index))


class ScriptedServer(mpr.MibServer):
    """Answers GetFirst/GetNext from a script instead of a router; never connects."""

    def __init__(self, replies: list[bytes | int]) -> None:  # no super(): nothing to bind
        self.script: Iterator[bytes | int] = iter(replies)
        self.queries: list[bytes] = []

    def _answer(self, query: bytes) -> bytes:
        self.queries.append(bytes(query))
        answer = next(self.script)
        if isinstance(answer, int):
            raise mpr.MprError(answer, "scripted", "MprAdminMIBEntryGetNext")
        return answer

    def get_first(self, pid: int, routing_pid: int, query: object) -> bytes:
        assert (pid, routing_pid) == (mpr.PID_IP, mpr.IPRTRMGR_PID)
        return self._answer(query)  # type: ignore[arg-type]

    def get_next(self, pid: int, routing_pid: int, query: object) -> bytes:
        return self._answer(query)  # type: ignore[arg-type]



def test_walk_asks_for_the_row_after_the_one_it_just_read() -> None:
    server = ScriptedServer([if_row_reply(1), if_row_reply(5), mpr.ERROR_NO_MORE_ITEMS])
    assert [row.index for row in server.walk(mpr.IF_ROW)] == [1, 5]
    # MS-RRASM 2.2.1.2.53: IF_ROW's index is one DWORD for every call, GetFirst's too (zero: not looked at).
    assert server.queries == [struct.pack("<II", mpr.IF_ROW, 0), struct.pack("<II", mpr.IF_ROW, 1),
                              struct.pack("<II", mpr.IF_ROW, 5)]


@pytest.mark.parametrize("code", [mpr.ERROR_NO_DATA, mpr.ERROR_NO_MORE_ITEMS])
def test_walk_of_an_empty_table_ends_without_error(code: int) -> None:
    assert list(ScriptedServer([code]).walk(mpr.IF_ROW)) == []


def test_walk_stops_with_value_error_when_the_router_repeats_a_row() -> None:
    server = ScriptedServer([if_row_reply(1), if_row_reply(2), if_row_reply(1), if_row_reply(2)])
    walk = server.walk(mpr.IF_ROW)
    assert [next(walk).index, next(walk).index] == [1, 2]
    with pytest.raises(ValueError, match="does not advance"):
        next(walk)


def test_walk_passes_other_router_errors_on() -> None:
    with pytest.raises(mpr.MprError) as info:
        list(ScriptedServer([if_row_reply(1), 1722]).walk(mpr.IF_ROW))
    assert info.value.winerror == 1722


@pytest.mark.parametrize("var_id", [mpr.IF_TABLE, mpr.IP_STATS, mpr.ROUTE_STATE, -1, "IF_ROW"])
def test_walk_of_a_variable_without_rows_is_refused_before_any_call(var_id: object) -> None:
    server = ScriptedServer([])
    with pytest.raises(ValueError):
        list(server.walk(var_id))  # type: ignore[call-overload]
    assert server.queries == []


def test_walk_by_structure_type_is_the_walk_by_its_row_id() -> None:
    by_type = ScriptedServer([if_row_reply(1), if_row_reply(5), mpr.ERROR_NO_MORE_ITEMS])
    by_id = ScriptedServer([if_row_reply(1), if_row_reply(5), mpr.ERROR_NO_MORE_ITEMS])
    assert list(by_type.walk(mpr.IfRow)) == list(by_id.walk(mpr.IF_ROW))
    assert by_type.queries == by_id.queries


@pytest.mark.parametrize("what", [mpr.IpStats, mpr.RouteState, mpr.MibStruct, int, mpr.IfType])
def test_walk_of_a_structure_without_a_walk_is_refused_at_the_call(what: object) -> None:
    server = ScriptedServer([])
    with pytest.raises(ValueError):
        server.walk(what)  # type: ignore[call-overload]  (refused before iteration starts)
    assert server.queries == []
