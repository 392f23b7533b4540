"""``python -m baa_conductor`` and the ``baa`` console script."""

from __future__ import annotations

import sys

from .cli import main as _main


def main() -> int:
    return _main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
