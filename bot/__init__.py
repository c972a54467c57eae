"""The family text line's core: data, language, conversations.

Knows nothing of Flask, and of Rasa only its HTTP API; the exception, rasa_channel.py, runs inside
the Rasa server and is imported by nothing here."""
