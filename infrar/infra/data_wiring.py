"""Wiring of warehouse modules beyond the generic one: what the jobs they run may reach.

A warehouse's jobs run the program's scripts, which reach infrar storage, databases and queues
like the workload that started them, so they reach what those workloads reach and nothing more:
- AWS: a warehouse module that declares ``job_policy_statements`` gets the ``policy_statements``
  of every other resource used by the workloads that use the warehouse (its Glue job role's);
- GCP / Azure: every other resource those workloads use admits the warehouse's job identity
  (``job_member``: the Cloud Run jobs' service account; ``job_principal_id``: the Synapse
  workspace identity Spark jobs run as) next to theirs in ``members`` / ``principal_ids``.
When those workloads reach private databases or caches, the jobs run in the project's network
(``job_subnet_ids``/``job_egress_ports`` on AWS, the Glue jobs' security group then admitted by
those resources; ``job_network_id`` on GCP; ``job_private_endpoints`` on Azure: managed private
endpoints of the Synapse workspace). Azure: a warehouse module that declares
``client_identities`` gets, by workload name, the display name of each user's managed identity
(``identity_name``): Synapse serverless SQL users are created from Entra principals by name (its
``grant_sql``, in the root output ``database_grants``).
Jobs sign in to those databases as their starters do, each with a database user of its own
identity where the database makes one per client: AWS, the job role gets each starter's
``client_policy_statements`` (rds-db:connect as the starter's role, whose PGUSER the job carries,
infrar.data.scripts); GCP / Azure, the job identity is one more client (``job_clients``: a Cloud SQL
IAM user with cloudsql.client and instanceUser; an Entra role in the database's ``grant_sql``) named
``<warehouse>-jobs``, the user the warehouse environment hands the job (INFRAR_JOB_DB_IAM_USER,
INFRAR_JOB_PGUSER).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from infrar.infra.hcl import Expr, Value
from infrar.infra.project_rules import JOBS_SUFFIX

if TYPE_CHECKING:
    from infrar.infra.generate import _Placed

__all__ = ["JOB_CLIENTS", "JOB_IDENTITIES", "job_client_name", "job_clients", "job_identities", "warehouse_arguments"]

# warehouse output -> variable of a resource module that admits identities through it
# (job_security_group_id: the Glue jobs' network interfaces, AWS, when the jobs run in the VPC)
JOB_IDENTITIES = {"job_member": "members", "job_principal_id": "principal_ids",
                  "job_security_group_id": "client_security_group_ids"}
# warehouse output -> map variable (client name -> identity) of a database that makes a user per client
JOB_CLIENTS = {"job_member": "client_members", "job_principal_id": "client_principals"}
# variable a private resource module declares -> the warehouse's network arguments it calls for
# (the project's own network, which that resource's module already takes from the root)
_PRIVATE = {"client_security_group_ids": {"job_subnet_ids": Expr("var.subnet_ids")},
            "network_id": {"job_network_id": Expr("var.network_id")}}


def warehouse_arguments(placed: _Placed, users: Sequence[_Placed],
                        uses: Callable[[_Placed], Sequence[_Placed]]) -> dict[str, Value]:
    """The arguments of warehouse ``placed`` that come from its ``users``: identities and job grants."""
    if placed.entry.kind != "warehouse":
        return {}
    arguments = _client_identities(placed, users)
    arguments.update(_job_policy_statements(placed, users, uses))
    arguments.update(_job_network(placed, users, uses))
    return arguments


def _job_network(placed: _Placed, users: Sequence[_Placed],
                 uses: Callable[[_Placed], Sequence[_Placed]]) -> dict[str, Value]:
    """Where warehouse ``placed``'s jobs run when its users reach private databases or caches: their network.

    AWS: ``job_subnet_ids`` (a Glue NETWORK connection) and ``job_egress_ports`` (the ports of those
    resources); GCP: ``job_network_id`` (Direct VPC egress of the Cloud Run jobs); Azure:
    ``job_private_endpoints`` (a managed private endpoint per resource, from its ``private_link``).
    Without a private resource the jobs stay outside the network, as before."""
    reached: list[_Placed] = []
    for workload in users:
        reached += [r for r in uses(workload) if r is not placed and r not in reached and not r.is_workload]
    private = [r for r in reached if any(variable in r.variables for variable in _PRIVATE)]
    arguments: dict[str, Value] = {}
    for resource in private:
        for variable, wanted in _PRIVATE.items():
            if variable in resource.variables:
                arguments.update({k: v for k, v in wanted.items() if k in placed.variables})
    ports = [Expr(r.ref_to("client_port")) for r in private if "client_port" in r.outputs]
    if ports and "job_subnet_ids" in arguments and "job_egress_ports" in placed.variables:
        arguments["job_egress_ports"] = ports
    links: dict[str, Value] = {}
    for resource in (r for r in reached if "private_link" in r.outputs):
        if resource.entry.kind == "bucket" and any(r.entry.kind == "bucket" and r.entry.name in links
                                                   for r in reached):
            continue  # every bucket is a container of the project's one storage account: one endpoint
        links[resource.entry.name] = Expr(resource.ref_to("private_link"))
    if links and "job_private_endpoints" in placed.variables:
        arguments["job_private_endpoints"] = links
    return arguments


def _client_identities(placed: _Placed, users: Sequence[_Placed]) -> dict[str, Value]:
    """``client_identities``: workload name -> its identity's display name (Synapse SQL users are made by name)."""
    named: dict[str, Value] = {w.entry.name: Expr(w.ref_to("identity_name")) for w in users
                               if "identity_name" in w.outputs}
    return {"client_identities": named} if named and "client_identities" in placed.variables else {}


