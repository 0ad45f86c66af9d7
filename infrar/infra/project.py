"""project.yaml: what an application runs (capabilities), uses (resources) and how much (usage).

``load_project(path)`` parses the file keeping the line and column of every key, validates it
against ``project.schema.json`` (shipped beside this module) and a few rules a schema cannot state
(unique names, min <= max, topic subscriptions name queues, usage names and keys), and returns
frozen dataclasses. Every problem is reported as ``file:line:col: key: what is wrong; the fix``;
all problems of a file are reported at once, in file order, in one ``ProjectError``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from infrar.errors import InfrarError, MissingDependency

__all__ = [
    "CAPABILITY_TYPES",
    "RESOURCE_KINDS",
    "USAGE_KEYS",
    "Capability",
    "Issue",
    "Project",
    "ProjectError",
    "Resource",
    "load_project",
    "parse_project",
]

CAPABILITY_TYPES = ("web_application", "api_service", "background_worker", "container_orchestrator")
RESOURCE_KINDS = ("bucket", "database", "queue", "topic", "cache", "warehouse")

# Usage figures a project may give per capability or resource (Infracost's usage file is the model).
# Cost models read these names; each model states its default for the ones it reads.
USAGE_KEYS: dict[str, tuple[str, ...]] = {
    "web_application": ("hours", "average_instances", "monthly_requests", "egress_gb"),
    "api_service": ("hours", "average_instances", "monthly_requests", "egress_gb"),
    "background_worker": ("hours", "average_instances", "egress_gb"),
    "container_orchestrator": ("hours", "egress_gb"),
    "bucket": ("storage_gb", "monthly_write_requests", "monthly_read_requests", "egress_gb"),
    "database": ("hours", "backup_gb"),
    "queue": ("monthly_messages", "message_kb"),
    "topic": ("monthly_messages", "message_kb"),
    "cache": ("hours",),
    "warehouse": ("storage_gb", "monthly_tb_scanned"),
}

# Settings of each resource kind with their defaults (keys without a default stay absent).
RESOURCE_DEFAULTS: dict[str, dict[str, Any]] = {
    "bucket": {"versioning": False},
    "database": {"engine": "postgres", "size": "small", "storage_gb": 20, "high_availability": False,
                 "backup_retention_days": 7},
    "queue": {"fifo": False, "visibility_timeout_seconds": 30, "dead_letter": False},
    "topic": {"subscriptions": ()},
    "cache": {"engine": "redis", "size": "small", "high_availability": False},
    "warehouse": {},
}

SCHEMA_RESOURCE = "project.schema.json"


class ProjectError(InfrarError, ValueError):
    """project.yaml is invalid; ``issues`` holds every problem, each with file, line and column."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass(frozen=True)
class Issue:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    key: str  # e.g. "resources[1].engine"
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.key}: {self.message}"


@dataclass(frozen=True)
class Capability:
    """Something that runs: a container service, a worker, or a Kubernetes cluster."""

    name: str
    type: str
    container_image: str | None = None
    cpu: float = 0.5  # vCPU
    memory: int = 1024  # MiB
    min_instances: int = 1
    max_instances: int = 3
    port: int | None = None  # web_application / api_service: 8080 unless given
    env: Mapping[str, str] = field(default_factory=dict, hash=False)
    health_check_path: str = "/"
    schedule: str | None = None  # background_worker: cron; None = always running
    node_count: int = 3  # container_orchestrator
    node_size: str = "medium"  # container_orchestrator: small | medium | large | xlarge
    kubernetes_version: str | None = None
    description: str = ""
    location: str = field(default="", compare=False)  # "project.yaml:5:5", for messages

    @property
    def kind(self) -> str:
        return self.type


@dataclass(frozen=True)
class Resource:
    """Something used: bucket, database, queue, topic, cache or warehouse."""

    kind: str
    name: str
    settings: Mapping[str, Any] = field(default_factory=dict, hash=False)  # defaults filled in
    description: str = ""
    location: str = field(default="", compare=False)


@dataclass(frozen=True)
class Project:
    path: Path
    name: str | None
    capabilities: tuple[Capability, ...] = ()
    resources: tuple[Resource, ...] = ()
    usage: Mapping[str, Mapping[str, float]] = field(default_factory=dict, hash=False)
    description: str = ""

    def entries(self) -> Iterator[Capability | Resource]:
        """Capabilities then resources, in file order."""
        yield from self.capabilities
        yield from self.resources

    def kind_of(self, name: str) -> str | None:
        for entry in self.entries():
            if entry.name == name:
                return entry.kind
        return None

    def resource(self, kind: str, name: str) -> Resource | None:
        return next((r for r in self.resources if r.kind == kind and r.name == name), None)


# --- YAML with positions ------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


