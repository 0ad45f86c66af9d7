"""The user's price files: region tables beside the project, read by ``infrar cost``.

A price file (what ``--fetch-prices`` writes, or one written by hand) is ``provider:``,
``currency:`` and ``regions:`` in the cost models' format. ``infrar cost`` reads every
``cost_prices/*.yaml`` beside project.yaml, then each ``--prices FILE``; a region a file prices
is added to the provider's priced regions (over a built-in table of that region, per implementation).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import yaml

from infrar.cost.model_yaml import CostModelError, error, mapping, source_of, unknown_keys
from infrar.cost.models import CostModel
from infrar.cost.regions import merge_regions, parse_regions
from infrar.infra.project_yaml import Loader

__all__ = ["PRICES_DIR", "price_files", "with_price_files"]

PRICES_DIR = "cost_prices"
_KEYS = ("provider", "currency", "regions")


def price_files(project_path: Path, extra: Iterable[str] = ()) -> list[Path]:
    """``cost_prices/*.yaml`` beside the project (sorted), then the files given with --prices."""
    folder = project_path.parent / PRICES_DIR
    found = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    return [*found, *(Path(p) for p in extra)]


def _apply(models: dict[str, CostModel], path: Path) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CostModelError(f"{path}: cannot read the price file ({exc.strerror})") from exc
    try:
        raw = yaml.load(text, Loader=Loader)
    except yaml.YAMLError as exc:
        raise CostModelError(f"{path}: not valid YAML: {exc}") from exc
    file = source_of(str(path), text)
    data = mapping(raw, file, "(top level)")
    unknown_keys(data, _KEYS, file, "")
    provider = str(data.get("provider", ""))
    model = models.get(provider)
    if model is None:
        raise error(file, "provider", f"{provider!r} has no cost model; allowed: {', '.join(models)}")
    currency = str(data.get("currency", model.currency))
    if currency != model.currency:
        raise error(file, "currency", f"{currency} prices cannot be added to {model.file}'s {model.currency}")
    tables = parse_regions(data.get("regions"), model.implementations, provider, model.region, file)
    models[provider] = replace(model, regions=merge_regions(model.regions, tables))


def with_price_files(models: Mapping[str, CostModel], files: Iterable[Path]) -> dict[str, CostModel]:
    """``models`` with the regions the price ``files`` record."""
    merged = dict(models)
    for path in files:
        _apply(merged, path)
    return merged
