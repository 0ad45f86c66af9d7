"""The configuration each workload is started with: native variables plus what its resources need.

Resource modules output ``environment`` (variables without secrets: ``PGHOST``, a connection
string without a password ...) and ``secret_environment`` (variable -> where its value is kept:
a Secrets Manager ARN on AWS, a Secret Manager secret id on GCP, the value itself, sensitive, on
Azure, where Container Apps keep it as an app secret). A workload gets the ones of the resources it
``uses`` and nothing else; its platform injects the secret ones (ECS ``secrets``, Cloud Run
``secret_key_ref``, Container Apps ``secretRef``). GCP caches also output ``secret_files``
(mount directory -> secret id) for the server CA file that ``REDIS_CA_FILE_<CACHE>`` names.

The root outputs ``environment`` (the native variables and every resource's ``environment``)
and ``secret_environment`` (variable names and where they are kept), so a developer can run the
program outside the cloud with the same variables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from infrar.infra.hcl import Block, Expr, Value
from infrar.infra.project import OBSERVABILITY, Capability, Project

if TYPE_CHECKING:
    from infrar.infra.generate import _Placed

__all__ = ["MERGED", "environment_warnings", "root_outputs", "workload_arguments"]

# workload variable -> (resource output, how several are combined)
MERGED: dict[str, tuple[str, str]] = {
    "secret_environment": ("secret_environment", "merge"),
    "secret_files": ("secret_files", "merge"),
    "secret_kms_key_arns": ("secret_kms_key_arns", "concat"),
}


def _combine(function: str, references: Sequence[str]) -> Expr:
    if len(references) == 1:
        return Expr(references[0])
    return Expr(f"{function}(\n" + "".join(f"    {r},\n" for r in references) + "  )")


def workload_arguments(workload: _Placed, used: Sequence[_Placed]) -> dict[str, Value]:
    """``environment`` and the secret wiring of one workload, from the resources it uses."""
    declared = workload.variables
    wires: dict[str, Value] = {}
    if "environment" in declared:
        parts = [r.ref_to("environment") for r in used if "environment" in r.outputs]
        parts += [f'{r.ref_to("client_environment")}["{workload.entry.name}"]'
                  for r in used if "client_environment" in r.outputs]
        if any(r.entry.kind == OBSERVABILITY for r in used):  # the adapters' service.name
            parts.append(f'{{ OTEL_SERVICE_NAME = "{workload.entry.name}" }}')
        wires["environment"] = _combine("merge", ["local.environment", *parts])
    for variable, (output, function) in MERGED.items():
        parts = [r.ref_to(output) for r in used if output in r.outputs]
        if variable in declared and parts:
            wires[variable] = _combine(function, parts)
    ports = [Expr(r.ref_to("client_port")) for r in used if "client_port" in r.outputs]
    if "egress_ports" in declared and ports:
        wires["egress_ports"] = ports
    return wires


def root_outputs(resources: Sequence[_Placed], *, secret_values: bool) -> list[Block]:
    """The root's ``environment`` and ``secret_environment`` outputs."""
    parts = [r.ref_to("environment") for r in resources if "environment" in r.outputs]
    blocks = [Block("output", ("environment",), (
        ("description", "Native configuration for the application: set these environment variables."),
        ("value", _combine("merge", ["local.environment", *parts]) if parts else Expr("local.environment")),
    ))]
    secrets = [r.ref_to("secret_environment") for r in resources if "secret_environment" in r.outputs]
    if secrets:
        what = ("the values themselves (Container Apps secrets)" if secret_values
                else "the secret that holds each value")
        blocks.append(Block("output", ("secret_environment",), (
            ("description", f"Variables whose values are secrets, with {what}: the workloads get them injected."),
            ("value", _combine("merge", secrets)),
            ("sensitive", True),
        )))
    return blocks


# provider -> the variables that name a workload's one database server (PGDATABASE_<NAME> is per database)
_DATABASE_SERVER = {"aws": "PGHOST, PGUSER ...", "gcp": "INSTANCE_CONNECTION_NAME, DB_IAM_USER",
                    "azure": "AZURE_SQL_CONNECTIONSTRING"}


def environment_warnings(project: Project, provider: str) -> list[str]:
    """One line per workload whose resources would set the same variable twice.

    libpq's variables name one server, so a workload reaches one database through them (caches
    have variables of their own: ``REDIS_URL_<CACHE>``, ``REDIS_CA_FILE_<CACHE>`` on GCP); the
    data adapters' job and query settings (roles, scripts location, workgroup, Spark pool) are
    those of one warehouse.
    """
    kinds = {r.name: r.kind for r in project.resources}
    warnings: list[str] = []
    for capability in project.capabilities:
        if capability.type == "container_orchestrator":
            continue  # pods get their configuration from their own manifests
        used = _used_names(capability, kinds)
        for kind, variables in (("database", _DATABASE_SERVER.get(provider, "PGHOST, PGUSER ...")),
                                ("warehouse", "the job and query settings, GLUE_JOB_ROLE_ARN ...")):
            names = [n for n in used if kinds[n] == kind]
            if len(names) > 1:
                warnings.append(
                    f"{capability.location or project.path.name}: warning: capability {capability.name!r} uses "
                    f"{len(names)} {kind}s ({', '.join(names)}) on {provider}; their variables ({variables}) "
                    f"name one server, so it is configured for {names[-1]!r} only; split the capability or "
                    f"put the {kind}s on one server")
    return warnings


def _used_names(capability: Capability, kinds: dict[str, str]) -> list[str]:
    return list(kinds) if capability.uses is None else [n for n in capability.uses if n in kinds]
