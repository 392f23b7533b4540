"""Schema compatibility: does a new version of a schema set still read (BACKWARD), still get read
by (FORWARD), or both (FULL) what an earlier version accepts; also against every earlier version
(the ``*_TRANSITIVE`` modes).

``check`` decides, keyword by keyword (``check.Checker``: the walk in ``walk``, one module of
rules per keyword family in ``rules/``, findings in ``findings``, JSON equality in ``values``);
``schemaset`` loads and refuses what cannot be compared; ``sources`` finds versions (directories, git refs and tags); ``report`` lines
the two directions up and applies the version policy; ``command`` ties them together for the CLI.
"""

from __future__ import annotations

from .modes import MODES

__all__ = ["MODES"]
