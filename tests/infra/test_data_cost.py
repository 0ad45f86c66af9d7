"""A warehouse is priced with what its module deploys: queries scanned, storage, and job run time
(Glue Python-shell DPU-hours, Cloud Run job vCPU/GiB-hours, Synapse Spark vCore-hours), against
figures computed by hand from the recorded prices."""

from __future__ import annotations

import pytest

from infrar.cost.estimate import Line, estimate
from infrar.cost.models import load_models
from infrar.infra.project import parse_project

PROJECT = """\
name: shop
capabilities:
  - {name: etl, type: background_worker, config: {container_image: x, schedule: "0 2 * * *"}, uses: [analytics]}
resources:
  - {name: analytics, type: warehouse}
usage:
  analytics: {storage_gb: 200, monthly_tb_scanned: 2, job_hours: 30}
"""
# provider -> monthly cost of the warehouse at the usage above, by hand
HAND = {
    "aws": 2 * 5.00 + 200 * 0.023 + 30 * 0.0625 * 0.44,  # 1/16 DPU x 0.44 a DPU-hour
    "gcp": 2 * 6.25 + 200 * 0.02 + 30 * (0.0648 + 0.5 * 0.0072),  # 1 vCPU + 0.5 GiB
    # 3 Small nodes x 4 vCores; the serverless SQL, development, lake dfs and blob private endpoints
    "azure": 2 * 5.00 + 200 * 0.019 + 30 * 12 * 0.143 + 4 * 730 * 0.01,
}


def _lines(text: str = PROJECT) -> dict[str, Line]:
    est = estimate(parse_project(text, "project.yaml"), models=load_models(include_plugins=False))
    return {line.provider: line for line in est.lines if line.kind == "warehouse"}


@pytest.mark.parametrize("provider", list(HAND))
def test_a_warehouse_costs_its_queries_storage_and_job_hours(provider: str) -> None:
    line = _lines()[provider]
    assert line.monthly == pytest.approx(HAND[provider])
    assert line.defaulted == ()


@pytest.mark.parametrize("provider", list(HAND))
def test_more_job_hours_cost_more(provider: str) -> None:
    more = _lines(PROJECT.replace("job_hours: 30", "job_hours: 60"))[provider].monthly
    assert more > _lines()[provider].monthly
