"""The `infrar` command: erase, infra, cost, scan, plugins, doctor.

Each subcommand lives in its own module exposing ``configure(parser)`` and ``run(args)``;
those modules import their heavy dependencies inside ``run`` so `infrar --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from infrar import __version__
from infrar.errors import InfrarError

# subcommand -> module holding configure() and run()
COMMANDS: dict[str, str] = {
    "erase": "infrar.erase.cli",
    "infra": "infrar.infra.cli",
    "cost": "infrar.cost.cli",
    "scan": "infrar.infra.scan_cli",
    "plugins": "infrar.plugins_cli",
    "doctor": "infrar.doctor",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="infrar", description="Write cloud code once; ship it native.")
    parser.add_argument("--version", action="version", version=f"infrar {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        summary = (module.__doc__ or name).strip().splitlines()[0]
        sub = commands.add_parser(name, help=summary, description=module.__doc__)
        module.configure(sub)
        sub.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args._module.run(args)
    except InfrarError as exc:
        print(f"infrar {args.command}: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
