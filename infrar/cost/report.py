"""Render an Estimate as a text table, JSON, CSV or Markdown.

Every format has one row per capability/resource and one column per provider, the totals, and
marks (``*``) the lines whose cost depends on usage figures that were defaulted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from infrar.cost.breakdown import component_json, render_breakdown
from infrar.cost.estimate import Estimate, Line

__all__ = ["FORMATS", "render"]

TITLES = {"aws": "AWS", "gcp": "GCP", "azure": "Azure"}
MARK = "*"


def _title(provider: str) -> str:
    return TITLES.get(provider, provider)


def _money(value: float | None, currency: str) -> str:
    if value is None:
        return "n/a"
    amount = f"{value:,.2f}"
    return f"${amount}" if currency == "USD" else f"{amount} {currency}"


def _cell(line: Line | None, currency: str) -> str:
    if line is None:
        return ""
    return _money(line.monthly, currency) + (MARK if line.depends_on_usage else "")


def _heading(est: Estimate) -> str:
    name = est.project.name or est.project.path.stem
    return f"Monthly cost of {name} ({est.project.path}), {est.currency}"


def _footnotes(est: Estimate) -> list[str]:
    notes: list[str] = []
    depends = est.depends_on_usage()
    if depends:
        notes.append(f"{MARK} depends on usage figures that were defaulted; set them under usage: in "
                     f"{est.project.path.name}:")
        notes.extend(f"    {name}: {', '.join(keys)}" for name, keys in depends.items())
    missing = sorted({(line.provider, line.kind, line.unpriced or "") for line in est.lines if line.monthly is None})
    notes.extend(_missing(est, p, kind, impl_id) for p, kind, impl_id in missing)
    for provider in est.providers:
        model = est.models[provider]
        dates = sorted({str(i.taken) for i in model.implementations.values()})
        # the files of the implementations priced here (observability's is one of its own)
        files = sorted({model.implementations[line.implementation].file for line in est.lines
                        if line.provider == provider and line.implementation is not None
                        and line.implementation in model.implementations})
        notes.append(f"{_title(provider)}: {model.region or 'list'} prices from {' and '.join(files or [model.file])}, "
                     f"taken {', '.join(dates)}")
    return notes


def _missing(est: Estimate, provider: str, kind: str, impl_id: str) -> str:
    model = est.models[provider]
    unpriced = model.unpriced.get(impl_id)
    if unpriced is None:
        return f"n/a: {_title(provider)} has no cost model for {kind}; its total leaves it out"
    return (f"n/a: {_title(provider)} has no {model.region} prices recorded for {kind} ({unpriced.id}); its total "
            f"leaves it out (add them under regions.{model.region} in {unpriced.file})")


def _grid(est: Estimate) -> tuple[list[str], list[list[str]], list[str]]:
    header = ["Name", "Kind", *(_title(p) for p in est.providers)]
    body = [[name, kind, *(_cell(lines.get(p), est.currency) for p in est.providers)]
            for name, kind, lines in est.rows()]
    totals = ["Total", "", *(_money(est.total(p), est.currency) + ("" if est.complete(p) else "+")
                             for p in est.providers)]
    return header, body, totals


def render_table(est: Estimate) -> str:
    header, body, totals = _grid(est)
    rows = [header, *body, totals]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

    def fmt(row: list[str]) -> str:
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines = [_heading(est), "", fmt(header), rule, *(fmt(r) for r in body), rule, fmt(totals), ""]
    return "\n".join(lines + _footnotes(est)) + "\n"


def render_markdown(est: Estimate) -> str:
    header, body, totals = _grid(est)

    def fmt(row: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace(MARK, "\\" + MARK) for c in row) + " |"

    align = "| " + " | ".join(["---", "---", *("---:" for _ in est.providers)]) + " |"
    bold_totals = [f"**{c}**" if c else c for c in totals]
    notes = [("  - " if note.startswith("    ") else "- ") + note.strip().replace(MARK, "\\" + MARK, 1)
             for note in _footnotes(est)]
    lines = [f"**{_heading(est)}**", "", fmt(header), align, *(fmt(r) for r in body),
             "| " + " | ".join(bold_totals) + " |", "", *notes]
    return "\n".join(lines) + "\n"


def render_csv(est: Estimate) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "kind", *est.providers, "depends_on_usage"])
    depends = est.depends_on_usage()
    for name, kind, lines in est.rows():
        costs = [_number(lines[p].monthly) if p in lines else "" for p in est.providers]
        writer.writerow([name, kind, *costs, " ".join(depends.get(name, ()))])
    writer.writerow(["TOTAL", "", *(_number(est.total(p)) for p in est.providers), ""])
    writer.writerow(["REGION", "", *(est.models[p].region for p in est.providers), ""])  # where it is priced
    return out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _line_json(line: Line) -> dict[str, Any]:
    return {
        "implementation": line.implementation,
        "title": line.title,
        "instance_type": line.instance_type,
        "monthly": None if line.monthly is None else round(line.monthly, 2),
        "depends_on_usage": list(line.depends_on_usage),
        "defaulted_usage": list(line.defaulted),
        "inputs": {k: round(v, 10) for k, v in line.inputs.items()},
        "components": [component_json(c) for c in line.components],
    }


def render_json(est: Estimate) -> str:
    doc = {
        "project": est.project.name,
        "file": str(est.project.path),
        "currency": est.currency,
        "period": "month",
        "providers": {
            p: {"region": est.models[p].region, "priced_regions": list(est.models[p].priced_regions),
                "model": est.models[p].file,
                "total": round(est.total(p), 2), "complete": est.complete(p)}
            for p in est.providers
        },
        "lines": [
            {"name": name, "kind": kind, "costs": {p: _line_json(line) for p, line in lines.items()}}
            for name, kind, lines in est.rows()
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


FORMATS: dict[str, Callable[[Estimate], str]] = {
    "table": render_table,
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "breakdown": render_breakdown,
}


def render(est: Estimate, fmt: str = "table") -> str:
    try:
        return FORMATS[fmt](est)
    except KeyError:
        from infrar.errors import InvalidArgument

        raise InvalidArgument(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None
