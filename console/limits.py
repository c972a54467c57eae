"""How much logged-in staff may send: more than the public limit (webhooks.MAX_BODY_BYTES), for
CSV imports and broadcast lists, and only once their login or API token has been checked."""

STAFF_MAX_BODY_BYTES = 3 * 1024 * 1024
