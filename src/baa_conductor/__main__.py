"""``python -m baa_conductor`` and the ``baa`` console script."""

from __future__ import annotations

import sys


def main() -> int:
    from .cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
