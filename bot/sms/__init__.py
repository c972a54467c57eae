"""Texts leaving the line outside a webhook's answer, through the console or Twilio."""
