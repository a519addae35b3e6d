"""Benchmarks: a seeded generator of synthetic data and the harness that measures P1…P6.

Scripts, never timed tests: ``.venv/bin/python -m benchmarks`` runs them all (see README.md here).
"""
