"""Every message in and out: an inbound text's path, the message log, delivery
reports, staff replies and the inbox staff read."""
