"""Dagster code location, CLI and the warehouse's I/O edge (``orchestration.lib``)."""
