"""The per-resource cost breakdown (Infracost's): each line's components with monthly quantity,
unit, unit price and cost, per provider; then the totals of every provider side by side."""

from __future__ import annotations

from typing import Any

from infrar.cost.components import Component
from infrar.cost.estimate import Estimate, Line

__all__ = ["component_json", "render_breakdown"]

_TITLES = {"aws": "AWS", "gcp": "GCP", "azure": "Azure"}


def _quantity(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.4g}"


def _price(value: float) -> str:
    return f"{value:,.6f}".rstrip("0").rstrip(".") if value < 1 else f"{value:,.2f}"


def component_json(component: Component) -> dict[str, Any]:
    return {"name": component.name, "unit": component.unit, "monthly_quantity": round(component.quantity, 6),
            "unit_price": component.unit_price, "monthly_cost": round(component.monthly, 2)}


def _rows(line: Line, currency: str) -> list[list[str]]:
    sign = "$" if currency == "USD" else ""
    return [[f"    {c.name}", _quantity(c.quantity), c.unit, f"{sign}{_price(c.unit_price)}",
             f"{sign}{c.monthly:,.2f}"] for c in line.components]


def render_breakdown(est: Estimate) -> str:
    sign = "$" if est.currency == "USD" else ""
    table: list[list[str]] = [["Component", "Monthly qty", "Unit", "Unit price", "Monthly cost"]]
    for name, kind, lines in est.rows():
        table.append([f"{name} ({kind})", "", "", "", ""])
        for provider in est.providers:
            line = lines.get(provider)
            if line is None or line.monthly is None:
                table.append([f"  {_TITLES.get(provider, provider)}: no cost model", "", "", "", "n/a"])
                continue
            what = f"  {_TITLES.get(provider, provider)}: {line.title}"
            if line.instance_type:
                what += f" [{line.instance_type}]"
            table.append([what, "", "", "", f"{sign}{line.monthly:,.2f}"])
            table.extend(_rows(line, est.currency))
    parts = [row for row in table if row[0].startswith("    ") or row is table[0]]
    widths = [max(len(row[i]) for row in parts) for i in range(5)]
    full = sum(widths) + 2 * 4

    def fmt(row: list[str]) -> str:
        if not row[0].startswith("    ") and row is not table[0]:  # a resource or provider heading
            return (row[0] + "  " + row[4].rjust(max(0, full - len(row[0]) - 2))).rstrip()
        cells = [row[0].ljust(widths[0]), row[1].rjust(widths[1]), row[2].ljust(widths[2]),
                 row[3].rjust(widths[3]), row[4].rjust(widths[4])]
        return "  ".join(cells).rstrip()

    name = est.project.name or est.project.path.stem
    out = [f"Cost breakdown of {name} ({est.project.path}), {est.currency} per month", "",
           fmt(table[0]), "  ".join("-" * w for w in widths)]
    out.extend(fmt(row) for row in table[1:])
    out.append("")
    totals = "  ".join(f"{_TITLES.get(p, p)} {sign}{est.total(p):,.2f}{'' if est.complete(p) else '+'}"
                       + (f" ({est.models[p].region})" if est.models[p].region else "") for p in est.providers)
    out.append(f"Total: {totals}")
    return "\n".join(out) + "\n"
