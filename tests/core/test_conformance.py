"""Every installed plugin's adapters keep the contract erase relies on (infrar.testing.conformance)."""

from __future__ import annotations

import dataclasses
import sys
import textwrap
from pathlib import Path

import pytest

from infrar import plugins
from infrar.testing.conformance import problems


@pytest.mark.parametrize("domain", sorted(plugins.registry()))
def test_installed_plugin_conforms(domain: str) -> None:
    assert problems(plugins.get(domain)) == []


def test_the_example_third_party_plugin_is_among_those_checked() -> None:
    assert "kv" in plugins.registry()


ADAPTER = '''
class Drifted:
    def put(self, table, key, value=None):
        pass

    def get(self, table):
        pass

    def helper(self):
        pass
'''


@pytest.fixture
def drifted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> plugins.Plugin:
    (tmp_path / "drifted_adapter.py").write_text(textwrap.dedent(ADAPTER), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("drifted_adapter", None)
    example = plugins.get("kv")
    return dataclasses.replace(example, adapters={"local": "drifted_adapter:Drifted"},
                               requirements={"local": (), "aws": ()})


def test_every_drift_is_reported(drifted: plugins.Plugin) -> None:
    assert problems(drifted) == [
        "infrar-example-kv: plugin.yaml names provider 'aws' but lists no adapter for it under `adapters:`",
        "infrar-example-kv: Drifted.helper() is public but no transformation maps to it; make it private "
        "(a leading underscore) or list its function in plugin.yaml",
        "infrar-example-kv: Drifted.get(table) differs from the public function's (table, key); "
        "give it exactly the same parameters and defaults",
        "infrar-example-kv: Drifted.put(table, key, value=None) differs from the public function's "
        "(table, key, value); give it exactly the same parameters and defaults",
    ]
