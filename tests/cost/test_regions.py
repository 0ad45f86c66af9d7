"""One region setting drives the deployment and the prices: project.yaml's regions:, --region and the
per-region price tables of cost_models/ (regions:)."""

from __future__ import annotations

import argparse
import json
import textwrap
from pathlib import Path
from typing import Any

import hcl2
import pytest

from infrar.cost import cli
from infrar.cost.compare import compare
from infrar.cost.estimate import estimate
from infrar.cost.models import CostModelError, load_models, merge, parse_model
from infrar.cost.report import render
from infrar.errors import InvalidArgument
from infrar.infra.generate import generate
from infrar.infra.profiles import PROFILES
from infrar.infra.project import ProjectError, parse_project

PROJECT = """\
name: shop
{regions}capabilities:
  - name: worker
    type: background_worker
    config: {{container_image: x, cpu: 1, memory: 2048, schedule: "0 3 * * *"}}
resources:
  - {{name: uploads, type: bucket}}
  - {{name: main-db, type: database}}
usage:
  worker: {{egress_gb: 0, log_gb: 0}}
  uploads: {{storage_gb: 1000, monthly_write_requests: 0, monthly_read_requests: 0, egress_gb: 0}}
"""


def project(regions: str = "", path: str = "project.yaml") -> Any:
    return parse_project(PROJECT.format(regions=regions), path)


def line(est: Any, name: str, provider: str) -> Any:
    return next(x for x in est.lines if x.name == name and x.provider == provider)


def root_region_default(files: dict[str, str], provider: str) -> str:
    name = PROFILES[provider].region_variable
    blocks = hcl2.loads(files["variables.tf"])["variable"]
    (default,) = [body["default"] for block in blocks for key, body in block.items() if key.strip('"') == name]
    return str(default).strip('"')


@pytest.mark.parametrize(("provider", "region"), [("aws", "eu-west-1"), ("gcp", "europe-west1"),
                                                  ("azure", "westeurope")])
def test_the_region_setting_is_the_root_modules_default(provider: str, region: str) -> None:
    chosen = generate(project(f"regions: {{{provider}: {region}}}\n"), provider)
    assert root_region_default(chosen, provider) == region
    # left out: the cost model's base region, where the prices are, on both sides
    default = generate(project(), provider)
    assert root_region_default(default, provider) == load_models()[provider].region
    assert estimate(project(), [provider]).models[provider].region == load_models()[provider].region


def test_no_module_has_a_region_of_its_own() -> None:
    """Every module's region or location is the root's (project.yaml's regions:), never a default of its own."""
    modules = Path(__file__).resolve().parents[2] / "modules"
    declared = [(path, body) for path in sorted(modules.rglob("variables.tf"))
                for block in hcl2.loads(path.read_text()).get("variable", []) for key, body in block.items()
                if key.strip('"') in ("region", "location")]
    assert len(declared) > 10
    assert [str(path) for path, body in declared if "default" in body] == []


def test_the_region_setting_selects_the_prices() -> None:
    base = estimate(project(), ["aws"])
    frankfurt = estimate(project("regions: {aws: eu-central-1}\n"), ["aws"])
    assert frankfurt.models["aws"].region == "eu-central-1"
    # S3 Standard is 0.023 a GB-month in us-east-1 and 0.0245 in Frankfurt (+ the bucket's KMS key)
    assert line(base, "uploads", "aws").monthly == pytest.approx(1000 * 0.023 + 1.00)
    assert line(frankfurt, "uploads", "aws").monthly == pytest.approx(1000 * 0.0245 + 1.00)
    # Fargate: 30 scheduled hours of 1 vCPU and 2 GB (+ the log group's KMS key)
    assert line(frankfurt, "worker", "aws").monthly == pytest.approx(30 * (0.04656 + 2 * 0.00511) + 1.00)
    assert line(frankfurt, "worker", "aws").monthly > line(base, "worker", "aws").monthly
    assert line(frankfurt, "main-db", "aws").monthly is None  # RDS prices for Frankfurt are not recorded
    # --region overrides project.yaml's setting
    override = estimate(project("regions: {aws: eu-central-1}\n"), ["aws"], regions={"aws": "us-east-1"})
    assert override.total("aws") == base.total("aws")


def test_a_region_whose_prices_are_all_the_base_regions_says_so_once() -> None:
    oregon = estimate(project(), ["aws"], regions={"aws": "us-west-2"})
    virginia = estimate(project(), ["aws"])
    assert [x.monthly for x in oregon.lines] == [x.monthly for x in virginia.lines]
    assert oregon.models["aws"].region == "us-west-2"


