"""The dbt models' own SQL, compiled once, run on small DuckDB databases built inside a test.

`dbt build` costs about a minute here, too slow for property tests that try hundreds of cases.
``dbt compile`` renders every model to plain SQL (macros and vars resolved) once per session;
:class:`CompiledProject` then creates the raw and enrich tables with the warehouse's real schemas
and materialises any models (and what they depend on) from that SQL in an in-memory DuckDB whose
catalog carries the name the compiled SQL refers to. The rule under test is the models' rule,
never a copy of it.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from orchestration.enrich import MENTION_SCHEMA, TONE_SCHEMA
from orchestration.lib.dbt_project import PROJECT_DIR, dbt_executable
from orchestration.lib.warehouse import Warehouse, ident
from sources.tables import RAW_TABLES

CATALOG = "warehouse"  # profiles.yml names the file warehouse.duckdb; compiled SQL says "warehouse"
ENRICH_SCHEMAS = {"article_mentions": MENTION_SCHEMA, "article_features": TONE_SCHEMA}


@dataclass(frozen=True)
class Model:
    name: str
    schema: str
    materialized: str  # table or view, as in dbt_project.yml
    sql: str
    depends_on: tuple[str, ...]


class CompiledProject:
    """Every model of the project as compiled SQL, runnable on a connection."""

    def __init__(self, models: dict[str, Model], seeds: dict[str, Path]):
        self.models = models
        self.seeds = seeds

    @classmethod
    def compile(cls, target: Path, variables: dict | None = None) -> CompiledProject:
        env = {**os.environ, "ALLIANCE_DATA_DIR": str(target), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
        cmd = [dbt_executable(), "compile", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
               "--target-path", str(target / "target"), "--log-path", str(target / "logs"), "--quiet"]
        if variables:
            cmd += ["--vars", json.dumps(variables)]
        proc = subprocess.run(cmd, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"dbt compile failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
        manifest = json.loads((target / "target" / "manifest.json").read_text())
        models, seeds = {}, {}
        for node in manifest["nodes"].values():
            if node["resource_type"] == "model":
                deps = tuple(d.split(".")[-1] for d in node["depends_on"]["nodes"] if d.startswith(("model.", "seed.")))
                models[node["name"]] = Model(node["name"], node["schema"], node["config"]["materialized"],
                                             node["compiled_code"], deps)
            elif node["resource_type"] == "seed":
                seeds[node["name"]] = PROJECT_DIR / node["original_file_path"]
        return cls(models, seeds)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory database named like the warehouse, with empty raw and enrich tables."""
        con = duckdb.connect()
        con.execute(f"attach ':memory:' as {CATALOG}")
        con.execute(f"use {CATALOG}")
        con.execute("create schema raw; create schema enrich")
        wh = Warehouse(Path("/nonexistent"))  # only its DDL is used: no file is touched
        for table in RAW_TABLES.values():
            wh.ensure_table(con, table.name, table.schema)
        con.execute("create table raw.quarantine (source varchar, payload_sha256 varchar, record json, "
                    "reason varchar, quarantined_at timestamptz)")
        for name, schema in ENRICH_SCHEMAS.items():
            insert(con, f"enrich.{name}", pl.DataFrame(schema=schema), create=True)
        for name, path in self.seeds.items():
            con.execute("create schema if not exists seeds")
            con.execute(f"create table seeds.{ident(name)} as select * from read_csv(?, all_varchar = true)",
                        [str(path)])
        return con

    def build(self, con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> None:
        """Materialise the named models and everything they depend on, in dependency order.

        Works on :meth:`connect`'s database and on a copy of a real warehouse file alike (the
        file must be called warehouse.duckdb, like the one the SQL was compiled for).
        """
        for name in self._ordered(names):
            model = self.models[name]
            con.execute(f"create schema if not exists {ident(model.schema)}")
            kind = "view" if model.materialized == "view" else "table"
            con.execute(f"create or replace {kind} {ident(model.schema)}.{ident(name)} as {model.sql}")

    def _ordered(self, names: Iterable[str]) -> list[str]:
        done: list[str] = []

        def visit(name: str) -> None:
            if name in done or name not in self.models:
                return
            for dep in self.models[name].depends_on:
                visit(dep)
            done.append(name)

        for n in names:
            if n not in self.models:
                raise KeyError(f"no dbt model named {n!r}")
            visit(n)
        return done


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, *, create: bool = False) -> None:
    """Append a frame to a table (``schema.name``); with ``create`` make the table from it."""
    schema, name = table.split(".")
    target = f"{ident(schema)}.{ident(name)}"
    con.register("incoming_frame", frame.to_arrow())
    try:
        if create:
            con.execute(f"create table {target} as select * from incoming_frame")
        else:
            cols = ", ".join(ident(c) for c in frame.columns)
            con.execute(f"insert into {target} ({cols}) select {cols} from incoming_frame")
    finally:
        con.unregister("incoming_frame")
