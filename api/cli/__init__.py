"""The ``pmo-advisor`` command line.

Each sub-command lives in its own module of this package with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``, and is registered in :data:`COMMANDS` (the
order of ``pmo-advisor --help``). Bad input ends with exit status 2 and one readable line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from advisor import __version__
from advisor.errors import PmoAdvisorError
from api.cli import (
    catalog,
    compare,
    diagnose,
    recommend,
    rules,
    sensitivity,
    serve,
    simulate,
    story,
    sweep,
)

__all__ = ["main", "build_parser", "EXIT_USAGE"]

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage dump) and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


#: Every command, in the order ``pmo-advisor --help`` lists them.
COMMANDS = (diagnose, recommend, simulate, compare, sweep, sensitivity, story, catalog, rules,
            serve)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pmo-advisor",
                     description="Diagnose, advise and simulate PMO strategy (PMO Value Ring).")
    parser.add_argument("--version", action="version", version=f"pmo-advisor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for module in COMMANDS:
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except PmoAdvisorError as exc:
        print(f"pmo-advisor {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"pmo-advisor {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
