"""Wiring of warehouse modules beyond the generic one: what the jobs they run may reach.

A warehouse's jobs (Glue jobs on AWS) run the program's scripts, which reach infrar storage,
databases and queues like the workload that started them. A warehouse module that declares
``job_policy_statements`` gets the ``policy_statements`` of every other resource used by the
workloads that use the warehouse, so its job role reaches what they reach and nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from infrar.infra.hcl import Expr, Value

if TYPE_CHECKING:
    from infrar.infra.generate import _Placed

__all__ = ["warehouse_arguments"]


def warehouse_arguments(placed: _Placed, users: Sequence[_Placed],
                        uses: Callable[[_Placed], Sequence[_Placed]]) -> dict[str, Value]:
    """``job_policy_statements`` of warehouse ``placed`` from the resources its ``users`` also reach."""
    if placed.entry.kind != "warehouse" or "job_policy_statements" not in placed.variables:
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
