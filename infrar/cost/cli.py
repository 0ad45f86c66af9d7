"""Price project.yaml on every cloud side by side, from cost_models/ and usage figures.

One row per capability and resource, one column per provider, totals; lines whose cost depends
on usage figures that were defaulted are marked with '*'. Set usage figures under `usage:` in
project.yaml. Exit status: 0 on success, 2 on an invalid project or cost model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from infrar.errors import InvalidArgument

if TYPE_CHECKING:
    from infrar.cost.models import CostModel

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
    parser.add_argument("--prices", action="append", metavar="FILE", default=[],
                        help="read region prices from FILE (repeatable; cost_prices/*.yaml beside the project "
                             "is always read)")
    parser.add_argument("--fetch-prices", action="store_true",
                        help="fetch --provider P's prices for --region REGION from the cloud's price API and "
                             "write them to cost_prices/P-REGION.yaml beside the project (or -o FILE)")
    parser.add_argument("--partial", action="store_true",
                        help="with --fetch-prices: write the implementations whose prices all resolved, leave the "
                             "others out (n/a there) and print their errors")


def _region(text: str) -> tuple[str, str]:
    """``aws=eu-west-1`` -> ("aws", "eu-west-1"), the region checked against the provider's region names."""
    from infrar.infra.project import known_regions

    provider, sep, region = text.partition("=")
    if not sep and any(text in known_regions(p) for p in ("aws", "gcp", "azure")):
        return "", text  # a bare REGION: the one --provider's (checked in run)
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
    from infrar.cost.estimate import estimate
    from infrar.cost.report import render
    from infrar.infra.project import load_project

    regions = _regions(args)
    if args.fetch_prices:
        return _fetch(args, regions)
    project = load_project(args.project)
    models = _models(project.path, args.prices)
    if args.usage_template:
        from infrar.cost.usage_template import usage_template

        text = usage_template(project, args.provider, models, regions=regions)
    elif args.compare:
        from infrar.cost.compare import compare, load_previous

        text = compare(estimate(project, args.provider, models, regions), load_previous(args.compare),
                       args.compare)
    else:
        text = render(estimate(project, args.provider, models, regions), args.format)
    if args.output:
        _write(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


def _write(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)


def _regions(args: argparse.Namespace) -> dict[str, str]:
    """--region values by provider; a bare REGION is the one --provider's."""
    regions: dict[str, str] = {}
    for provider, region in args.region or ():
        if not provider:
            if len(args.provider or ()) != 1:
                raise InvalidArgument(f"--region {region}: name the provider (--region P={region}) or give "
                                      "exactly one --provider")
            provider = args.provider[0]
            try:
                _region(f"{provider}={region}")  # the region check of P=REGION
            except argparse.ArgumentTypeError as exc:
                raise InvalidArgument(f"--region: {exc}") from exc
        regions[provider] = region
    return regions


def _models(project_path: Path, extra: list[str]) -> dict[str, CostModel]:
    from infrar.cost.models import load_models
    from infrar.cost.pricing.files import price_files, with_price_files

    return with_price_files(load_models(), price_files(project_path, extra))


def _fetch(args: argparse.Namespace, regions: dict[str, str]) -> int:
    """--fetch-prices: one provider's region table from its price API, written beside the project."""
    from infrar.cost.models import load_models
    from infrar.cost.pricing.fetch import api_for, fetch_table
    from infrar.cost.pricing.files import PRICES_DIR

    if len(args.provider or ()) != 1 or set(regions) != set(args.provider):
        raise InvalidArgument("--fetch-prices needs one --provider P and its --region REGION, "
                              "e.g. --fetch-prices --provider azure --region westeurope")
    provider = args.provider[0]
    models = load_models()
    if provider not in models:
        raise InvalidArgument(f"--provider {provider}: no cost model; allowed: {', '.join(models)}")
    fetched = fetch_table(models[provider], regions[provider], api_for(provider), partial=args.partial)
    target = Path(args.output) if args.output else (
        Path(args.project).parent / PRICES_DIR / f"{provider}-{regions[provider]}.yaml")
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(target, fetched.text)
    print(f"wrote {target}: {len(fetched.priced)} implementation(s) priced in {regions[provider]}", file=sys.stderr)
    for impl, keys in fetched.unmapped.items():
        print(f"  not fetched: {impl} (no price source for {', '.join(keys)}); its lines are n/a there",
              file=sys.stderr)
    for impl, errors in fetched.failed.items():
        print(f"  not fetched: {impl}, its lines are n/a there:\n    " + "\n    ".join(errors), file=sys.stderr)
    return 0
