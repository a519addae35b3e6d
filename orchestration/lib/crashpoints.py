"""Deterministic crash points for the crash-consistency tests; inert unless ``ALLIANCE_CRASH_AT`` is set.

``ALLIANCE_CRASH_AT=<point>:<n>`` makes the process kill itself with SIGKILL (no cleanup, no
``finally``, exactly like the OOM killer or ``kill -9``) the ``n``-th time it reaches ``<point>``.
The points sit in the few places where a crash could leave something half done:

=============  =========================================================================
``archive``    a payload was fetched; nothing of it is stored yet
``archived``   its bytes are in the landing folder; its ``landing.payloads`` row is not
``load``       inside a raw load's transaction, after the delete, before the insert
``commit``     inside a raw load's transaction, rows and quarantine written, before commit
``cursor``     a load committed; the source's cursor is not yet moved
``replace``    inside a derived table's (``enrich.*``) replace transaction
``publish``    the snapshot copy is written; the atomic swap has not happened
=============  =========================================================================

``tests/reliability/test_crash_consistency.py`` uses them; nothing else should.
"""

from __future__ import annotations

import os
import signal

ENV = "ALLIANCE_CRASH_AT"
_hits: dict[str, int] = {}


def crash_point(point: str) -> None:
    """SIGKILL this process if ``ALLIANCE_CRASH_AT`` names this point and its count is reached."""
    target = os.environ.get(ENV)
    if not target:
        return
    name, _, count = target.partition(":")
    if name != point:
        return
    _hits[point] = _hits.get(point, 0) + 1
    if _hits[point] == int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)
