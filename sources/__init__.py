"""Source plugins: the contract (:mod:`sources.contract`), the raw tables (:mod:`sources.tables`),
the registry (:mod:`sources.registry`), the shared fetcher (:mod:`sources.http`) and one package per
built-in plugin."""
