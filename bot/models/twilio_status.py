"""What Twilio says of a text the line sent: the words of its API's answers and of its status
callbacks. `Message.delivery_status` holds them, and `Delivery.status` once Twilio has the text
(before that, the delivery's own words: Delivery.STATUS_*)."""

from __future__ import annotations


class TwilioStatus:
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELED = "canceled"  # Twilio's spelling; the line's own word is "cancelled"
    READ = "read"  # WhatsApp and RCS only, after "delivered"

    # By how far along the text is. Reports can arrive out of order (Twilio sends them
    # concurrently), so a status never replaces one further along; the final ones share a rank so
    # a late "failed" cannot overwrite "delivered" or the other way round.
    PROGRESS = {
        ACCEPTED: 0,
        SCHEDULED: 0,
        QUEUED: 1,
        SENDING: 2,
        SENT: 3,
        DELIVERED: 4,
        UNDELIVERED: 4,
        FAILED: 4,
        CANCELED: 4,
        READ: 5,
    }
    FINAL = frozenset({DELIVERED, UNDELIVERED, FAILED, CANCELED, READ})
