"""``baa sweep``: kill what killed runners left behind; remove half-built run directories."""

from __future__ import annotations

from ._common import EXIT_OK, Sink, add_runs_root_options, runs_root_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa sweep
  baa sweep --runs-dir /srv/runs
"""


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "sweep",
        help="kill what killed runners left behind; remove half-built run directories",
        description="Kill every process a killed runner left behind: run cgroups no runner holds, "
        "and processes whose BAA_RUNNER_LOCK names a run directory no runner holds (a live run is "
        "never touched, whatever PID namespace it is in). Remove the hidden .<runId>.*.new "
        "directories of runners killed while creating a run. `baa run` sweeps on start; reading "
        "commands never do. Prints which containment this machine gives runs (cgroup or "
        "subreaper).",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    add_runs_root_options(p)
    p.set_defaults(handler=cmd_sweep)


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..executors.containment import containment, sweep_orphans
    from ..store import remove_abandoned

    killed = sweep_orphans()
    removed = remove_abandoned(runs_root_of(args))
    Sink.stdout().text(
        f"containment: {containment()}; processes killed: {killed}; "
        f"abandoned run directories removed: {len(removed)}\n"
    )
    return EXIT_OK
