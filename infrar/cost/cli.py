"""Price project.yaml on every cloud side by side, from cost_models/ and usage figures.

One row per capability and resource, one column per provider, totals; lines whose cost depends
on usage figures that were defaulted are marked with '*'. Set usage figures under `usage:` in
project.yaml. Exit status: 0 on success, 2 on an invalid project or cost model.
"""

from __future__ import annotations

import argparse
import sys

FORMATS = ("table", "json", "csv", "markdown")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", nargs="?", default="project.yaml",
                        help="the project file (default: ./project.yaml)")
    parser.add_argument("--provider", action="append", metavar="P",
                        help="price on this provider only (repeatable; default: every provider with a "
                             "cost model: aws, gcp, azure and any a plugin adds)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from infrar.cost.estimate import estimate
    from infrar.cost.report import render
    from infrar.infra.project import load_project

    project = load_project(args.project)
    text = render(estimate(project, providers=args.provider), args.format)
    if args.output:
        target = Path(args.output)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    else:
        sys.stdout.write(text)
    return 0
