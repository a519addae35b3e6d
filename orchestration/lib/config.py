"""Load ``alliance.yml`` (or ``ALLIANCE_CONFIG``), following ``extends:`` chains.

A config that extends another starts from it: top-level mappings are merged key by key, and
``sources`` are merged by ``name`` (a source with the same name replaces the base's; new names are
appended; ``enabled: false`` removes one).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from sources.contract import SourceConfig

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = PROJECT_ROOT / "alliance.yml"


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Relationship:
    name: str = "US–Japan"
    a: str = "USA"
    b: str = "JPN"


@dataclass(frozen=True)
class Config:
    path: Path
    relationship: Relationship
    sources: tuple[SourceConfig, ...]
    schedule_cron: str = "0 2 * * *"
    schedule_timezone: str = "UTC"
    exercise_window_days: int = 30
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def source_hosts(self) -> frozenset[str]:
        """The hosts of the sources' http(s) URLs: the only hosts a run may fetch from (none offline)."""
        hosts = (urlparse(s.url) for s in self.sources if s.url)
        return frozenset(u.hostname.lower() for u in hosts if u.scheme in ("http", "https") and u.hostname)

    def source(self, name: str) -> SourceConfig:
        for s in self.sources:
            if s.name == name:
                return s
        raise ConfigError(f"{self.path}: no source named '{name}' (configured: {', '.join(s.name for s in self.sources)})")


def config_path() -> Path:
    return Path(os.environ.get("ALLIANCE_CONFIG") or DEFAULT_CONFIG).resolve()


def _read(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path in seen:
        raise ConfigError(f"{path}: 'extends' loops back to itself ({' -> '.join(map(str, seen + (path,)))})")
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist: create it or set ALLIANCE_CONFIG to an existing file")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    # Each source remembers the folder of the file that declared it, for relative paths.
    for s in doc.get("sources") or []:
        if isinstance(s, dict):
            s.setdefault("_base_dir", str(path.parent))
    base_ref = doc.pop("extends", None)
    if not base_ref:
        return doc
    base_path = (path.parent / base_ref).resolve()
    return _merge(_read(base_path, seen + (path,)), doc)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if k == "sources":
            by_name = {s["name"]: s for s in base.get("sources") or []}
            for s in v or []:
                by_name[s["name"]] = s
            out["sources"] = [s for s in by_name.values() if s.get("enabled", True)]
        elif isinstance(v, dict) and isinstance(base.get(k), dict):
            out[k] = {**base[k], **v}
        else:
            out[k] = v
    return out


def load_config(path: Path | None = None) -> Config:
    path = (path or config_path()).resolve()
    doc = _read(path)
    sources = []
    names: set[str] = set()
    for i, s in enumerate(doc.get("sources") or []):
        where = f"{path}: sources[{i}]"
        if not isinstance(s, dict) or not s.get("name") or not s.get("plugin"):
            raise ConfigError(f"{where}: each source needs a 'name' and a 'plugin'")
        if s["name"] in names:
            raise ConfigError(f"{where}: source name '{s['name']}' is used twice; names must be unique")
        if not s["name"].replace("_", "").isalnum() or not s["name"][0].isalpha():
            raise ConfigError(f"{where}: source name '{s['name']}' must be letters, digits and '_' (it becomes an asset name)")
        if not (s.get("url") or s.get("path")):
            raise ConfigError(f"{where}: source '{s['name']}' needs a 'url' or a 'path'")
        names.add(s["name"])
        sources.append(SourceConfig(name=s["name"], plugin=s["plugin"], url=s.get("url"), path=s.get("path"),
                                    options=dict(s.get("options") or {}), base_dir=s.get("_base_dir", str(path.parent))))
    rel = doc.get("relationship") or {}
    sched = doc.get("schedule") or {}
    linking = doc.get("linking") or {}
    return Config(
        path=path,
        relationship=Relationship(name=rel.get("name", "US–Japan"), a=rel.get("a", "USA"), b=rel.get("b", "JPN")),
        sources=tuple(sources),
        schedule_cron=str(sched.get("cron", "0 2 * * *")),
        schedule_timezone=str(sched.get("timezone", "UTC")),
        exercise_window_days=int(linking.get("exercise_window_days", 30)),
        raw=doc,
    )


def data_dir() -> Path:
    """``ALLIANCE_DATA_DIR`` (default ``./data``), created if missing, as an absolute path."""
    d = Path(os.environ.get("ALLIANCE_DATA_DIR") or "data").resolve()
    d.mkdir(parents=True, exist_ok=True)
    return d
