"""csv_table: the curated reference tables with the options from alliance.yml, and how bad files fail.
Real files on disk, the real fetcher, no mocks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from orchestration.lib.config import load_config
from sources.contract import SourceError
from sources.http import Fetcher
from sources.registry import create

TARIFF_HEADER = "action_id,title,instrument,imposing,affected,rate_pct,announced_on,effective_on,source_url\n"


def load(name: str, path=None):
    """Parse a configured source (optionally pointed at another file) into (plugin, ParseResult)."""
    config = load_config().source(name)
    plugin = create(replace(config, path=str(path)) if path else config)
    [payload] = list(plugin.extract(Fetcher()))
    return plugin, plugin.parse(payload)


def rows_by(result, *cols):
    return {tuple(r[c] for c in cols): r for r in result.frame.iter_rows(named=True)}


def test_tariff_actions():
    plugin, result = load("tariff_actions")
    assert plugin.table == "tariff_actions" and plugin.cadence == "monthly"
    assert result.frame.schema == plugin.schema and result.rejected == []
    assert result.frame.height == 19
    steel = rows_by(result, "action_id")[("SEC232_STEEL_2018",)]
    assert steel["effective_on"] == date(2018, 3, 23) and steel["rate_pct"] == 25.0
    assert steel["source"] == "tariff_actions" and steel["source_url"].startswith("http")


def test_exercises_curated():
    plugin, result = load("exercises_curated")
    assert result.frame.schema == plugin.schema and result.rejected == []
    assert result.frame.height == 43
    ufg = rows_by(result, "exercise_id")[("UFG_2018",)]
    assert ufg["status"] == "suspended" and ufg["announced_on"] == date(2018, 6, 18) and ufg["start_date"] is None


def test_trade_annual_sector():
    plugin, result = load("trade_annual_sector")
    assert plugin.table == "trade_flows" and plugin.cadence == "yearly"
    assert result.frame.schema == plugin.schema and result.rejected == []
    assert result.frame.height == 73
    rows = rows_by(result, "period", "flow", "commodity_code")
    agri = rows[("2010", "export", "Agricultural products")]
    assert agri["value_usd"] == 13_010e6
    assert (agri["reporter"], agri["partner"], agri["period_type"]) == ("USA", "JPN", "year")
    assert agri["source_url"] == "https://www.usitc.gov/research_and_analysis/trade_shifts_2014/japan.htm"
    assert set(result.frame["flow"]) == {"export", "import"}


def test_trade_annual_balance_unpivots_and_skips_empty_cells():
    plugin, result = load("trade_annual_balance")
    assert result.frame.schema == plugin.schema and result.rejected == []
    rows = rows_by(result, "period", "flow")
    assert result.frame.height == 7  # 5 balances + 2018 exports and imports; empty cells skipped
    assert rows[("2018", "balance")]["value_usd"] == -67.2e9
    assert rows[("2018", "export")]["value_usd"] == 75.2e9
    assert rows[("2018", "import")]["value_usd"] == 142.4e9
    assert rows[("2016", "balance")]["value_usd"] == -68.94e9
    assert ("2016", "export") not in rows
    assert set(result.frame["commodity_code"]) == {"TOTAL"}
    assert any("basis_note" in n for n in result.notes)


def test_a_utf8_bom_is_not_part_of_the_first_column(tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes("\ufeff".encode() + (TARIFF_HEADER + "A1,Tariff,section_232,USA,JPN,25,2018-03-08,2018-03-23,https://x\n").encode())
    _, result = load("tariff_actions", f)
    assert result.frame["action_id"].to_list() == ["A1"] and result.rejected == []


def test_a_bad_date_rejects_that_row_only(tmp_path):
    f = tmp_path / "dates.csv"
    f.write_text(TARIFF_HEADER + "A1,one,section_232,USA,JPN,25,2018-03-08,2018-03-23,https://x\n"
                 "A2,two,section_232,USA,JPN,10,2018-03-08,2018-13-45,https://x\n"
                 '"A3","three, quoted",section_201,USA,ALL,,2018-01-22,2018-02-07,https://x\n', encoding="utf-8")
    _, result = load("tariff_actions", f)
    assert result.frame["action_id"].to_list() == ["A1", "A3"]
    [bad] = result.rejected
    assert bad.record["action_id"] == "A2" and "effective_on" in bad.reason and "2018-13-45" in bad.reason


def test_missing_key_column_is_a_source_error_naming_it(tmp_path):
    f = tmp_path / "no_id.csv"
    f.write_text("name,status\nKeen Sword 25,held\n", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load("exercises_curated", f)
    msg = str(err.value)
    assert "'exercise_id'" in msg and "no_id.csv" in msg and "options.rename" in msg


def test_ragged_rows_and_non_numbers_are_rejected_and_broken_quoting_fails(tmp_path):
    f = tmp_path / "ragged.csv"
    header = "year,us_exports_busd,us_imports_busd,us_goods_balance_busd,source_url\n"
    f.write_text(header + "2018,75.2,142.4,-67.2,https://x\n2019,,,-68.98\n2020,,,n/a,https://x\n", encoding="utf-8")
    _, result = load("trade_annual_balance", f)
    assert result.frame.height == 3
    assert sorted(r.reason.split(":")[0] for r in result.rejected) == ["line 3 has 4 fields, the header has 5", "line 4"]
    f.write_text(header + '2018,,,"-67.2"x,https://x\n', encoding="utf-8")
    with pytest.raises(SourceError, match="not valid CSV"):
        load("trade_annual_balance", f)


def test_options_are_checked():
    base = load_config().source("tariff_actions")
    for options, match in [({"table": "tariff_actions", "renmae": {}}, "unknown option"),
                           ({"table": "tariffs"}, "option 'table'"),
                           ({"table": "tariff_actions", "cadence": "hourly"}, "cadence"),
                           ({"table": "tariff_actions", "unpivot": {"columns": {}}}, "unpivot")]:
        with pytest.raises(SourceError, match=match):
            create(replace(base, options=options))
    plugin = create(replace(base, options={"table": "tariff_actions", "rename": {"nope": "action_id"}}))
    [payload] = list(plugin.extract(Fetcher()))
    with pytest.raises(SourceError, match="nope"):
        plugin.parse(payload)
