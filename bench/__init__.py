"""Benchmarks that print their figures; tests never assert on time. Run each from the project's
folder as a module, e.g. `.venv/bin/python -m bench.broadcast`."""
