"""Volume per source: a source that suddenly delivers nothing, or far fewer rows than last time.

Raw tables merge on their key, so a source that stops delivering leaves its old rows in place and
the table's row count (which the suites also watch, see :mod:`orchestration.checks.history`)
never shows it. What a source delivered is in the metadata of its ``ingest/<source>``
materialisations: ``rows_loaded``, and ``cursor_before`` when it fetched only what was new. The
``rows_delivered`` check compares the latest materialisation with the previous full extract:

* a full extract (no cursor) must deliver at least one row, and at least
  ``(1 - MAX_DROP)`` of the previous full extract;
* an incremental extract (from a cursor) or an unchanged payload (HTTP 304) may bring nothing
  new: that is judged by freshness, not here.
"""

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    AssetRecordsFilter,
    asset_check,
)

CHECK_NAME = "rows_delivered"
#: Share of the previous full extract's rows that may go missing before the check fails.
MAX_DROP = 0.5
_HISTORY = 20  # materialisations looked at to find the previous full extract


@dataclass(frozen=True)
class Delivery:
    source: str
    rows: int | None
    previous: int | None
    floor: int
    incremental: bool
    passed: bool
    reason: str


def judge(source: str, metadata: Sequence[Mapping[str, Any]]) -> Delivery:
    """The verdict on the latest of these materialisation metadata (newest first, plain values)."""
    if not metadata:
        return Delivery(source, None, None, 0, False, False, "never loaded")
    latest, earlier = metadata[0], metadata[1:]
    rows = int(latest.get("rows_loaded") or 0)
    if latest.get("cursor_before") or latest.get("payloads_not_modified"):
        return Delivery(source, rows, None, 0, True, True,
                        f"{rows} new rows from an incremental or unchanged extract (freshness judges it)")
    fulls = [m for m in earlier if not m.get("cursor_before") and not m.get("payloads_not_modified")]
    previous = int(fulls[0].get("rows_loaded") or 0) if fulls else None
    floor = max(1, math.ceil(previous * (1 - MAX_DROP))) if previous else 1
    passed = rows >= floor
    if passed:
        reason = f"{rows} rows" + (f" (previous full extract {previous})" if previous is not None else "")
    elif rows == 0:
        reason = "delivered nothing on a full extract"
    else:
        reason = f"{rows} rows, far fewer than the previous full extract's {previous} (at least {floor} expected)"
    return Delivery(source, rows, previous, floor, False, passed, reason)


def deliveries(instance, source: str) -> Delivery:
    """The verdict from the instance's records of ``ingest/<source>``."""
    records = instance.fetch_materializations(
        records_filter=AssetRecordsFilter(asset_key=AssetKey(["ingest", source])), limit=_HISTORY).records
    return judge(source, [_plain(r.asset_materialization.metadata) for r in records if r.asset_materialization])


def _plain(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {k: getattr(v, "value", v) for k, v in metadata.items()}


def build_delivery_check(source: str) -> AssetChecksDefinition:
    @asset_check(asset=AssetKey(["ingest", source]), name=CHECK_NAME,
                 description="The source delivered rows, and not far fewer than its previous full extract "
                             f"(at most {MAX_DROP:.0%} fewer); incremental extracts are judged by freshness.")
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        d = deliveries(context.instance, source)
        return AssetCheckResult(
            passed=d.passed, severity=AssetCheckSeverity.ERROR, description=d.reason,
            metadata={"rows_delivered": d.rows if d.rows is not None else -1,
                      "previous_full_extract": d.previous if d.previous is not None else -1,
                      "at_least": d.floor, "incremental": d.incremental})

    return _check