def _job_policy_statements(placed: _Placed, users: Sequence[_Placed],
                           uses: Callable[[_Placed], Sequence[_Placed]]) -> dict[str, Value]:
    """``job_policy_statements`` of warehouse ``placed`` from the resources its ``users`` also reach."""
    if "job_policy_statements" not in placed.variables:
        return {}
    reached: list[_Placed] = []
    own: list[str] = []  # a database with a role per workload: each starter's, as the job signs in as it
    for workload in users:
        reached += [r for r in uses(workload) if r is not placed and r not in reached
                    and "policy_statements" in r.outputs]
        own += [f'{r.ref_to("client_policy_statements")}["{workload.entry.name}"]' for r in uses(workload)
                if r is not placed and "client_policy_statements" in r.outputs]
    references = [r.ref_to("policy_statements") for r in reached] + own
    if not references:
        return {}
    if len(references) == 1:
        return {"job_policy_statements": Expr(references[0])}
    return {"job_policy_statements": Expr("concat(\n" + "".join(f"    {r},\n" for r in references) + "  )")}


def job_identities(placed: _Placed, users: Sequence[_Placed],
                   uses: Callable[[_Placed], Sequence[_Placed]]) -> dict[str, list[Expr]]:
    """variable -> the job identities of the warehouses ``placed``'s users also use, for resource ``placed``."""
    found: dict[str, list[Expr]] = {}
    if placed.entry.kind == "warehouse" or placed.is_workload:
        return found
    for workload in users:
        for warehouse in (r for r in uses(workload) if r.entry.kind == "warehouse"):
            for output, variable in JOB_IDENTITIES.items():
                identity = Expr(warehouse.ref_to(output))
                if output in warehouse.outputs and variable in placed.variables \
                        and identity not in found.setdefault(variable, []):
                    found[variable].append(identity)
    return {variable: identities for variable, identities in found.items() if identities}


def job_client_name(warehouse: _Placed) -> str:
    """The database user of warehouse ``warehouse``'s jobs: its own, beside the workloads' (named after them)."""
    return f"{warehouse.entry.name}{JOBS_SUFFIX}"  # project_rules refuses a workload of that name


def job_clients(placed: _Placed, users: Sequence[_Placed],
                uses: Callable[[_Placed], Sequence[_Placed]]) -> dict[str, dict[str, Expr]]:
    """map variable -> {job client name: identity} of the warehouses ``placed``'s users also use.

    For a database ``placed`` that makes a user per client (``client_members``, ``client_principals``):
    the jobs those users start sign in as a user of their own identity, with what the users get."""
    found: dict[str, dict[str, Expr]] = {}
    if placed.entry.kind == "warehouse" or placed.is_workload:
        return found
    for workload in users:
        for warehouse in (r for r in uses(workload) if r.entry.kind == "warehouse"):
            for output, variable in JOB_CLIENTS.items():
                if output in warehouse.outputs and variable in placed.variables:
                    found.setdefault(variable, {})[job_client_name(warehouse)] = Expr(warehouse.ref_to(output))
    return found
