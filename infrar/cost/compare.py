"""``infrar cost --compare PREVIOUS.json``: what changed since an earlier estimate, by how much.

PREVIOUS.json is the output of ``infrar cost --format json``. Each provider's total is compared,
then every line whose monthly cost changed, appeared or disappeared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infrar.cost.estimate import Estimate
from infrar.errors import InvalidArgument

__all__ = ["compare", "load_previous"]

_TITLES = {"aws": "AWS", "gcp": "GCP", "azure": "Azure"}


def load_previous(path: str | Path) -> dict[str, Any]:
    """The earlier JSON estimate; InvalidArgument naming the file when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidArgument(f"{path}: cannot read a previous estimate ({exc}); "
                              "write one with infrar cost --format json -o FILE") from exc
    if not isinstance(data, dict) or not isinstance(data.get("providers"), dict) or \
            not isinstance(data.get("lines"), list):
        raise InvalidArgument(f"{path}: not an infrar cost JSON estimate (no providers/lines); "
                              "write one with infrar cost --format json -o FILE")
    return data


def _change(before: float | None, after: float | None) -> str:
    if before is None:
        return f"new: ${after or 0:,.2f}"
    if after is None:
        return f"removed (was ${before:,.2f})"
    delta = after - before
    percent = f" ({delta / before:+.1%})" if before else ""
    return f"${before:,.2f} -> ${after:,.2f}: {'+' if delta >= 0 else '-'}${abs(delta):,.2f}{percent}"


def compare(est: Estimate, previous: dict[str, Any], source: str = "previous estimate") -> str:
    """The difference from ``previous`` to ``est``, per provider total and per changed line."""
    out = [f"Monthly cost of {est.project.name or est.project.path.stem} compared with {source}, "
           f"{est.currency}", ""]
    old_lines: dict[tuple[str, str], float | None] = {}
    for entry in previous["lines"]:
        for provider, cost in (entry.get("costs") or {}).items():
            old_lines[str(entry.get("name")), provider] = cost.get("monthly")
    new_lines = {(line.name, line.provider): (None if line.monthly is None else round(line.monthly, 2))
                 for line in est.lines}
    unpriced = {(line.name, line.provider): line.title for line in est.lines if line.monthly is None}
    providers = list(dict.fromkeys([*est.providers, *previous["providers"]]))
    for provider in providers:
        before = (previous["providers"].get(provider) or {}).get("total")
        after = round(est.total(provider), 2) if provider in est.providers else None
        incomplete = provider in est.providers and not est.complete(provider)
        out.append(f"{_TITLES.get(provider, provider)} total: {_change(before, after)}"
                   + (" (now incomplete: its n/a lines are left out)" if incomplete else ""))
        was_region = (previous["providers"].get(provider) or {}).get("region")
        region = est.models[provider].region if provider in est.providers else None
        if was_region and region and was_region != region:  # the same project priced elsewhere
            out.append(f"  region: {was_region} -> {region}")
        changed = [(name, old_lines.get((name, p)), new_lines.get((name, p)))
                   for name, p in dict.fromkeys([*old_lines, *new_lines]) if p == provider]
        for name, was, now in changed:
            if (name, provider) in unpriced and was is not None:  # still there, but not priced now
                out.append(f"  {name}: n/a, {unpriced[name, provider]} (was ${was:,.2f})")
            elif was != now or ((name, provider) in old_lines) != ((name, provider) in new_lines):
                out.append(f"  {name}: {_change(was, now)}")
    return "\n".join(out) + "\n"