def test_a_kind_without_prices_in_the_region_is_na_never_the_base_price() -> None:
    est = estimate(project(), ["aws"], regions={"aws": "eu-west-1"})
    db = line(est, "main-db", "aws")
    assert (db.monthly, db.implementation) == (None, None)
    assert db.title == "no eu-west-1 prices recorded (aws_rds_postgres)"
    assert not est.complete("aws")
    table = render(est)
    assert ("n/a: AWS has no eu-west-1 prices recorded for database (aws_rds_postgres); its total leaves it out "
            "(add them under regions.eu-west-1 in cost_models/aws.yaml)") in table
    assert "AWS: eu-west-1 prices from cost_models/aws.yaml, taken 2024-06-01" in table
    doc = json.loads(render(est, "json"))
    assert doc["providers"]["aws"]["region"] == "eu-west-1"
    assert doc["providers"]["aws"]["priced_regions"] == ["us-east-1", "eu-central-1", "eu-west-1", "us-east-2",
                                                         "us-west-2"]
    assert doc["providers"]["aws"]["complete"] is False


def test_a_region_with_no_table_is_an_error_naming_the_priced_regions() -> None:
    with pytest.raises(InvalidArgument) as caught:
        estimate(project("regions: {azure: westeurope}\n", "p.yaml"))
    assert str(caught.value) == (
        "regions.azure in p.yaml: no azure prices are recorded for region 'westeurope'; priced regions: "
        "eastus (base); price one of them (--region azure=REGION), or record westeurope's prices under regions: "
        "in cost_models/azure.yaml (docs/cost.md, Regions)")
    with pytest.raises(InvalidArgument, match=r"^--region: no aws prices are recorded for region 'ap-south-1'; "
                                              r"priced regions: us-east-1 \(base\), eu-central-1, eu-west-1, "
                                              r"us-east-2, us-west-2; "):
        estimate(project(), ["aws"], regions={"aws": "ap-south-1"})
    with pytest.raises(InvalidArgument, match=r"--region nope=\.\.\.: no cost model for provider 'nope'"):
        estimate(project(), regions={"nope": "x"})


def test_a_region_name_that_is_not_the_clouds_is_refused_with_file_line_col() -> None:
    with pytest.raises(ProjectError) as caught:
        project("regions:\n  gcp: europe-wst1\n  azure: West Europe\n  oci: x\n", "p.yaml")
    text = str(caught.value)
    assert "p.yaml:3:8: regions.gcp: 'europe-wst1' is not allowed; allowed: us-central1, " in text
    assert "(did you mean 'europe-west1'?)" in text
    assert "p.yaml:4:10: regions.azure: 'West Europe' is not allowed;" in text
    assert "(did you mean 'westeurope'?)" in text
    assert "p.yaml:5:3: regions.oci: unknown key; " in text


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="infrar cost")
    cli.configure(parser)
    return cli.run(parser.parse_args(list(argv)))


