"""The project's observability priced on each provider, against figures computed by hand from the
recorded prices: ingestion per GB, retention per GB-month, metrics and traces."""

from __future__ import annotations

import pytest

from infrar.cost.estimate import Line, estimate
from infrar.cost.models import load_models
from infrar.cost.report import render_table
from infrar.cost.usage_template import usage_template
from infrar.infra.project import OBSERVABILITY, parse_project

PROJECT = """\
name: shop
capabilities:
  - name: web
    type: web_application
    config: {container_image: x}
observability:
  retention_days: 90
usage:
  observability: {log_gb: 20, metric_series: 100, monthly_spans: 4000000}
"""

# provider -> (monthly cost at the usage above, component -> monthly), computed by hand
HAND = {
    # 20 GB x 0.50; 20 x 90/30 = 60 GB-months x 0.03; 100 metrics x 0.30; 4M spans / 10 = 0.4M traces x 5;
    # the log group's KMS key
    "aws": {"ingestion_per_gb": 10.0, "storage_gb_month": 1.8, "metric_month": 30.0, "per_million_traces": 2.0,
            "kms_key_month": 1.0},
    # 20 GiB x 0.50; 20 x 60/30 = 40 GiB-months x 0.01; 100 x 43,800 x 8 B = 33.42 MiB x 0.258; 4M x 0.20
    "gcp": {"ingestion_per_gb": 10.0, "retention_gb_month": 0.4,
            "monitoring_per_mib": 100 * 43800 * 8 / 1048576 * 0.258, "per_million_spans": 0.8},
    # (20 + 4M x 1 KB + 100 x 43,800 x 0.5 KB) GB x 2.30; 20 x 59/30 GB-months x 0.10
    "azure": {"ingestion_per_gb": (20 + 4.0 + 2.19) * 2.30, "retention_gb_month": 20 * 59 / 30 * 0.10},
}


def _lines(text: str = PROJECT) -> dict[str, Line]:
    est = estimate(parse_project(text, "project.yaml"), models=load_models(include_plugins=False))
    return {line.provider: line for line in est.lines if line.kind == OBSERVABILITY}


@pytest.mark.parametrize("provider", list(HAND))
def test_observability_costs_what_the_prices_say(provider: str) -> None:
    line = _lines()[provider]
    assert line.name == OBSERVABILITY and line.implementation is not None
    parts = {c.name: c.monthly for c in line.components}
    assert parts == pytest.approx(HAND[provider])
    assert line.monthly == pytest.approx(sum(HAND[provider].values()))
    assert line.defaulted == ()


def test_every_provider_prices_it_with_a_dated_source() -> None:
    for model in load_models(include_plugins=False).values():
        impl = model.for_kind(OBSERVABILITY)
        assert impl is not None, f"{model.provider} does not price observability"
        assert impl.sources and all(s.startswith("https://") for s in impl.sources) and impl.taken.year >= 2024


def test_longer_retention_costs_more_and_defaults_are_flagged() -> None:
    short = _lines(PROJECT.replace("retention_days: 90", "retention_days: 30").split("usage:")[0])
    long = _lines(PROJECT.replace("retention_days: 90", "retention_days: 365").split("usage:")[0])
    for provider in HAND:
        longer, shorter = long[provider].monthly, short[provider].monthly
        assert longer is not None and shorter is not None and longer > shorter
        assert set(short[provider].defaulted) == {"log_gb", "metric_series", "monthly_spans"}
    assert short["gcp"].inputs["retention_days"] == 30
    assert not any(c.name == "retention_gb_month" and c.monthly for c in short["gcp"].components)  # 30 days included


def test_usage_template_lists_its_figures() -> None:
    text = usage_template(parse_project(PROJECT.split("usage:")[0], "project.yaml"),
                          models=load_models(include_plugins=False))
    block = text.split("  observability:\n")[1]
    assert block.startswith("    log_gb: 5\n    metric_series: 50\n    monthly_spans: 1000000\n")


def test_no_line_without_the_key() -> None:
    assert _lines(PROJECT.split("observability:")[0]) == {}


def test_the_report_names_the_files_its_prices_come_from() -> None:
    def footer(text: str) -> str:
        est = estimate(parse_project(text, "project.yaml"), ["aws"], models=load_models(include_plugins=False))
        return render_table(est).splitlines()[-1]

    assert footer(PROJECT) == ("AWS: us-east-1 prices from cost_models/aws.yaml and "
                               "cost_models/aws_observability.yaml, taken 2024-06-01")
    without = PROJECT.split("observability:")[0]
    assert footer(without) == "AWS: us-east-1 prices from cost_models/aws.yaml, taken 2024-06-01"
