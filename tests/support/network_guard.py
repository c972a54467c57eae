"""Fails any test that opens a connection to another machine: nothing real is ever called. This
machine's own addresses are allowed (a test checks what listens only on 127.0.0.1)."""

from __future__ import annotations

import ipaddress
import socket
import struct

SIOCGIFADDR = 0x8915  # Linux: an interface's IPv4 address

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NonLoopbackConnection(BaseException):
    """A BaseException, like KeyboardInterrupt: the code under test may catch Exception around a
    network call (a Twilio send, a Rasa request) and carry on, which would hide the call."""


def this_machines_addresses() -> set[str]:
    """This machine's IPv4 addresses other than loopback, from its network interfaces (Linux's
    SIOCGIFADDR; an empty set elsewhere)."""
    try:
        import fcntl
    except ImportError:
        return set()
    found = set()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _index, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, request)
            except OSError:  # no IPv4 address on this interface
                continue
            address = socket.inet_ntoa(answer[20:24])
            if not ipaddress.ip_address(address).is_loopback:
                found.add(address)
    return found


def _check(address) -> None:
    if isinstance(address, tuple) and address:
        host = address[0]
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            if host in ("localhost",):
                return
            raise NonLoopbackConnection(f"test tried to connect to {host!r}") from None
        if not ip.is_loopback and host not in this_machines_addresses():
            raise NonLoopbackConnection(f"test tried to connect to {host}")


def _guarded_connect(self, address):
    _check(address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _check(address)
    return _real_connect_ex(self, address)


def install() -> None:
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
