"""The benchmark: run.py, seed.py. Not part of the `chamado` package (never shipped)."""
