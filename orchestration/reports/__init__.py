"""Reports built from the marts: the timeline chart (HTML and PNG) and the dbt docs site.

Reading and drawing are separate: :mod:`.timeline_data` queries a warehouse file into frames,
:mod:`.timeline_chart` draws them (pure), :mod:`.timeline_html` wraps the drawing in a
self-contained page with hover text. :func:`write_timeline` ties them together for the Dagster
asset and the ``alliance report`` command.
"""

from .timeline import TimelineFiles, write_timeline

__all__ = ["TimelineFiles", "write_timeline"]
