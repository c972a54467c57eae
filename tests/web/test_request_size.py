"""No public endpoint reads a body past the app's limit: the check is on Content-Length, before a
byte is read, so a huge post with a junk signature costs nothing (issue 15, point 5)."""

from __future__ import annotations

import io

import pytest

from tests.conftest import WEBHOOK_URL
from webhooks import MAX_BODY_BYTES


class CountingStream(io.RawIOBase):
    """A body of `size` bytes, made as it is read, that says how much of it was read."""

    def __init__(self, size: int):
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self):
        return True

    def seekable(self):
        return True  # the test client measures the body by seeking to its end and back

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = self.size + offset if whence == io.SEEK_END else offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        n = min(len(buffer), self.size - self.position)
        buffer[:n] = b"a" * n
        self.position += n
        self.read_bytes += n
        return n


# The chat answers a body past its own smaller limit with its bilingual 400 (test_chat.py).
@pytest.mark.parametrize(
    "path, status", [(WEBHOOK_URL, 413), ("/twilio/status", 413), ("/chat/messages", 400)]
)
def test_a_body_past_the_limit_is_refused_unread(client, sessions, path, status):
    from bot.models import Message

    size = 200 * 1024 * 1024
    body = CountingStream(size)
    response = client.post(
        path,
        input_stream=body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": "junk"},
    )
    assert response.status_code == status
    assert body.read_bytes <= 64 * 1024
    with sessions() as db:
        assert db.query(Message).count() == 0


def test_a_body_just_under_the_limit_is_still_read(client):
    # A real webhook is a few kilobytes; this one is near the limit and gets past the size check
    # to the signature check.
    form = {"Body": "x" * (MAX_BODY_BYTES - 1024), "From": "+13235550100"}
    response = client.post(WEBHOOK_URL, data=form, headers={"X-Twilio-Signature": "junk"})
    assert response.status_code == 403
