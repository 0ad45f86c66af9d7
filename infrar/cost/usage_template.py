"""``infrar cost --usage-template``: every usage figure the project's lines read, ready to fill in.

One mapping per capability and resource, with each usage key its cost models read and the
value they assume when it is left out (per provider when the providers assume different ones),
in YAML to paste under ``usage:`` in project.yaml (Infracost's usage file is the model).
"""

from __future__ import annotations

from collections.abc import Mapping

from infrar.cost.estimate import estimate
from infrar.cost.models import CostModel
from infrar.infra.project import USAGE_KEYS, Project

__all__ = ["usage_template"]


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def usage_template(project: Project, providers: list[str] | None = None,
                   models: Mapping[str, CostModel] | None = None, regions: Mapping[str, str] | None = None) -> str:
    """The YAML ``usage:`` section for ``project`` with the defaults its cost models assume."""
    est = estimate(project, providers, models, regions)
    out = [f"# Usage figures infrar cost reads for {project.name or project.path.stem} ({project.path}).",
           "# Each value is what the cost models assume when it is left out; replace it with your",
           "# own figure and paste this under usage: in project.yaml (a key set there is never defaulted).",
           "usage:"]
    for name, kind, lines in est.rows():
        assumed: dict[str, dict[str, float]] = {}
        for provider, line in lines.items():
            for key in line.defaulted:
                assumed.setdefault(key, {})[provider] = line.inputs[key]
        set_here = project.usage.get(name, {})
        keys = [k for k in USAGE_KEYS.get(kind, ()) if k in assumed or k in set_here]
        if not keys:
            continue
        out.append(f"  {name}:")
        for key in keys:
            if key in set_here:
                out.append(f"    {key}: {_number(set_here[key])}  # set in {project.path.name}")
                continue
            values = assumed[key]
            first = next(iter(values.values()))
            note = ("" if len(set(values.values())) == 1 else
                    "  # assumed: " + ", ".join(f"{_number(v)} on {p}" for p, v in values.items()))
            out.append(f"    {key}: {_number(first)}{note}")
    return "\n".join(out) + "\n"
