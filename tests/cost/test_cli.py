"""`infrar cost`: every output format, --provider, --output, and clear errors."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import pytest

from infrar.cost import cli
from infrar.errors import InvalidArgument
from infrar.infra.project import ProjectError

PROJECT = """\
name: shop
capabilities:
  - {name: web, type: web_application, config: {container_image: x}}
resources:
  - {name: uploads, type: bucket}
usage:
  web: {monthly_requests: 0, egress_gb: 0, log_gb: 0}
  uploads: {storage_gb: 100}
"""
# web on AWS: 730 h x (0.5 vCPU x 0.04048 + 1 GB x 0.004445) + 730 h x 0.0225 ALB + 1.00 KMS key = 35.45
# uploads on AWS: 100 x 0.023 + 10 x 0.005 + 100 x 0.0004 + 1 x 0.09 (defaulted) + 1.00 KMS key = 3.48
WEB_AWS, UPLOADS_AWS = "35.45", "3.48"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="infrar cost")
    cli.configure(parser)
    return cli.run(parser.parse_args(list(argv)))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project.yaml"
    path.write_text(PROJECT)
    return path


def test_table(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(project)) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Monthly cost of shop ({project}), USD")
    header = next(line for line in out.splitlines() if line.startswith("Name"))
    assert header.split() == ["Name", "Kind", "AWS", "GCP", "Azure"]
    web = next(line for line in out.splitlines() if line.startswith("web "))
    assert f"${WEB_AWS}" in web and "*" not in web
    uploads = next(line for line in out.splitlines() if line.startswith("uploads"))
    assert f"${UPLOADS_AWS}*" in uploads
    assert "    uploads: monthly_write_requests, monthly_read_requests, egress_gb" in out
    assert "AWS: us-east-1 prices from cost_models/aws.yaml, taken 2024-06-01" in out


def test_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(project), "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["project"] == "shop" and doc["currency"] == "USD"
    assert list(doc["providers"]) == ["aws", "gcp", "azure"]
    web, uploads, endpoint, zones = doc["lines"]  # + the Azure storage account's endpoint and DNS zones, once
    assert [(endpoint["name"], endpoint["kind"]), (zones["name"], zones["kind"])] == [
        ("storage-account", "shared"), ("private-dns-zones", "shared")]
    assert endpoint["costs"]["azure"]["monthly"] == 7.30 and list(endpoint["costs"]) == ["azure"]
    assert web["costs"]["aws"]["monthly"] == float(WEB_AWS)
    assert web["costs"]["aws"]["implementation"] == "aws_ecs_fargate_alb"
    assert uploads["costs"]["aws"]["depends_on_usage"] == [
        "monthly_write_requests", "monthly_read_requests", "egress_gb"]
    assert doc["providers"]["aws"]["total"] == pytest.approx(float(WEB_AWS) + float(UPLOADS_AWS))


def test_csv(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(project), "--format", "csv") == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["name", "kind", "aws", "gcp", "azure", "depends_on_usage"]
    assert rows[1][:3] == ["web", "web_application", WEB_AWS] and rows[1][5] == ""
    assert rows[2][:3] == ["uploads", "bucket", UPLOADS_AWS]
    assert [row[0] for row in rows[3:5]] == ["storage-account", "private-dns-zones"]  # Azure's, once
    assert rows[5][0] == "TOTAL" and float(rows[5][2]) == pytest.approx(float(WEB_AWS) + float(UPLOADS_AWS))
    assert rows[6] == ["REGION", "", "us-east-1", "us-central1", "eastus", ""]


def test_markdown(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(str(project), "--format", "markdown") == 0
    out = capsys.readouterr().out
    assert "| Name | Kind | AWS | GCP | Azure |" in out
    assert "| --- | --- | ---: | ---: | ---: |" in out
    assert f"| uploads | bucket | ${UPLOADS_AWS}\\* |" in out
    assert "- \\* depends on usage figures that were defaulted" in out


def test_one_provider_and_output_file(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "cost.csv"
    assert run(str(project), "--provider", "aws", "--format", "csv", "-o", str(target)) == 0
    assert capsys.readouterr().out == ""
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert rows[0] == ["name", "kind", "aws", "depends_on_usage"]
    assert not list(tmp_path.glob(".*.tmp"))


def test_unknown_provider(project: Path) -> None:
    with pytest.raises(InvalidArgument, match="did you mean 'azure'"):
        run(str(project), "--provider", "azur")


def test_invalid_project_is_reported_with_location(tmp_path: Path) -> None:
    path = tmp_path / "project.yaml"
    path.write_text("resources:\n  - {name: uploads, type: bucket, versionning: true}\n")
    with pytest.raises(ProjectError, match=r"project.yaml:2:35: resources\[0\].versionning: unknown key"):
        run(str(path))


def test_through_the_infrar_command(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from infrar import cli as main_cli

    assert main_cli.main(["cost", str(project), "--format", "csv", "--provider", "gcp"]) == 0
    assert capsys.readouterr().out.startswith("name,kind,gcp,depends_on_usage")
    bad = project.with_name("bad.yaml")
    bad.write_text("resources: {}\n")
    assert main_cli.main(["cost", str(bad)]) == 2
    assert "bad.yaml:1:12: resources: expected a list" in capsys.readouterr().err


def test_docs_show_the_current_output_for_the_example(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    assert run("examples/project.yaml") == 0
    out = capsys.readouterr().out
    assert out in (root / "docs" / "cost.md").read_text(), "regenerate the example output in docs/cost.md"
