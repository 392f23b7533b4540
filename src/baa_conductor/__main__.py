"""``python -m baa_conductor`` and the ``baa`` console script."""

from __future__ import annotations

import sys


def main() -> int:
    from .cli import main as cli_main

    code = cli_main(sys.argv[1:])
    # The process ends here. Freezing moves every object into the collector's permanent
    # generation, so the full collection of interpreter shutdown does not walk them all once more:
    # about 6 ms of every command, more than `baa validate` spends validating. atexit handlers still
    # run and the standard streams are still flushed and closed.
    import gc

    gc.freeze()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
