"""Warehouse names: the Synapse workspace name is global, so it is prefixed, cut and hashed within
Synapse's rules (terraform console evaluates the module's locals, as tests/infra/test_names.py does);
the warehouse modules take the project's name prefix for their buckets and the Athena workgroup."""

from __future__ import annotations

import re

import pytest

from infrar.infra.generate import generate
from infrar.infra.project import parse_project
from tests.infra.test_data_environment import PROJECT
from tests.infra.test_names import LONGEST, Evaluate, evaluate

__all__ = ["evaluate"]  # the fixture, imported to be used here
_WORKSPACE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")


def test_synapse_workspace_names_are_prefixed_unique_and_valid(evaluate: Evaluate) -> None:
    short = evaluate("azure/synapse_workspace", "shop-prod-", "analytics", "workspace")
    assert re.fullmatch(r"shop-prod-analytics-[0-9a-f]{8}", short), short
    longest = evaluate("azure/synapse_workspace", "a" * 30 + "-prod-", LONGEST.replace("-", "_"), "workspace")
    assert len(longest) <= 50 and _WORKSPACE.fullmatch(longest) and "-ondemand" not in longest, longest


@pytest.mark.parametrize("provider", ["aws", "gcp", "azure"])
def test_the_warehouse_module_gets_the_name_prefix(provider: str) -> None:
    main = " ".join(generate(parse_project(PROJECT, "p.yaml"), provider, with_plugins=False)["main.tf"].split())
    warehouse = main[main.index('module "warehouse_analytics"'):]
    assert "name_prefix = local.name_prefix" in warehouse[:warehouse.index("module ", 10)]
