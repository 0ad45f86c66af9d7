"""The data plugin's manifest: it conforms, and its dependency on infrar-storage is checked at load time."""

from __future__ import annotations

from dataclasses import replace

import pytest

from infrar import plugins
from infrar.errors import ConfigurationError
from infrar.testing.conformance import problems


def test_conforms() -> None:
    assert problems(plugins.get("data")) == []


def test_declares_the_seed_dependencies() -> None:
    deps = {d.plugin: d for d in plugins.get("data").dependencies}
    assert set(deps) == {"infrar-storage", "infrar-messaging"}
    assert not deps["infrar-storage"].optional and deps["infrar-messaging"].optional
    assert deps["infrar-storage"].reason == "Data warehouses use object storage"


def test_missing_storage_fails_at_load() -> None:
    installed = {"data": plugins.get("data")}
    with pytest.raises(ConfigurationError, match=r"infrar-data .* needs plugin infrar-storage"):
        plugins.check_dependencies(installed)


def test_incompatible_storage_fails_at_load() -> None:
    installed = {"data": plugins.get("data"), "storage": plugins.get("storage")}
    installed["storage"] = replace(installed["storage"], version="0.0.1")
    with pytest.raises(ConfigurationError, match=r"needs infrar-storage >=0\.1\.0, but 0\.0\.1 is installed"):
        plugins.check_dependencies(installed)


def test_without_messaging_it_loads() -> None:
    installed = {"data": plugins.get("data"), "storage": plugins.get("storage")}
    plugins.check_dependencies(installed)
