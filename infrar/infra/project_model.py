"""The dataclasses of project.yaml and the names it may use: what a validated project is.

``project.py`` builds these from a file; ``generate`` and ``cost`` read them. Everything here is
frozen: a Project is a value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infrar.errors import InfrarError

__all__ = [
    "CAPABILITY_TYPES",
    "OBSERVABILITY",
    "RESOURCE_DEFAULTS",
    "RESOURCE_KINDS",
    "USAGE_KEYS",
    "USAGE_MAXIMUM",
    "Capability",
    "Issue",
    "Project",
    "ProjectError",
    "Resource",
]

CAPABILITY_TYPES = ("web_application", "api_service", "background_worker", "container_orchestrator")
RESOURCE_KINDS = ("bucket", "database", "queue", "topic", "cache", "warehouse")
# The top-level ``observability:`` key becomes a resource of this kind and name, which every
# workload reaches whatever its ``uses`` says (telemetry is not access to data).
OBSERVABILITY = "observability"

# Usage figures a project may give per capability or resource (Infracost's usage file is the model).
# Cost models read these names; each model states its default for the ones it reads.
USAGE_KEYS: dict[str, tuple[str, ...]] = {
    "web_application": ("hours", "average_instances", "monthly_requests", "egress_gb", "log_gb"),
    "api_service": ("hours", "average_instances", "monthly_requests", "egress_gb", "log_gb"),
    "background_worker": ("hours", "average_instances", "egress_gb", "log_gb"),
    "container_orchestrator": ("hours", "egress_gb", "log_gb"),
    "bucket": ("storage_gb", "monthly_write_requests", "monthly_read_requests", "egress_gb"),
    "database": ("hours", "backup_gb"),
    "queue": ("monthly_messages", "message_kb"),
    "topic": ("monthly_messages", "message_kb"),
    "cache": ("hours",),
    "warehouse": ("storage_gb", "monthly_tb_scanned", "job_hours"),
    # project-wide telemetry (the top-level observability: key), all workloads together
    "observability": ("log_gb", "metric_series", "monthly_spans"),
}

# Upper bounds tighter than the schema's 10^12 for every usage figure: a month has at most 744
# hours, and no capability runs more instances than max_instances allows (1000).
USAGE_MAXIMUM: dict[str, float] = {"hours": 744, "average_instances": 1000}

# Settings of each resource kind with their defaults (keys without a default stay absent).
RESOURCE_DEFAULTS: dict[str, dict[str, Any]] = {
    "bucket": {"versioning": False},
    "database": {"engine": "postgres", "size": "small", "storage_gb": 20, "high_availability": False,
                 "backup_retention_days": 7},
    "queue": {"fifo": False, "visibility_timeout_seconds": 30, "dead_letter": True},
    "topic": {"subscriptions": ()},
    "cache": {"engine": "redis", "size": "small", "high_availability": False},
    "warehouse": {},
    "observability": {"retention_days": 30},
}


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
    # Names of the resources its identity may reach, in file order. None: ``uses`` is not declared
    # and it reaches every resource of the project; () : it reaches none.
    uses: tuple[str, ...] | None = None
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
    # provider -> region (``regions:``): the root module's default region and the prices infrar cost uses
    regions: Mapping[str, str] = field(default_factory=dict, hash=False)

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
