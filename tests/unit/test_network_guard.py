"""The network guard (tests/support/network_guard.py, installed for every test) stops a
connection to another machine even where the code under test catches every Exception."""

import socket

import pytest
import requests

from tests.support.network_guard import NonLoopbackConnection


def _call_that_swallows_errors(call):
    try:
        call()
    except Exception:  # what a send or a health check does with a failure
        return "carried on"
    return "connected"


def test_a_connection_elsewhere_is_not_swallowed_by_except_exception():
    # 192.0.2.1 is TEST-NET-1 (RFC 5737): never a real host, and never this machine.
    with pytest.raises(NonLoopbackConnection):
        _call_that_swallows_errors(lambda: socket.create_connection(("192.0.2.1", 80), 0.1))
    with pytest.raises(NonLoopbackConnection):
        _call_that_swallows_errors(lambda: requests.get("http://192.0.2.1/", timeout=0.1))


def test_this_machine_is_still_reachable():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        address = server.getsockname()
        assert _call_that_swallows_errors(lambda: socket.create_connection(address).close()) == (
            "connected"
        )
