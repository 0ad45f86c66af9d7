"""`infrar doctor`: everything it reports comes from the installed plugins' plugin.yaml."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from infrar import cli, doctor, plugins
from infrar.errors import ConfigurationError

MANIFEST = """
name: {name}
version: 1.0.0
domain: {name}
api: {package}
adapters: {{local: {package}.local:Local, aws: {package}.aws:Aws}}
requirements: {requirements}
variables: {{local: [DOCTOR_TEST_ROOT], aws: [AWS_REGION, DOCTOR_TEST_TOKEN]}}
sdk_modules: {{local: [json], aws: [{aws_modules}]}}
"""


def _plugin(name: str, package: str, aws_modules: str, requirements: str = "{}") -> plugins.Plugin:
    text = MANIFEST.format(name=name, package=package, aws_modules=aws_modules, requirements=requirements)
    return plugins.parse_manifest(text, package, f"{package}/plugin.yaml")


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> dict[str, plugins.Plugin]:
    """Two built-in-looking plugins and two third-party ones, each needing a module that is not installed."""
    found = {
        "a": _plugin("infrar-a", "infrar.a", "json, infrar_missing_sdk_one"),
        "b": _plugin("infrar-b", "infrar.b", "infrar_missing_sdk_one, infrar_missing_sdk_two"),
        "c": _plugin("acme-c", "acme_c", "acme_missing_sdk", requirements="{aws: ['acme-sdk>=2', 'acme-auth']}"),
        "d": _plugin("acme-d", "acme_d", "acme_missing_too"),
    }
    monkeypatch.setattr(plugins, "registry", lambda: found)
    return found


def test_missing_sdks_are_grouped_by_the_command_that_installs_them(installed: dict[str, plugins.Plugin]) -> None:
    problems = doctor.missing_sdks("aws", installed)
    assert problems == [
        doctor.Problem(("acme_missing_sdk",), ("acme-c",), "pip install 'acme-sdk>=2' 'acme-auth'"),
        doctor.Problem(("acme_missing_too",), ("acme-d",),
                       "install what acme-d needs for aws (its plugin.yaml lists no requirements)"),
        doctor.Problem(("infrar_missing_sdk_one", "infrar_missing_sdk_two"), ("infrar-a", "infrar-b"),
                       "pip install 'infrar[aws]'"),
    ]
    assert doctor.missing_sdks("local", installed) == []  # json is there


def test_doctor_fails_when_the_selected_providers_sdk_is_missing(
        installed: dict[str, plugins.Plugin], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "aws")
    assert cli.main(["doctor"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "plugins: acme-c 1.0.0, acme-d 1.0.0, infrar-a 1.0.0, infrar-b 1.0.0" in lines
    assert "  local  ok" in lines
    assert "  aws    missing acme_missing_sdk (acme-c): pip install 'acme-sdk>=2' 'acme-auth' <- selected" in lines
    assert ("         missing infrar_missing_sdk_one, infrar_missing_sdk_two (infrar-a, infrar-b): "
            "pip install 'infrar[aws]'") in lines
    assert "  gcp    ok (standard library only)" in lines


def test_doctor_passes_when_only_another_providers_sdk_is_missing(
        installed: dict[str, plugins.Plugin], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "local")
    assert cli.main(["doctor"]) == 0
    assert "  local  ok <- selected" in capsys.readouterr().out.splitlines()


def test_doctor_lists_the_plugins_variables_by_name_only(
        installed: dict[str, plugins.Plugin], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DOCTOR_TEST_TOKEN", "tok-never-printed")
    monkeypatch.setenv("DOCTOR_TEST_ROOT", "/root/never/printed")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    cli.main(["doctor"])
    out = capsys.readouterr().out
    variables = out.split("variables set (values hidden):\n")[1].splitlines()
    assert variables == ["  local  DOCTOR_TEST_ROOT", "  aws    AWS_REGION, DOCTOR_TEST_TOKEN", "  gcp    -",
                         "  azure  -"]
    assert "never" not in out and "eu-west-1" not in out


def test_doctor_reports_a_broken_plugin_instead_of_crashing(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> dict[str, plugins.Plugin]:
        raise ConfigurationError("acme/plugin.yaml: not valid YAML")

    monkeypatch.setattr(plugins, "registry", broken)
    assert cli.main(["doctor"]) == 1
    assert "plugins: ERROR acme/plugin.yaml: not valid YAML" in capsys.readouterr().out


def test_doctor_with_the_builtin_plugins_names_variables_but_never_their_values(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "aws")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-value-never-printed")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", "AccountKey=hidden-too")
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "provider: aws" in out
    assert "infrar-storage 0.1.0" in out
    assert "AWS_SECRET_ACCESS_KEY" in out and "AZURE_STORAGE_CONNECTION_STRING" in out
    assert "s3cr3t" not in out and "hidden-too" not in out
    assert "  aws    ok <- selected" in out.splitlines()


def test_doctor_reports_an_invalid_provider(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("INFRAR_PROVIDER", "nope")
    assert cli.main(["doctor"]) == 1
    assert "INVALID 'nope'" in capsys.readouterr().out


def test_doctor_imports_no_cloud_sdk() -> None:
    # find_spec imports the parents of a dotted name (the azure and google namespace packages), never the SDK.
    code = textwrap.dedent("""
        import sys
        from infrar import doctor, plugins
        doctor.report()
        sdks = {m for p in ("aws", "gcp", "azure") for m in plugins.sdk_modules(p)}
        assert {"boto3", "google.cloud.storage", "azure.storage.blob"} <= sdks, sdks
        print(sorted(m for m in sys.modules if m in sdks or m.startswith(tuple(s + "." for s in sdks))))
        """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout == "[]\n"
