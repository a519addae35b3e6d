"""Pure parsing of US Census International Trade API responses into ``trade_flows`` rows.

The API (``timeseries/intltrade/{exports,imports}/hs``) answers with a JSON array of arrays: the
first row is the header (variable names), every value is a string, and the query's predicate
variables come back as extra columns (so a name such as ``CTY_CODE`` can appear twice). No I/O
here, so any archived payload can be parsed again.

A response can hold millions of rows (every HS6 code, month and partner), so the body is read by
DuckDB's JSON reader (from a temporary copy of the bytes: its file reader is several times faster
than its Python-stream one) and checked column-wise in SQL; only the rows that are rejected become
Python objects, and the columns that are the same on every row are Polars literals (benchmarks P1
and P6, benchmarks/FIXES.md).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import duckdb
import polars as pl

from sources.contract import Payload, Rejected, SourceError
from sources.tables import TRADE_FLOWS

#: Census Schedule C country codes this plugin knows -> ISO 3166-1 alpha-3. Kept small on purpose:
#: an unknown code is rejected with a reason rather than loaded with a guessed partner.
CENSUS_COUNTRIES = {
    "1220": "CAN", "2010": "MEX", "4120": "GBR", "4280": "DEU", "5330": "IND",
    "5700": "CHN", "5800": "KOR", "5830": "TWN", "5880": "JPN", "6021": "AUS",
}
#: flow -> (value variable, commodity variable, description variables), per the API's naming.
VARIABLES = {
    "export": ("ALL_VAL_MO", "E_COMMODITY", ("E_COMMODITY_LDESC", "E_COMMODITY_SDESC")),
    "import": ("GEN_VAL_MO", "I_COMMODITY", ("I_COMMODITY_LDESC", "I_COMMODITY_SDESC")),
}
TOTAL_CODES = {"", "-", "TOTAL"}  # how the API (and people) spell "all commodities"
TOTAL_DESC = "TOTAL FOR ALL COMMODITIES"
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")  # an API variable name, as the header holds them
#: The columns a good row gets from the response (the others are the same on every row).
GOOD = ("partner", "commodity_code", "commodity_desc", "period", "value_usd")
_PARAMS = {"codes": list(CENSUS_COUNTRIES), "iso3": list(CENSUS_COUNTRIES.values()), "total": TOTAL_DESC}
FIX = ("check the query (variables, CTY_CODE, time) and the API key; the API answers errors as "
       "plain text or an HTML page, and a valid query as a JSON array of arrays with a header row")


def parse_census(payload: Payload) -> tuple[pl.DataFrame, list[Rejected], list[str]]:
    """Rows of ``trade_flows`` (all schema columns filled), rejected records, notes.

    Raises :class:`SourceError` when the body as a whole is not a Census response. A row is
    rejected, with the reason, when its width differs from the header's, its CTY_CODE is not one we
    map, its value is not a number, its time is not a month, or its key repeats an earlier row's.
    """
    if payload.status == 204 or not payload.content or payload.content.isspace():  # no copy
        return pl.DataFrame(schema=TRADE_FLOWS.schema), [], [
            f"empty response (HTTP {payload.status}): the API has no data for this query"]

    def fail(problem: str) -> SourceError:
        return SourceError(payload.source, payload.url, problem, FIX)

    with duckdb.connect() as con, _on_disk(payload.content) as path:
        def sql(query: str, params: dict | None = None):
            return con.sql(query, params=params)

        try:  # by path: DuckDB's JSON reader is about 4x faster on a file than on a Python stream
            con.read_json(path, format="array", records="false", columns={"j": "VARCHAR[]"}).to_view("census_rows")
            first = sql("select j from census_rows limit 1").fetchall()
        except (duckdb.Error, UnicodeDecodeError):  # DuckDB raises the latter for bytes that are not UTF-8
            raise _not_a_table(payload, fail) from None
        header = first[0][0] if first else None
        if not header or any(h is None or not _NAME.fullmatch(h) for h in header):
            raise fail("the response is JSON but not an array of arrays with a header row of names")
        col: dict[str, int] = {}  # name -> first position (predicate columns repeat get columns)
        for i, name in enumerate(header):
            col.setdefault(name, i)
        flow = payload.meta.get("flow") or next((f for f, v in VARIABLES.items() if v[0] in col), None)
        if flow not in VARIABLES:
            raise fail(f"cannot tell exports from imports: no meta 'flow' and neither ALL_VAL_MO nor GEN_VAL_MO in {header}")
        val_var, comm_var, desc_vars = VARIABLES[flow]
        missing = [v for v in ("CTY_CODE", val_var, "time") if v not in col]
        if missing:
            raise fail(f"the header {header} lacks {', '.join(missing)}")
        desc_var = next((d for d in desc_vars if d in col), None)
        try:  # one pass: every row, its checks and (for rejected rows only) its raw cells
            rows = sql(_checked_sql(col, len(header), val_var, comm_var, desc_var),
                       _PARAMS | {"this_month": _this_month()}).pl()
        except duckdb.Error:
            raise _not_a_table(payload, fail) from None

    ok = rows.get_column("ok")
    invalid = rows.filter(~ok).select("n", "raw").rows() if not ok.all() else []
    good = rows.filter(ok) if invalid else rows
    # source, reporter and flow are the same on every row: the rest of the key decides (first wins).
    # Counting distinct key hashes is cheap; a collision only costs the exact check, which finds none.
    dups: list[tuple] = []
    if good.get_column("key_hash").n_unique() != good.height:
        first = good.select(pl.struct("partner", "commodity_code", "period").is_first_distinct()).to_series()
        dups = good.filter(~first).select(GOOD).rows()
        good = good.filter(first)
    rejected = [Rejected(dict(zip(header, raw)), _reason(n, raw, header, val_var, _cells(raw, col, val_var)))
                for n, raw in ((n, raw or []) for n, raw in invalid)]  # a JSON null row has no cells
    const = {"source": payload.source, "reporter": "USA", "flow": flow, "period_type": "month",
             "source_url": payload.url, "payload_sha256": payload.sha256}
    for values in dups:
        row = {**const, **dict(zip(GOOD, values))}
        key = {k: row[k] for k in TRADE_FLOWS.key}
        rejected.append(Rejected({c: row[c] for c in TRADE_FLOWS.schema.names()},
                                 f"duplicate key {key} within one payload"))
    frame = good.select(**{c: pl.lit(const[c]) if c in const else pl.col(c) for c in TRADE_FLOWS.schema.names()})
    if frame.schema != TRADE_FLOWS.schema:  # only when DuckDB typed an all-null column otherwise
        frame = frame.cast(dict(TRADE_FLOWS.schema))
    return frame, rejected, []


def _checked_sql(col: dict[str, int], width: int, val_var: str, comm_var: str, desc_var: str | None) -> str:
    """Every data row read, trimmed and checked once, in file order (``n``: its number after the header).

    File order holds because DuckDB preserves insertion order when no ORDER BY is given
    (``preserve_insertion_order``, on by default). Validation, the ISO3 mapping and the TOTAL
    spelling run inside DuckDB; only rejected rows keep their raw cells, and only good rows get a
    key hash (for the duplicate check).
    """
    def cell(name: str | None) -> str:  # DuckDB lists are 1-based; a missing cell reads as ''
        return "''" if name is None or name not in col else f"trim(coalesce(j[{col[name] + 1}], ''))"

    cells = (f"select row_number() over () - 1 as n, j, {cell('CTY_CODE')} as cty, {cell(val_var)} as val, "
             f"{cell(comm_var)} as code, {cell('time')} as period, {cell(desc_var)} as descr from census_rows")
    checked = (f"select *, len(j) = {width} and list_contains($codes, cty) "
               f"and regexp_full_match(val, '{_NUMBER.pattern}') "
               f"and regexp_full_match(period, '{_MONTH.pattern}') and period <= $this_month as ok, "
               f"case when upper(code) in ('', '-', 'TOTAL') then 'TOTAL' else code end as commodity_code "
               f"from ({cells})")
    mapped = (f"select n, ok, $iso3[list_position($codes, cty)] as partner, commodity_code, "
              f"coalesce(nullif(descr, ''), case when commodity_code = 'TOTAL' then $total end) as commodity_desc, "
              f"period, case when ok then val::double end as value_usd, case when not ok then j end as raw "
              f"from ({checked}) where n > 0")
    return (f"select *, case when ok then hash(partner, commodity_code, period) end as key_hash "
            f"from ({mapped})")


@contextmanager
def _on_disk(content: bytes) -> Iterator[str]:
    """The body in a temporary file (page cache, not synced), removed afterwards."""
    with tempfile.NamedTemporaryFile(prefix="census-", suffix=".json") as fh:
        fh.write(content)
        fh.flush()
        yield fh.name


def _cells(raw: list[str | None], col: dict[str, int], val_var: str) -> dict[str, str]:
    """The checked cells of a rejected row, as the checks saw them (trimmed, '' when missing)."""

    def get(name: str) -> str:
        i = col[name]
        return (raw[i] or "").strip() if i < len(raw) else ""
    return {"cty": get("CTY_CODE"), "val": get(val_var), "period": get("time")}


def _reason(n: int, raw: list[str | None], header: list[str], val_var: str, c: dict[str, str]) -> str:
    """Why one row was rejected: the first check it fails, in the order they are made."""
    width = len(raw)
    if width != len(header):
        return f"row {n} has {width} values, the header has {len(header)}"
    if c["cty"] not in CENSUS_COUNTRIES:
        return (f"CTY_CODE {c['cty']!r} is not a country this plugin maps to ISO3 "
                f"(known: {', '.join(sorted(CENSUS_COUNTRIES))})")
    if not _NUMBER.fullmatch(c["val"]):
        return f"{val_var} {c['val']!r} is not a number"
    if _MONTH.fullmatch(c["period"]):
        return f"time {c['period']!r} is in the future (after {_this_month()}): not a published month"
    return f"time {c['period']!r} is not a month (YYYY-MM)"


def _this_month() -> str:
    return date.today().strftime("%Y-%m")


def _not_a_table(payload: Payload, fail) -> SourceError:
    """The error for a body DuckDB could not read as an array of arrays: not JSON, or the wrong JSON."""
    try:
        json.loads(payload.content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        snippet = payload.content[:60].decode("utf-8", "replace").strip().replace("\n", " ")
        return fail(f"the response is not JSON ({type(exc).__name__}; it starts with {snippet!r})")
    return fail("the response is JSON but not an array of arrays with a header row of names")
