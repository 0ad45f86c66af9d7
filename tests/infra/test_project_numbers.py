"""Numbers out of every range (300-digit integers, .nan, .inf, 1.0e+308): one clear error each.

Each error names file:line:col, the key, the value (long numbers by their digit count) and the
key's allowed range; nothing reaches the cost formulas or the HCL, and no traceback escapes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infrar.cost.models import CostModelError, parse_model
from infrar.infra.project import ProjectError, parse_project

HEAD = "name: shop\nresources:\n  - {name: uploads, type: bucket}\n"


def issues(text: str) -> list[str]:
    with pytest.raises(ProjectError) as caught:
        parse_project(text, "p.yaml")
    return [str(issue) for issue in caught.value.issues]


@pytest.mark.parametrize(("value", "shown", "problem"), [
    ("9" * 300, "a 300-digit number", "too large"),
    ("9" * 5000, "a 5000-digit number", "too large"),  # beyond Python's int-from-text limit
    (".nan", ".nan", "not a number"),
    (".inf", ".inf", "too large"),
    ("1.0e+308", "1e+308", "too large"),
])
def test_usage_figure_out_of_range(value: str, shown: str, problem: str) -> None:
    found = issues(HEAD + f"usage:\n  uploads: {{storage_gb: {value}}}\n")
    assert found == [f"p.yaml:5:25: usage.uploads.storage_gb: {shown} is {problem}; "
                     "allowed: 0 to 1,000,000,000,000"]


def test_settings_and_config_report_their_own_range() -> None:
    text = ("name: shop\ncapabilities:\n  - name: web\n    type: web_application\n"
            f"    config: {{container_image: x, cpu: .nan, min_instances: {'1' * 300}, memory: -.inf}}\n"
            f"resources:\n  - {{name: db1, type: database, storage_gb: {'7' * 301}}}\n"
            "  - {name: uploads, type: bucket, expire_days: 1.0e+308}\n")
    found = issues(text)
    assert "p.yaml:5:39: capabilities[0].config.cpu: .nan is not a number; allowed: > 0 and <= 16" in found
    assert ("p.yaml:5:60: capabilities[0].config.min_instances: a 300-digit number is too large; "
            "allowed: 0 to 1,000") in found
    assert "p.yaml:5:370: capabilities[0].config.memory: -.inf is too small; allowed: 128 to 122,880" in found
    assert "p.yaml:7:45: resources[0].storage_gb: a 301-digit number is too large; allowed: 10 to 16,384" in found
    assert "p.yaml:8:48: resources[1].expire_days: 1e+308 is too large; allowed: 1 to 36,500" in found
    assert not any("max_instances" in i for i in found)  # no second error derived from the first


def test_env_values_have_no_range_but_must_be_finite() -> None:
    text = ("name: shop\ncapabilities:\n  - name: web\n    type: web_application\n"
            "    config: {container_image: x, env: {A: .nan, B: 12}}\n")
    assert issues(text) == ["p.yaml:5:43: capabilities[0].config.env.A: .nan is not a number; "
                            "write a finite number, or quote it to make it a string"]


def test_usage_keys_with_tighter_bounds() -> None:
    text = ("name: shop\ncapabilities:\n  - {name: web, type: web_application, config: {container_image: x}}\n"
            "usage:\n  web: {hours: 745, average_instances: 1001, egress_gb: 1000000}\n")
    assert issues(text) == [
        "p.yaml:5:16: usage.web.hours: 745 is too large; allowed: 0 to 744",
        "p.yaml:5:40: usage.web.average_instances: 1001 is too large; allowed: 0 to 1,000",
    ]


@pytest.mark.parametrize("value", [".nan", ".inf", "9" * 5000])
def test_cost_model_figures_must_be_finite(value: str) -> None:
    model = ("provider: aws\nimplementations:\n  s3:\n    serves: [bucket]\n    title: S3\n"
             "    source: https://aws.amazon.com/s3/pricing/\n    taken: 2024-06-01\n"
             f"    prices: {{gb: {value}}}\n    usage: {{storage_gb: 1}}\n    formula: storage_gb * gb\n")
    with pytest.raises(CostModelError, match=r"m\.yaml:8:14: implementations\.s3\.prices\.gb: .* is out of range; "
                                             r"allowed: 0 to 1,000,000,000,000"):
        parse_model(model, "m.yaml")


@pytest.mark.parametrize("command", [["cost"], ["infra", "--provider", "aws", "-o", "out"]])
def test_cli_reports_without_traceback(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(HEAD + f"usage:\n  uploads: {{storage_gb: {'9' * 5000}, egress_gb: .nan}}\n")
    done = subprocess.run([sys.executable, "-m", "infrar.cli", *command, str(path)], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "9999" not in done.stderr
    assert f"{path}:5:25: usage.uploads.storage_gb: a 5000-digit number is too large" in done.stderr
    assert f"{path}:5:5038: usage.uploads.egress_gb: .nan is not a number" in done.stderr
