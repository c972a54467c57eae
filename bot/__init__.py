"""The family text line's core: data, language, conversations.

Knows nothing of Flask, and of Rasa only its HTTP API."""
