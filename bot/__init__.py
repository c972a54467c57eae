"""The family text line's core: data, language, conversations. Knows nothing of Flask or Rasa's internals."""
