"""The seam to the Rasa server (ask, status, endpoints) and the pipeline steps and channel
that run inside it."""
