"""Plugin discovery through entry points, manifests, dependencies and the plugins command."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

from infrar import cli, plugins
from infrar.errors import ConfigurationError, NotFound
from infrar.lockin import LockInWarning, reset_warnings, warn_lock_in

EXAMPLE_PLUGIN = Path(__file__).resolve().parents[1] / "plugins" / "infrar_example_plugin"


@pytest.fixture(scope="session")
def example_plugin_installed() -> Iterator[None]:
    """Install the third-party example plugin into this environment, as a user would."""
    if importlib.util.find_spec("infrar_example_kv") is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--no-build-isolation", str(EXAMPLE_PLUGIN)], check=True, timeout=300)
        importlib.invalidate_caches()
    plugins.reset()
    yield
    plugins.reset()


def test_builtin_plugins_register_through_entry_points() -> None:
    found = plugins.registry()
    assert {"storage", "aws.s3", "gcp.storage", "azure.blob"} <= set(found)
    storage = found["storage"]
    assert storage.name == "infrar-storage"
    assert storage.providers == ("local", "aws", "gcp", "azure")
    assert "infrar.storage.upload" in storage.transformations
    assert found["aws.s3"].lock_in == "aws"
    assert "infrar.aws.s3.enable_versioning" in found["aws.s3"].transformations


@pytest.mark.parametrize(("provider", "domain"), [("aws", "aws.s3"), ("gcp", "gcp.storage"), ("azure", "azure.blob")])
def test_provider_only_plugins_are_subpackages_so_a_provider_can_have_several(provider: str, domain: str) -> None:
    plugin = plugins.get(domain)
    assert (plugin.package, plugin.api, plugin.lock_in) == (f"infrar.{domain}", f"infrar.{domain}", provider)
    assert not resources.files(f"infrar.{provider}").joinpath(plugins.MANIFEST_NAME).is_file()
    with pytest.raises(ConfigurationError, match=f"plugin package 'infrar.{provider}' has no plugin.yaml"):
        plugins.load_package_manifest(f"infrar.{provider}")


def test_third_party_plugin_is_discovered_and_dispatched(example_plugin_installed: None,
                                                         infrar_local: Path) -> None:
    import infrar_example_kv as kv

    plugin = plugins.get("kv")
    assert (plugin.name, plugin.version) == ("infrar-example-kv", "1.2.0")
    kv.put("sessions", "alice", {"cart": [1, 2]})
    assert kv.get("sessions", "alice") == {"cart": [1, 2]}
    with pytest.raises(NotFound, match="'bob'"):
        kv.get("sessions", "bob")


def test_plugins_command_lists_name_version_provides_providers(
        example_plugin_installed: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plugins"]) == 0
    table = capsys.readouterr().out
    assert re.search(r"^infrar-example-kv +1\.2\.0 ", table, re.MULTILINE)  # columns fit the longest name
    assert "local,aws,gcp,azure" in table
    assert "object_storage" in table
    assert cli.main(["plugins", "--format", "json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["infrar-aws-s3"]["lock_in"] == "aws"
    assert rows["infrar-example-kv"]["providers"] == ["local"]
    assert rows["infrar-example-kv"]["sdk_modules"] == {}  # an old-style manifest: none declared
    assert rows["infrar-storage"]["sdk_modules"]["gcp"] == ["google.cloud.storage"]
    assert "AWS_ENDPOINT_URL_S3" in rows["infrar-aws-s3"]["variables"]["aws"]


MANIFEST = """
name: {name}
version: {version}
domain: {domain}
dependencies: {deps}
provides: {{transformations: []}}
adapters: {{local: x:Y}}
"""


def _plugin(name: str, version: str = "1.0.0", deps: str = "[]") -> plugins.Plugin:
    text = MANIFEST.format(name=name, version=version, domain=name, deps=deps)
    return plugins.parse_manifest(text, name, f"{name}/plugin.yaml")


def test_missing_dependency_fails_with_its_reason() -> None:
    needy = _plugin("needy", deps="[{plugin: absent, version: '>=1', reason: 'stores blobs'}]")
    with pytest.raises(ConfigurationError) as caught:
        plugins.check_dependencies({"needy": needy})
    assert "needs plugin absent >=1 (stores blobs)" in str(caught.value)
    assert "not installed" in str(caught.value)


def test_optional_missing_dependency_is_fine() -> None:
    relaxed = _plugin("relaxed", deps="[{plugin: absent, version: '>=1', optional: true}]")
    plugins.check_dependencies({"relaxed": relaxed})


def test_incompatible_dependency_version_fails() -> None:
    base = _plugin("base", version="2.1.0")
    user = _plugin("user", deps="[{plugin: base, version: '>=1,<2', reason: r}]")
    with pytest.raises(ConfigurationError, match=re.escape("needs base >=1,<2, but 2.1.0 is installed")):
        plugins.check_dependencies({"base": base, "user": user})


@pytest.mark.parametrize(("text", "words"), [
    ("name: [unclosed", "not valid YAML"),
    ("- a list", "must be a mapping"),
    ("name: x\ndomain: x", "required key 'version' is missing"),
    ("name: x\nversion: one\ndomain: x", "not a PEP 440 version"),
    ("name: x\nversion: 1.0\ndomain: x\ndependencies: [{plugin: y, version: '=>1'}]", "invalid version range"),
])
def test_bad_manifests_are_clear(text: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        plugins.parse_manifest(text, "pkg", "pkg/plugin.yaml")


def test_lock_in_warning_once_per_feature_naming_what_it_rules_out() -> None:
    reset_warnings()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warn_lock_in("infrar.aws.s3.enable_versioning", "aws")
        warn_lock_in("infrar.aws.s3.enable_versioning", "aws")
        warn_lock_in("infrar.aws.s3.set_lifecycle_policy", "aws")
    assert [w.category for w in seen] == [LockInWarning, LockInWarning]
    assert issubclass(LockInWarning, UserWarning)
    first = str(seen[0].message)
    assert "infrar.aws.s3.enable_versioning exists only on aws" in first
    assert "rules out gcp, azure" in first
