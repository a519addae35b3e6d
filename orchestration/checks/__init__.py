"""Data quality: Great Expectations suites, freshness and volume checks, and the dbt gate.

:func:`build_quality_checks` is what the code location adds: a check per reporting suite (the
blocking ones run inside their ``raw/<table>`` assets), a freshness check per source cadence with
the sensor that re-evaluates them, and a ``rows_delivered`` check per source.
"""

from __future__ import annotations

from typing import Iterable

from dagster import AssetChecksDefinition, AssetKey, SensorDefinition

from orchestration.checks.asset_checks import build_suite_checks
from orchestration.checks.freshness import build_freshness_checks, build_freshness_sensor
from orchestration.checks.volume import build_delivery_check
from orchestration.lib.config import Config


def build_quality_checks(config: Config, asset_keys: Iterable[AssetKey]
                         ) -> tuple[list[AssetChecksDefinition], list[SensorDefinition]]:
    freshness = build_freshness_checks(config)
    checks = [*build_suite_checks(asset_keys), *freshness, *(build_delivery_check(s.name) for s in config.sources)]
    return checks, [build_freshness_sensor(freshness)] if freshness else []
