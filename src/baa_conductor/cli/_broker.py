"""What every dispatch command shares: which broker, which queue, and loading the dispatch extra."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

#: The same as ``dispatch.config.DEFAULT_QUEUE`` (not imported: that package loads Celery).
DEFAULT_QUEUE = "baa"
#: The distributions the dispatch extra brings (``pip install 'baa-conductor[dispatch]'``).
EXTRA_MODULES = ("celery", "kombu", "redis", "billiard", "vine", "amqp")


def add_broker_options(p: Any) -> None:
    p.add_argument(
        "--broker", default=None, metavar="URL",
        help="Redis URL of the broker and result backend (default: $BAA_BROKER_URL)",
    )  # fmt: skip
    p.add_argument(
        "--queue", default=DEFAULT_QUEUE, metavar="NAME", help=f"queue (default: {DEFAULT_QUEUE})"
    )


def load_dispatch() -> ModuleType:
    """``baa_conductor.dispatch``, or a usage error saying which ``pip install`` brings it."""
    try:
        from .. import dispatch
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in EXTRA_MODULES:
            raise
        import sys

        from ._common import UsageError

        raise UsageError(
            f"this command needs the dispatch extra ({error.name} is not installed): "
            f"{sys.executable} -m pip install 'baa-conductor[dispatch]'"
        ) from None
    return dispatch
