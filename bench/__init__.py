"""Benchmarks of eoffice: run with ``make bench`` (``python -m bench.run``).

They are measurements, not tests: every timing is reported as a ratio against a
baseline measured in the same run, and the figures are written into
docs/performance.md for people to read; nothing here fails on a slow result.
"""
