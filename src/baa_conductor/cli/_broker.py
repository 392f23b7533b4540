"""Options every dispatch command shares: which broker, which queue."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: The same as ``dispatch.config.DEFAULT_QUEUE`` (not imported: that package loads Celery).
DEFAULT_QUEUE = "baa"


def add_broker_options(p: Any) -> None:
    p.add_argument(
        "--broker", default=None, metavar="URL",
        help="Redis URL of the broker and result backend (default: $BAA_BROKER_URL)",
    )  # fmt: skip
    p.add_argument(
        "--queue", default=DEFAULT_QUEUE, metavar="NAME", help=f"queue (default: {DEFAULT_QUEUE})"
    )
