"""Price project.yaml on every cloud side by side, from cost_models/ and usage figures.

One row per capability and resource, one column per provider, totals; lines whose cost depends
on usage figures that were defaulted are marked with '*'. Set usage figures under `usage:` in
project.yaml. Exit status: 0 on success, 2 on an invalid project or cost model.
"""

from __future__ import annotations

import argparse
import sys

FORMATS = ("table", "json", "csv", "markdown", "breakdown")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", nargs="?", default="project.yaml",
                        help="the project file (default: ./project.yaml)")
    parser.add_argument("--provider", action="append", metavar="P",
                        help="price on this provider only (repeatable; default: every provider with a "
                             "cost model: aws, gcp, azure and any a plugin adds)")
    parser.add_argument("--region", action="append", metavar="P=REGION", type=_region,
                        help="price provider P in REGION, e.g. aws=eu-west-1 (repeatable; default: project.yaml's "
                             "regions:, else each cost model's base region: us-east-1, us-central1, eastus)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--usage-template", action="store_true",
                        help="print the usage: section with every usage figure the project's lines read "
                             "and the value assumed for each, to fill in")
    parser.add_argument("--compare", metavar="PREVIOUS.json",
                        help="print what changed since an earlier `infrar cost --format json` estimate")


def _region(text: str) -> tuple[str, str]:
    """``aws=eu-west-1`` -> ("aws", "eu-west-1"), the region checked against the provider's region names."""
    from infrar.infra.project import known_regions

    provider, sep, region = text.partition("=")
    if not sep or not provider or not region:
        raise argparse.ArgumentTypeError(f"{text!r}: write PROVIDER=REGION, e.g. aws=eu-west-1")
    known = known_regions(provider)
    if known and region not in known:
        import difflib

        close = difflib.get_close_matches(region, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(known)
        raise argparse.ArgumentTypeError(f"{region!r} is not a region of {provider}; {hint}")
    return provider, region


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from infrar.cost.estimate import estimate
    from infrar.cost.report import render
    from infrar.infra.project import load_project

    project = load_project(args.project)
    regions = dict(args.region or ())
    if args.usage_template:
        from infrar.cost.usage_template import usage_template

        text = usage_template(project, args.provider, regions=regions)
    elif args.compare:
        from infrar.cost.compare import compare, load_previous

        text = compare(estimate(project, providers=args.provider, regions=regions), load_previous(args.compare),
                       args.compare)
    else:
        text = render(estimate(project, providers=args.provider, regions=regions), args.format)
    if args.output:
        target = Path(args.output)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)
    else:
        sys.stdout.write(text)
    return 0
