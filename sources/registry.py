"""Find source plugins through the ``alliance_warehouse.sources`` entry-point group."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from sources.contract import SourceConfig, SourceError, SourcePlugin

GROUP = "alliance_warehouse.sources"


@cache
def installed_plugins() -> dict[str, type[SourcePlugin]]:
    """Plugin name -> plugin class, for every installed distribution that registers one."""
    found: dict[str, type[SourcePlugin]] = {}
    for ep in entry_points(group=GROUP):
        cls = ep.load()
        if not (isinstance(cls, type) and issubclass(cls, SourcePlugin)):
            raise TypeError(f"entry point {ep.name} = {ep.value} in group {GROUP} is not a SourcePlugin subclass")
        found[ep.name] = cls
    return found


def create(config: SourceConfig) -> SourcePlugin:
    """The plugin instance for one configured source."""
    plugins = installed_plugins()
    try:
        cls = plugins[config.plugin]
    except KeyError:
        raise SourceError(
            config.name, "alliance.yml", f"no installed plugin is called '{config.plugin}'",
            f"use one of {', '.join(sorted(plugins))}, or install the package that provides it",
        ) from None
    return cls(config)
