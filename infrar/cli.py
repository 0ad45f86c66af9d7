"""The `infrar` command: erase, infra, cost, scan, plugins, doctor.

Each subcommand lives in its own module exposing ``configure(parser)`` and ``run(args)``;
those modules import their heavy dependencies inside ``run`` so `infrar --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from infrar import __version__
from infrar.errors import InfrarError, MissingDependency

# subcommand -> module holding configure() and run()
COMMANDS: dict[str, str] = {
    "erase": "infrar.erase.cli",
    "infra": "infrar.infra.cli",
    "cost": "infrar.cost.cli",
    "scan": "infrar.infra.scan_cli",
    "plugins": "infrar.plugins_cli",
    "doctor": "infrar.doctor",
    "jobs": "infrar.data.jobs_cli",
}


# Modules of the optional extras in pyproject.toml -> (what needs it, the extra that installs it).
EXTRAS: dict[str, tuple[str, str]] = {
    "libcst": ("erasing code", "erase"),
    "jsonschema": ("validating project.yaml", "infra"),
}


def missing_extra(exc: ModuleNotFoundError) -> MissingDependency | None:
    """The MissingDependency an extra's absent module means, or None if it is no extra's."""
    root = (exc.name or "").partition(".")[0]
    if root not in EXTRAS:
        return None
    what, extra = EXTRAS[root]
    return MissingDependency(f"{what} needs the {root} package, which is not installed: "
                             f"pip install 'infrar[{extra}]'")


def guarded(prog: str, run: Callable[[], int]) -> int:
    """``run()``, with an infrar error or a missing extra printed as one line and exit status 2.

    Subcommands import their extras inside ``run``, so a missing one surfaces here as a bare
    ModuleNotFoundError; anything else missing is a bug and keeps its traceback.
    """
    try:
        return run()
    except BrokenPipeError:
        # The reader stopped reading (`... | head`): as other command-line tools, stop quietly. Python
        # would flush stdout again at exit and fail on the same pipe, so it is pointed at devnull.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except InfrarError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        error = missing_extra(exc)
        if error is None:
            raise
        print(f"{prog}: {error}", file=sys.stderr)
        return 2


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
    run: Callable[[argparse.Namespace], int] = args._module.run
    return guarded(f"infrar {args.command}", lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
