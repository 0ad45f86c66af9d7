"""Erase infrar from a program: rewrite its calls into one provider's native code.

Exit status: 0 erased (or, with --check/--diff, erasable); 2 cannot erase (every reason is
printed as file:line:col with its fix) and nothing was written.
"""

from __future__ import annotations

import argparse
import sys

from infrar.config import PROVIDERS


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src", metavar="SRC", help="a Python file or a directory tree")
    parser.add_argument("-o", "--out", metavar="OUT", help="output directory (replaced atomically)")
    parser.add_argument("--provider", required=True, choices=PROVIDERS, help="provider to erase to")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; report what would change and every unerasable use "
                             "(exit 0 if erasable, 2 if not)")
    parser.add_argument("--diff", action="store_true", help="write nothing; print a unified diff")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="report format")
    parser.add_argument("--progress", action="store_true", default=None,
                        help="show progress on stderr (default: only when stderr is a terminal)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: CPUs)")


def run(args: argparse.Namespace) -> int:
    from infrar.erase.tree import erase_tree

    if args.out is None and not (args.check or args.diff):
        print("infrar erase: -o OUT is required (or use --check / --diff)", file=sys.stderr)
        return 2
    report = erase_tree(args.src, args.out, args.provider, check=args.check, diff=args.diff,
                        jobs=args.jobs, progress=args.progress)
    if args.format == "json":
        print(report.as_json())
    elif args.diff:
        sys.stdout.write(report.diff)
        for diagnostic in report.diagnostics:
            print(diagnostic.text(), file=sys.stderr)
    else:
        stream = sys.stdout if args.check else sys.stderr
        if args.check or report.diagnostics:
            print(report.as_text(check=args.check), file=stream)
    return 0 if report.ok else 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infrar.erase", description=__doc__)
    configure(parser)
    args = parser.parse_args(argv)
    from infrar.cli import guarded

    return guarded("infrar erase", lambda: run(args))
