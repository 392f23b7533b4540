"""``baa schemas``: list the shipped schemas, or export them for other languages."""

from __future__ import annotations

from ._common import EXIT_OK, Sink, UsageError, table

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXAMPLES = """\
examples:
  baa schemas list
  baa schemas list --json | jq -r '.[].name'
  baa schemas export ./schemas-for-ts
"""


def register(sub: Any) -> None:
    from ._help import HelpFormatter

    p = sub.add_parser(
        "schemas",
        help="list the schemas or export them for other languages",
        description="The JSON Schemas (draft 2020-12) the package ships, one per wire shape.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list", help="name, version, title and $id of every schema", epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )  # fmt: skip
    listing.add_argument("--json", action="store_true", help="a JSON array instead of a table")
    export = actions.add_parser(
        "export", help="write every schema file, exactly as shipped, into DIR", epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )  # fmt: skip
    export.add_argument("directory", metavar="DIR", help="created if missing")
    p.set_defaults(handler=cmd_schemas)


def cmd_schemas(args: argparse.Namespace) -> int:
    from .._schemas import load_schema, schema_names, schema_text, schema_version

    out = Sink.stdout()
    if args.action == "list":
        rows = [{"name": n, "$id": load_schema(n)["$id"], "version": schema_version(n),
                 "title": load_schema(n)["title"]} for n in schema_names()]  # fmt: skip
        if args.json:
            import json

            out.text(json.dumps(rows, indent=2) + "\n")
        else:
            columns = ("name", "version", "title", "$id")
            out.text(table(columns, ([row[c] for c in columns] for row in rows)))
        return EXIT_OK
    import os

    try:
        os.makedirs(args.directory, exist_ok=True)
        for name in schema_names():
            path = os.path.join(args.directory, f"{name}.schema.json")
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(schema_text(name))
    except OSError as error:
        raise UsageError(f"{args.directory}: cannot write: {error.strerror}") from None
    Sink.stderr().text(f"wrote {len(schema_names())} schemas to {args.directory}\n")
    return EXIT_OK