class _Marks:
    """Line/column of every key and value of a composed YAML document, by path."""

    def __init__(self) -> None:
        self.key: dict[Path_, tuple[int, int]] = {}
        self.value: dict[Path_, tuple[int, int]] = {}
        self.duplicates: list[tuple[Path_, tuple[int, int]]] = []

    def walk(self, node: yaml.Node, path: Path_ = ()) -> None:
        self.value[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if key in seen:
                    self.duplicates.append(((*path, key), where))
                seen.add(key)
                self.key[(*path, key)] = where
                self.walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.key[(*path, index)] = (item.start_mark.line + 1, item.start_mark.column + 1)
                self.walk(item, (*path, index))

    def at(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Position of ``path`` (its key if ``key``), else of its nearest ancestor."""
        while True:
            found = (self.key if key else self.value).get(path) or self.value.get(path)
            if found is not None or not path:
                return found or (1, 1)
            path = path[:-1]


def _dotted(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _suggest(word: str, choices: Iterable[str]) -> str:
    options = sorted(str(c) for c in choices)
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "allowed: " + ", ".join(options) if options else "no keys are allowed here"


def _type_word(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{value!r} (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{value!r} ({'a string' if isinstance(value, str) else 'a number'})"


_JSON_TYPES = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "a whole number",
               "number": "a number", "boolean": "true or false", "null": "null"}


# --- schema validation --------------------------------------------------------------------------

@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema of project.yaml shipped in this package."""
    text = resources.files("infrar.infra").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _schema_issues(data: Any, marks: _Marks, file: str) -> list[Issue]:
    try:
        import jsonschema
    except ImportError as exc:
        raise MissingDependency(
            f"validating {file} needs the jsonschema package: pip install 'infrar[infra]'"
        ) from exc

    validator = jsonschema.Draft202012Validator(schema())
    issues: list[Issue] = []
    for error in validator.iter_errors(data):
        path: Path_ = tuple(error.absolute_path)
        kind, sub, value = error.validator, error.schema, error.instance
        hint = f"; {sub['x-hint']}" if isinstance(sub, dict) and "x-hint" in sub else ""
        if kind == "additionalProperties" and isinstance(value, dict):
            allowed = list(sub.get("properties", {}))
            for key in value:
                if key not in allowed:
                    line, col = marks.at((*path, key), key=True)
                    msg = f"unknown key; {_suggest(key, allowed)}"
                    issues.append(Issue(file, line, col, _dotted((*path, key)), msg))
            continue
        if kind == "required":
            missing = [k for k in error.validator_value if isinstance(value, dict) and k not in value]
            for key in missing:
                line, col = marks.at(path)
                issues.append(Issue(file, line, col, _dotted((*path, key)), "missing required key"))
            continue
        if "propertyNames" in error.absolute_schema_path:  # a key breaks a rule on key names
            line, col = marks.at((*path, str(value)), key=True)
            issues.append(Issue(file, line, col, _dotted((*path, str(value))), f"invalid key{hint}"))
            continue
        if kind in ("enum", "const"):
            options = [str(v) for v in (error.validator_value if kind == "enum" else [error.validator_value])]
            msg = f"{value!r} is not allowed; allowed: {', '.join(options)}"
            close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
            if close and len(options) > 1:
                msg += f" (did you mean {close[0]!r}?)"
        elif kind == "type":
            wanted = error.validator_value
            wanted = wanted if isinstance(wanted, list) else [wanted]
            words = " or ".join(_JSON_TYPES.get(str(w), str(w)) for w in wanted)
            msg = f"expected {words}, got {_type_word(value)}{hint}"
        elif kind == "pattern" or (kind in ("minLength", "maxLength") and "x-hint" in sub):
            msg = f"{value!r} is not valid{hint}"
        elif kind in ("minLength", "maxLength"):
            msg = f"{value!r} is too {'short' if kind == 'minLength' else 'long'}; " \
                  f"{'at least' if kind == 'minLength' else 'at most'} {error.validator_value} characters"
        elif kind in ("minimum", "exclusiveMinimum"):
            bound = "at least" if kind == "minimum" else "more than"
            msg = f"{value!r} is too small; must be {bound} {error.validator_value}"
        elif kind in ("maximum", "exclusiveMaximum"):
            bound = "at most" if kind == "maximum" else "less than"
            msg = f"{value!r} is too large; must be {bound} {error.validator_value}"
        elif kind == "uniqueItems":
            msg = "items must not repeat; remove the duplicates"
        else:  # pragma: no cover - every keyword the schema uses is handled above
            msg = error.message
        line, col = marks.at(path)
        issues.append(Issue(file, line, col, _dotted(path), msg))
    return issues


# --- rules a schema cannot state ----------------------------------------------------------------

def _rule_issues(data: dict[str, Any], marks: _Marks, file: str) -> list[Issue]:
    issues: list[Issue] = []

    def add(path: Path_, message: str, *, key: bool = False) -> None:
        line, col = marks.at(path, key=key)
        issues.append(Issue(file, line, col, _dotted(path), message))

    first_use: dict[str, Path_] = {}
    kinds: dict[str, str] = {}
    for section in ("capabilities", "resources"):
        for index, item in enumerate(data.get(section) or ()):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            name, path = item["name"], (section, index, "name")
            if name in first_use:
                line = marks.at(first_use[name])[0]
                add(path, f"{name!r} is already used by {_dotted(first_use[name][:2])} (line {line}); "
                          "names must be unique across capabilities and resources")
            else:
                first_use[name] = path
                kinds[name] = str(item.get("type"))
            config = item.get("config") if section == "capabilities" else None
            if isinstance(config, dict):
                low, high = config.get("min_instances", 1), config.get("max_instances", 3)
                if isinstance(low, int) and isinstance(high, int) and low > high:
                    add((section, index, "config", "max_instances"),
                        f"{high} is below min_instances ({low}); raise max_instances or lower min_instances")
    queues = {name for name, kind in kinds.items() if kind == "queue"}
    for index, item in enumerate(data.get("resources") or ()):
        if isinstance(item, dict) and item.get("type") == "topic":
            for j, sub in enumerate(item.get("subscriptions") or ()):
                if isinstance(sub, str) and sub not in queues:
                    add(("resources", index, "subscriptions", j),
                        f"{sub!r} is not a queue of this project; {_suggest(sub, queues)}")
    usage = data.get("usage")
    if isinstance(usage, dict):
        for name, figures in usage.items():
            if name not in kinds:
                add(("usage", name), f"no capability or resource is named {name!r}; "
                                     f"{_suggest(name, kinds)}", key=True)
                continue
            allowed = USAGE_KEYS.get(kinds[name], ())
            for key in figures if isinstance(figures, dict) else ():
                if key not in allowed:
                    add(("usage", name, key), f"unknown usage key for a {kinds[name]}; "
                                              f"{_suggest(key, allowed)}", key=True)
    return issues


# --- building the dataclasses -------------------------------------------------------------------

_CAPABILITY_FIELDS = ("container_image", "cpu", "memory", "min_instances", "max_instances", "port",
                      "health_check_path", "schedule", "node_count", "node_size", "kubernetes_version")


def _capability(item: dict[str, Any], location: str) -> Capability:
    config = dict(item.get("config") or {})
    kwargs: dict[str, Any] = {k: config[k] for k in _CAPABILITY_FIELDS if k in config}
    if "cpu" in kwargs:
        kwargs["cpu"] = float(kwargs["cpu"])
    if item["type"] in ("web_application", "api_service"):
        kwargs.setdefault("port", 8080)
    env = {str(k): (str(v).lower() if isinstance(v, bool) else str(v))
           for k, v in (config.get("env") or {}).items()}
    return Capability(name=item["name"], type=item["type"], env=env,
                      description=str(item.get("description", "")), location=location, **kwargs)


def _resource(item: dict[str, Any], location: str) -> Resource:
    kind = item["type"]
    settings = dict(RESOURCE_DEFAULTS[kind])
    settings.update({k: v for k, v in item.items() if k not in ("name", "type", "description")})
    if "subscriptions" in settings:
        settings["subscriptions"] = tuple(settings["subscriptions"])
    return Resource(kind=kind, name=item["name"], settings=settings,
                    description=str(item.get("description", "")), location=location)


def parse_project(text: str, path: str | Path = "project.yaml") -> Project:
    """Validate the text of a project.yaml; ``path`` is used in messages and kept on the Project."""
    file = str(path)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        raise ProjectError([Issue(file, line, col, "(yaml)", f"{problem}; fix the YAML syntax")]) from exc
    finally:
        loader.dispose()
    if data is None or node is None:
        raise ProjectError([Issue(file, 1, 1, "(top level)",
                                  "the file is empty; declare at least capabilities: or resources:")])
    marks = _Marks()
    marks.walk(node)
    issues = [Issue(file, line, col, _dotted(p), "duplicate key; each key may appear once per mapping")
              for p, (line, col) in marks.duplicates]
    issues += _schema_issues(data, marks, file)
    if isinstance(data, dict):
        issues += _rule_issues(data, marks, file)
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
    usage = {str(name): {str(k): float(v) for k, v in figures.items()}
             for name, figures in (data.get("usage") or {}).items()}
    return Project(path=Path(path), name=data.get("name"), capabilities=capabilities,
                   resources=resources_, usage=usage, description=str(data.get("description", "")))


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
