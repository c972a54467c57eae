"""The address a limit or a lock counts a client by.

Behind trusted proxies it is the one they forwarded (TRUSTED_PROXIES, webhooks/__init__.py). An
IPv6 client counts by its /64: one household or one attacker holds a whole /64 and can change
the rest of its address at will, so counting each full address would not count anything."""

from __future__ import annotations

import ipaddress

from flask import request


def client_address() -> str:
    raw = request.remote_addr or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
