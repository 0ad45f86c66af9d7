"""Wiring of warehouse modules beyond the generic one: what the jobs they run may reach.

A warehouse's jobs run the program's scripts, which reach infrar storage, databases and queues
like the workload that started them, so they reach what those workloads reach and nothing more:
- AWS: a warehouse module that declares ``job_policy_statements`` gets the ``policy_statements``
  of every other resource used by the workloads that use the warehouse (its Glue job role's);
- GCP / Azure: every other resource those workloads use admits the warehouse's job identity
  (``job_member``: the Cloud Run jobs' service account; ``job_principal_id``: the Synapse
  workspace identity Spark jobs run as) next to theirs in ``members`` / ``principal_ids``.
Azure: a warehouse module that declares ``client_identities`` gets, by workload name, the display
name of each user's managed identity (``identity_name``): Synapse serverless SQL users are
created from Entra principals by name (its ``grant_sql``, in the root output ``database_grants``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from infrar.infra.hcl import Expr, Value

if TYPE_CHECKING:
    from infrar.infra.generate import _Placed

__all__ = ["JOB_IDENTITIES", "job_identities", "warehouse_arguments"]

# warehouse output -> variable of a resource module that admits identities through it
JOB_IDENTITIES = {"job_member": "members", "job_principal_id": "principal_ids"}


def warehouse_arguments(placed: _Placed, users: Sequence[_Placed],
                        uses: Callable[[_Placed], Sequence[_Placed]]) -> dict[str, Value]:
    """The arguments of warehouse ``placed`` that come from its ``users``: identities and job grants."""
    if placed.entry.kind != "warehouse":
        return {}
    arguments = _client_identities(placed, users)
    arguments.update(_job_policy_statements(placed, users, uses))
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
    for workload in users:
        reached += [r for r in uses(workload) if r is not placed and r not in reached
                    and "policy_statements" in r.outputs]
    if not reached:
        return {}
    references = [r.ref_to("policy_statements") for r in reached]
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
