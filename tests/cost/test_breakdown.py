"""The per-resource breakdown (components: quantity x unit price = cost, summing to the line),
`--format breakdown`, `--usage-template` and `--compare`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import yaml

from infrar.cost import cli
from infrar.cost.components import components, unit_of
from infrar.cost.estimate import estimate
from infrar.cost.formula import compile_formula
from infrar.errors import InvalidArgument
from infrar.infra.project import load_project, parse_project

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "project.yaml"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="infrar cost")
    cli.configure(parser)
    return cli.run(parser.parse_args(list(argv)))


def test_components_distribute_products_over_sums_and_name_unit_prices() -> None:
    formula = compile_formula("(1 + ha) * (hours * hourly + gb * gb_month) + max(n - 5, 0) / 1000 * put_per_1000",
                              "t")
    values = {"ha": 1.0, "hours": 730.0, "hourly": 0.1, "gb": 50.0, "gb_month": 0.2, "n": 2005.0,
              "put_per_1000": 0.005}
    found = {c.name: (c.unit, c.quantity, c.unit_price, round(c.monthly, 9))
             for c in components(formula, values, {"hourly", "gb_month", "put_per_1000"})}
    assert found == {"hourly": ("hours", 1460.0, 0.1, 146.0), "gb_month": ("GB-months", 100.0, 0.2, 20.0),
                     "put_per_1000": ("1k requests", 2.0, 0.005, 0.01)}


def test_conversion_factors_are_not_unit_prices() -> None:
    assert [unit_of(n) for n in ("kib_per_tib", "hours_per_month", "zones", "per_tib", "vcpu_second")] == \
        [None, None, None, "TiB", "vCPU-seconds"]


def test_every_line_of_the_example_is_the_sum_of_its_components() -> None:
    est = estimate(load_project(EXAMPLE))
    for line in est.lines:
        # a line costing nothing (a queue within its namespace's included operations) has nothing to list
        assert line.components or line.monthly == 0, f"{line.name} on {line.provider} has no component"
        assert sum(c.monthly for c in line.components) == pytest.approx(line.monthly)
        assert all(c.quantity * c.unit_price == pytest.approx(c.monthly) for c in line.components)
        assert all(c.name == "other" or c.unit for c in line.components)


def test_breakdown_and_json_show_the_components(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(EXAMPLE), "--format", "breakdown", "--provider", "aws") == 0
    out = capsys.readouterr().out
    assert "Component" in out and "Unit price" in out and "Total: AWS $" in out and "(us-east-1)" in out
    assert any(line.split()[:3] == ["storage_gb_month", "600", "GB-months"] for line in out.splitlines())
    assert run(str(EXAMPLE), "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    images = next(entry for entry in doc["lines"] if entry["name"] == "product-images")
    storage = images["costs"]["aws"]["components"][0]
    assert storage == {"name": "storage_gb_month", "unit": "GB-months", "monthly_quantity": 600,
                       "unit_price": 0.023, "monthly_cost": 13.8}


def test_usage_template_lists_every_figure_read_with_its_assumed_value(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project.yaml"
    project.write_text("name: shop\nresources:\n  - {name: uploads, type: bucket}\n"
                       "  - {name: jobs, type: queue}\nusage:\n  uploads: {storage_gb: 50}\n")
    assert run(str(project), "--usage-template") == 0
    text = capsys.readouterr().out
    assert "    storage_gb: 50  # set in project.yaml" in text
    usage = yaml.safe_load(text)["usage"]
    assert usage == {"uploads": {"storage_gb": 50, "monthly_write_requests": 10000,
                                 "monthly_read_requests": 100000, "egress_gb": 1},
                     "jobs": {"monthly_messages": 1000000, "message_kb": 1}}
    # filled in, it is a valid usage section that sets every figure: nothing is defaulted any more
    filled = project.read_text().split("usage:")[0] + "usage:\n" + text.split("usage:\n", 1)[1]
    est = estimate(parse_project(filled, "filled.yaml"))
    assert all(not line.defaulted for line in est.lines)


def test_compare_reports_what_changed_and_by_how_much(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project.yaml"
    project.write_text("name: shop\nresources:\n  - {name: uploads, type: bucket}\n"
                       "usage:\n  uploads: {storage_gb: 100, egress_gb: 0}\n")
    previous = tmp_path / "before.json"
    assert run(str(project), "--provider", "aws", "--format", "json", "-o", str(previous)) == 0
    project.write_text(project.read_text().replace("storage_gb: 100", "storage_gb: 200")
                       .replace("resources:\n", "resources:\n  - {name: jobs, type: queue}\n"))
    assert run(str(project), "--provider", "aws", "--compare", str(previous)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == "AWS total: $3.39 -> $6.89: +$3.50 (+103.2%)"
    assert "  uploads: $3.39 -> $5.69: +$2.30 (+67.8%)" in out
    assert any(line.startswith("  jobs: new: $") for line in out)
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    with pytest.raises(InvalidArgument, match="not an infrar cost JSON estimate"):
        run(str(project), "--compare", str(bad))
