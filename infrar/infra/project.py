"""project.yaml: what an application runs (capabilities), uses (resources) and how much (usage).

``load_project(path)`` parses the file keeping the line and column of every key
(``project_yaml``), validates it against ``project.schema.json`` shipped beside this module
(``project_schema``) and the rules a schema cannot state (``project_rules``: unique names,
min <= max, ``uses`` and topic subscriptions name resources of the project, usage names and keys),
and returns the frozen dataclasses of ``project_model``. Every problem is reported as
``file:line:col: key: what is wrong; the fix``; all problems of a file are reported at once, in
file order, in one ``ProjectError``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infrar.infra import project_yaml
from infrar.infra.project_model import (
    CAPABILITY_TYPES,
    OBSERVABILITY,
    RESOURCE_DEFAULTS,
    RESOURCE_KINDS,
    USAGE_KEYS,
    Capability,
    Issue,
    Project,
    ProjectError,
    Resource,
)
from infrar.infra.project_rules import rule_issues
from infrar.infra.project_schema import schema, schema_issues

__all__ = [
    "CAPABILITY_TYPES",
    "OBSERVABILITY",
    "RESOURCE_KINDS",
    "USAGE_KEYS",
    "Capability",
    "Issue",
    "Project",
    "ProjectError",
    "Resource",
    "known_regions",
    "load_project",
    "parse_project",
    "schema",
]

_CAPABILITY_FIELDS = ("container_image", "cpu", "memory", "min_instances", "max_instances", "port",
                      "health_check_path", "schedule", "node_count", "node_size", "kubernetes_version")


def known_regions(provider: str) -> tuple[str, ...]:
    """The region names project.yaml's ``regions.<provider>`` accepts (empty: a provider it does not know)."""
    entry = schema()["properties"]["regions"]["properties"].get(provider, {})
    return tuple(entry.get("enum", ()))


def _capability(item: dict[str, Any], location: str) -> Capability:
    config = dict(item.get("config") or {})
    kwargs: dict[str, Any] = {k: config[k] for k in _CAPABILITY_FIELDS if k in config}
    if "cpu" in kwargs:
        kwargs["cpu"] = float(kwargs["cpu"])
    if item["type"] in ("web_application", "api_service"):
        kwargs.setdefault("port", 8080)
    env = {str(k): (str(v).lower() if isinstance(v, bool) else str(v))
           for k, v in (config.get("env") or {}).items()}
    uses = tuple(str(name) for name in item["uses"]) if "uses" in item else None
    return Capability(name=item["name"], type=item["type"], env=env, uses=uses,
                      description=str(item.get("description", "")), location=location, **kwargs)


def _resource(item: dict[str, Any], location: str) -> Resource:
    kind = item["type"]
    settings = dict(RESOURCE_DEFAULTS[kind])
    settings.update({k: v for k, v in item.items() if k not in ("name", "type", "description")})
    if "subscriptions" in settings:
        settings["subscriptions"] = tuple(settings["subscriptions"])
    return Resource(kind=kind, name=item["name"], settings=settings,
                    description=str(item.get("description", "")), location=location)


def _observability(data: dict[str, Any], capabilities: tuple[Capability, ...], location: str) -> Resource:
    """The top-level ``observability:`` as a resource every workload reaches, named after its kind."""
    settings = dict(RESOURCE_DEFAULTS[OBSERVABILITY])
    settings.update(data.get(OBSERVABILITY) or {})
    # namespace: the log group / bucket / workspace name; services: the workloads' service names
    settings["namespace"] = str(data.get("name") or "infrar")
    settings["services"] = tuple(c.name for c in capabilities if c.type != "container_orchestrator")
    return Resource(kind=OBSERVABILITY, name=OBSERVABILITY, settings=settings,
                    description="logs, metrics and traces of every workload", location=location)


def parse_project(text: str, path: str | Path = "project.yaml") -> Project:
    """Validate the text of a project.yaml; ``path`` is used in messages and kept on the Project."""
    file = str(path)
    data, marks, issues = project_yaml.read(text, file)
    issues += schema_issues(data, marks, file)
    if isinstance(data, dict):  # a value the schema rejects is not checked again against the rules
        reported = {i.key for i in issues}
        issues += [i for i in rule_issues(data, marks, file) if i.key not in reported]
    if issues:
        unique = {(i.line, i.column, i.key, i.message): i for i in issues}
        raise ProjectError(sorted(unique.values(), key=lambda i: (i.line, i.column, i.key)))

    def where(section: str, index: int) -> str:
        line, col = marks.at((section, index), key=True)
        return f"{file}:{line}:{col}"

    capabilities = tuple(_capability(item, where("capabilities", i))
                         for i, item in enumerate(data.get("capabilities") or ()))
    resources_ = tuple(_resource(item, where("resources", i))
                       for i, item in enumerate(data.get("resources") or ()))
    if OBSERVABILITY in data:
        line, col = marks.at((OBSERVABILITY,), key=True)
        resources_ += (_observability(data, capabilities, f"{file}:{line}:{col}"),)
    usage = {str(name): {str(k): float(v) for k, v in figures.items()}
             for name, figures in (data.get("usage") or {}).items()}
    regions = {str(provider): str(region) for provider, region in (data.get("regions") or {}).items()}
    return Project(path=Path(path), name=data.get("name"), capabilities=capabilities,
                   resources=resources_, usage=usage, description=str(data.get("description", "")),
                   regions=regions)


def load_project(path: str | Path = "project.yaml") -> Project:
    """Read and validate a project.yaml; ProjectError lists every problem with file:line:col."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        message = "no such file; create it (see examples/project.yaml) or pass its path"
        raise ProjectError([Issue(str(path), 1, 1, "(file)", message)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError([Issue(str(path), 1, 1, "(file)", f"cannot be read: {exc}")]) from exc
    return parse_project(text, path)
