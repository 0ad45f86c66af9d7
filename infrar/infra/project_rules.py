"""The rules of project.yaml a JSON Schema cannot state: they relate one part of the file to another.

- names are unique across capabilities and resources;
- ``min_instances <= max_instances``;
- no capability is named ``<warehouse>-jobs``: that is the database user of the warehouse's jobs
  (infrar.infra.data_wiring.job_client_name), beside one per workload named after it;
- a capability's ``uses`` names resources of the project (not capabilities, not typos);
- a topic's ``subscriptions`` name queues of the project;
- ``usage`` names capabilities or resources (or ``observability``), with the usage keys of their kind.
"""

from __future__ import annotations

from typing import Any

from infrar.infra.project_model import OBSERVABILITY, USAGE_KEYS, USAGE_MAXIMUM, Issue
from infrar.infra.project_yaml import Marks, PathT, dotted, shown, suggest

__all__ = ["JOBS_SUFFIX", "rule_issues"]

# a warehouse's jobs sign in to databases as "<warehouse>-jobs" (data_wiring.job_client_name)
JOBS_SUFFIX = "-jobs"


def rule_issues(data: dict[str, Any], marks: Marks, file: str) -> list[Issue]:
    issues: list[Issue] = []

    def add(path: PathT, message: str, *, key: bool = False) -> None:
        line, col = marks.at(path, key=key)
        issues.append(Issue(file, line, col, dotted(path), message))

    first_use: dict[str, PathT] = {}
    kinds: dict[str, str] = {}
    for section in ("capabilities", "resources"):
        for index, item in enumerate(_items(data, section)):
            if not isinstance(item.get("name"), str):
                continue
            name, path = item["name"], (section, index, "name")
            if name in first_use:
                line = marks.at(first_use[name])[0]
                add(path, f"{name!r} is already used by {dotted(first_use[name][:2])} (line {line}); "
                          "names must be unique across capabilities and resources")
            else:
                first_use[name] = path
                kinds[name] = str(item.get("type"))
            config = item.get("config") if section == "capabilities" else None
            if isinstance(config, dict):
                low, high = config.get("min_instances", 1), config.get("max_instances", 3)
                if _counts(low, high) and low > high:
                    add((section, index, "config", "max_instances"),
                        f"{high} is below min_instances ({low}); raise max_instances or lower min_instances")

    if OBSERVABILITY in data:  # the top-level key is an entry of that name (project.py)
        if OBSERVABILITY in first_use:
            add(first_use[OBSERVABILITY], f"{OBSERVABILITY!r} names the project's telemetry (the top-level "
                                          "observability: key); rename this entry")
        kinds[OBSERVABILITY] = OBSERVABILITY
    for name, where in first_use.items():
        owner = name.removesuffix(JOBS_SUFFIX)
        if where[0] == "capabilities" and owner != name and kinds.get(owner) == "warehouse":
            add(where, f"{name!r} is taken: the jobs of warehouse {owner!r} (line {marks.at(first_use[owner])[0]}) "
                      f"sign in to databases as {name!r}, and a workload signs in as a user named after "
                      "it; rename this capability")
    resources = {name for name, path in first_use.items() if path[0] == "resources"}
    for index, item in enumerate(_items(data, "capabilities")):
        uses = item.get("uses")
        for j, name in enumerate(uses if isinstance(uses, list) else ()):
            if not isinstance(name, str) or name in resources:
                continue
            where = ("capabilities", index, "uses", j)
            if name == OBSERVABILITY and OBSERVABILITY in data:
                add(where, "every workload reaches the project's observability without listing it; "
                           "remove it from uses")
            elif name in first_use:
                add(where, f"{name!r} is a capability, not a resource; uses lists the resources it reaches")
            else:
                add(where, f"no resource is named {name!r}; "
                           f"{suggest(name, resources, none='declare it under resources: first')}")

    queues = {name for name, kind in kinds.items() if kind == "queue"}
    for index, item in enumerate(_items(data, "resources")):
        if item.get("type") == "topic":
            subscriptions = item.get("subscriptions")
            for j, sub in enumerate(subscriptions if isinstance(subscriptions, list) else ()):
                if isinstance(sub, str) and sub not in queues:
                    add(("resources", index, "subscriptions", j),
                        f"{sub!r} is not a queue of this project; {suggest(sub, queues)}")
    usage = data.get("usage")
    if isinstance(usage, dict):
        for name, figures in usage.items():
            if name not in kinds:
                add(("usage", name), f"no capability or resource is named {name!r}; "
                                     f"{suggest(name, kinds)}", key=True)
                continue
            allowed = USAGE_KEYS.get(kinds[name], ())
            for key, value in figures.items() if isinstance(figures, dict) else ():
                if key not in allowed:
                    add(("usage", name, key), f"unknown usage key for a {kinds[name]}; "
                                              f"{suggest(key, allowed)}", key=True)
                elif _number(value) and value > USAGE_MAXIMUM.get(key, value):
                    add(("usage", name, key), f"{shown(value)} is too large; "
                                              f"allowed: 0 to {USAGE_MAXIMUM[key]:,}")
    return issues


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _counts(*values: Any) -> bool:
    """Whether all are instance counts in the schema's range (it reports the others)."""
    return all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 1000 for v in values)


def _items(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    """The mappings of a section (the schema reports anything else); index = position in the file."""
    items = data.get(section)
    if not isinstance(items, list):
        return []
    return [item if isinstance(item, dict) else {} for item in items]