def test_cli_region_override_and_its_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(PROJECT.format(regions=""))
    assert run(str(path), "--provider", "aws", "--region", "aws=eu-central-1", "--format", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["providers"]["aws"]["region"] == "eu-central-1"
    uploads = next(x for x in doc["lines"] if x["name"] == "uploads")["costs"]["aws"]
    assert uploads["inputs"]["storage_gb_month"] == 0.0245
    for bad, message in (("aws", "write PROVIDER=REGION"), ("aws=eu-west-9", "did you mean 'eu-west-3'")):
        with pytest.raises(SystemExit):
            run(str(path), "--region", bad)
        assert message in capsys.readouterr().err


def test_compare_names_a_region_change() -> None:
    before = json.loads(render(estimate(project(), ["aws"]), "json"))
    text = compare(estimate(project(), ["aws"], regions={"aws": "eu-central-1"}), before)
    assert "  region: us-east-1 -> eu-central-1" in text
    assert "(now incomplete: its n/a lines are left out)" in text.splitlines()[2]
    assert "  uploads: $24.00 -> $25.50: +$1.50 (+6.2%)" in text
    assert "  main-db: n/a, no eu-central-1 prices recorded (aws_rds_postgres) (was $" in text


BASE = """\
provider: aws
region: us-east-1
implementations:
  s3:
    serves: [bucket]
    title: S3
    source: https://aws.amazon.com/s3/pricing/
    taken: 2024-06-01
    prices: {storage_gb_month: 0.023}
    instances: {small: {type: a, hourly: 1}, medium: {type: b, hourly: 2}, large: {type: c, hourly: 3},
                xlarge: {type: d, hourly: 4}}
    formula: storage_gb_month + instance_hourly
regions:
"""


@pytest.mark.parametrize(("table", "message"), [
    ("  eu-west-1: {title: x, taken: 2024-06-01, implementations: {s3: {prices: {storage_gb: 1}}}}",
     r"m\.yaml:14:76: regions\.eu-west-1\.implementations\.s3\.prices\.storage_gb: not a price of s3; "
     r"did you mean 'storage_gb_month'\?"),
    ("  eu-west-1: {title: x, taken: 2024-06-01, implementations: {s3: {prices: {storage_gb_month: 0.023}}}}",
     r"m\.yaml:14:76: .*storage_gb_month: 0\.023 is us-east-1's price too; list only prices that differ"),
    ("  eu-west-1: {title: x, taken: 2024-06-01, implementations: {s3: {instances: {small: {type: z}}}}}",
     r"the instance type is the same in every region\); allowed: hourly"),
    ("  eu-west-1: {title: x, taken: 2024-06-01, implementations: {s3: {prices: {storage_gb_month: .nan}}}}",
     r"m\.yaml:14:76: .*storage_gb_month: \.nan is out of range; allowed: 0 to 1,000,000,000,000"),
    ("  eu-west-1: {title: x, taken: 2024-06-01, implementations: {s3: {instances: {small: {hourly: 1%s}}}}}"
     % ("0" * 300), r"small\.hourly: a 301-digit number is out of range; allowed: 0 to 1,000,000,000,000"),
    ("  eu-west-1: {title: x, taken: 2024-06-01, implementations: {s4: same}}",
     r"regions\.eu-west-1\.implementations\.s4: not an implementation of this file; allowed: s3"),
    ("  eu-west-1: {title: x, taken: 2024-06-01, implementations: {s3: {}}}",
     r"no price differs from us-east-1's: write `same`"),
    ("  eu-wets-1: {title: x, taken: 2024-06-01, implementations: same}",
     r"m\.yaml:14:3: regions\.eu-wets-1: not a region of aws; did you mean 'eu-west-1'\?"),
    ("  us-east-1: {title: x, taken: 2024-06-01, implementations: same}", r"is the base region"),
    ("  eu-west-1: {title: x, implementations: same}", r"regions\.eu-west-1\.taken: missing required key"),
])
def test_region_table_errors_name_file_line_col(table: str, message: str) -> None:
    with pytest.raises(CostModelError, match=message):
        parse_model(BASE + table + "\n", "m.yaml")


def test_region_tables_of_two_files_merge_and_override_only_their_prices() -> None:
    first = parse_model(BASE + "  eu-west-1:\n    title: Ireland\n    taken: 2024-07-01\n    implementations:\n"
                        "      s3: {prices: {storage_gb_month: 0.03}, instances: {small: {hourly: 1.5}}}\n", "a.yaml")
    second = parse_model(textwrap.dedent("""\
        provider: aws
        region: us-east-1
        implementations:
          sqs: {serves: [queue], title: SQS, source: "https://aws.amazon.com/sqs/pricing/", taken: 2024-06-01,
                prices: {per_million: 0.4}, formula: per_million}
        """), "b.yaml")
    model = merge([first, second])["aws"].in_region("eu-west-1")
    s3 = model.implementations["s3"]
    assert (s3.prices["storage_gb_month"], s3.instances["small"], str(s3.taken)) == (
        0.03, {"type": "a", "hourly": 1.5}, "2024-07-01")
    assert s3.instances["medium"] == {"type": "b", "hourly": 2}
    assert list(model.unpriced) == ["sqs"]  # b.yaml records no eu-west-1 prices
    elsewhere = parse_model(BASE.replace("us-east-1", "eu-west-1").replace("regions:\n", ""), "c.yaml")
    with pytest.raises(CostModelError, match=r"c\.yaml: region: 'eu-west-1', but a\.yaml prices 'us-east-1'"):
        merge([first, elsewhere])


def test_a_region_that_is_a_number_out_of_range_is_refused_without_echoing_it() -> None:
    with pytest.raises(ProjectError) as caught:
        project(f"regions: {{aws: .nan, gcp: {'9' * 300}}}\n", "p.yaml")
    assert "p.yaml:2:16: regions.aws: .nan is not allowed; allowed: us-east-1, " in str(caught.value)
    assert "p.yaml:2:27: regions.gcp: a 300-digit number is not allowed; allowed: us-central1, " in str(caught.value)
