"""Numbers in the console's and the API's query strings: a wrong one is a 400 that says which."""

from __future__ import annotations

from flask import abort, request

from bot.text.whole_numbers import ID_MAX, whole_number


def number_arg(name: str, low: int = 1, high: int = ID_MAX) -> int | None:
    """?name= as a whole number from `low` to `high`; None when absent or empty."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    value = whole_number(raw, low, high)
    if value is None:
        abort(400, description=f"'{name}' must be a whole number from {low} to {high}.")
    return value
