"""The observability modules pass checkov (no failed check, every skip with a written reason) in a
generated root module on each provider, and the AWS root module with observability passes
``init`` + ``validate`` + ``fmt``, as tests/infra/test_checkov.py and test_terraform.py check for
the full project (their fixtures are reused: same virtualenv, same offline provider mirror)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infrar.infra.generate import generate
from infrar.infra.writer import write_atomic
from tests.infra.test_checkov import _scan, checkov  # noqa: F401 (checkov is a fixture)
from tests.infra.test_observability_generate import _project
from tests.infra.test_terraform import BINARY, MIRROR, _tf, tf_env  # noqa: F401 (tf_env is a fixture)

OURS = "/modules/observability/"
PROVIDERS = ("aws", "gcp", "azure")


def test_observability_modules_pass_checkov(checkov: Path, tmp_path: Path) -> None:  # noqa: F811
    for provider in PROVIDERS:  # one checkov run for the three roots: its start-up is most of its time
        write_atomic(generate(_project(), provider, with_plugins=False), tmp_path / provider)
    results = _scan(checkov, tmp_path)["results"]
    for provider in PROVIDERS:
        ours = {kind: [c for c in results[kind] if f"/{provider}{OURS}" in c["file_path"]]
                for kind in ("passed_checks", "failed_checks", "skipped_checks")}
        failed = [f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in ours["failed_checks"]]
        assert not failed, f"checkov failed checks on {provider}:\n" + "\n".join(failed)
        if provider != "azure":  # checkov has no check for Log Analytics / Application Insights
            assert ours["passed_checks"], f"checkov checked nothing of the {provider} observability module"
        for skipped in ours["skipped_checks"]:
            reason = (skipped.get("check_result") or {}).get("suppress_comment", "")
            assert len(reason.strip()) > 20, f"{skipped['check_id']} on {skipped['resource']}: skipped without a reason"


@pytest.mark.skipif(BINARY is None, reason="neither tofu nor terraform is installed")
@pytest.mark.skipif(not (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir(),
                    reason=f"no hashicorp/aws provider mirror under {MIRROR}")
def test_aws_root_module_with_observability_validates(tf_env: dict[str, str], tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "aws"
    write_atomic(generate(_project(), "aws", with_plugins=False), out)
    _tf(out, tf_env, "init", "-input=false", "-backend=false")
    assert "The configuration is valid" in _tf(out, tf_env, "validate")
    _tf(out, tf_env, "fmt", "-check", "-recursive")


@pytest.mark.skipif(BINARY is None, reason="neither tofu nor terraform is installed")
@pytest.mark.parametrize("provider", ["gcp", "azure"])
def test_gcp_and_azure_root_modules_with_observability_are_formatted(
        tf_env: dict[str, str], provider: str, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / provider  # fmt needs no provider binary (those are checked by test_provider_schema)
    write_atomic(generate(_project(), provider, with_plugins=False), out)
    _tf(out, tf_env, "fmt", "-check", "-recursive")
