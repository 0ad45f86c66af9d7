"""The GCP and Azure modules use only arguments and blocks their provider has, and every
required one, checked against the provider's schema.

`tofu validate` needs the provider binary, and the hashicorp/google and hashicorp/azurerm ones
cannot be had here (only PyPI, npm and Debian are reachable; the AWS one is mirrored). The cdktf
prebuilt provider packages on PyPI carry the same schema as a jsii assembly;
scripts/setup-provider-schemas.sh downloads the packages for exactly the provider versions the
generated root modules pin and reduces them (scripts/provider_schemas.py) to
``.cache/provider-schemas/<provider>.json``. Every resource and data source of every module is
checked: its type exists, each argument or block (dynamic ones included) is one the type has,
and no required argument or block is missing.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import hcl2
import pytest

from infrar.infra.profiles import PROFILES

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = Path(os.environ.get("INFRAR_PROVIDER_SCHEMAS", ROOT / ".cache" / "provider-schemas"))
# Terraform's own arguments, valid in every resource and data block
META = {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
BUILTIN = ("terraform_data", "random_")  # built in, or the random provider (not checked here)
CLOUDS = {"gcp": ("google", "hashicorp/google"), "azure": ("azurerm", "hashicorp/azurerm")}


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


@lru_cache(maxsize=2)
def schema(provider: str) -> dict[str, Any]:
    local, _source = CLOUDS[provider]
    path = SCHEMAS / f"{local}.json"
    if not path.is_file():
        pytest.skip(f"no provider schema at {path}; run scripts/setup-provider-schemas.sh")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _problems(body: dict[str, Any], struct: str, doc: dict[str, Any], where: str) -> list[str]:
    props: dict[str, Any] = doc["structs"][struct]
    found: list[str] = []
    given: set[str] = set()
    for key, value in body.items():
        if key in ("__is_block__", "__comments__", "__inline_comments__"):
            continue
        if key == "dynamic":
            for dynamic in value:
                for label, spec in dynamic.items():
                    name = _unquote(label)
                    given.add(name)
                    found += _nested(name, [c for s in [spec] for c in s.get("content", [])], props, doc, where)
            continue
        given.add(key)
        if key in META:
            continue
        if key not in props:
            found.append(f"{where}: {key!r} is not an argument or block of this type")
            continue
        if props[key]["block"] and isinstance(value, list) and all(isinstance(v, dict) for v in value):
            found += _nested(key, value, props, doc, where)
    for name, prop in props.items():
        if prop["required"] and name not in given and not name.endswith("_attribute"):
            found.append(f"{where}: required {name!r} is missing")
    return found


def _nested(name: str, blocks: list[dict[str, Any]], props: dict[str, Any], doc: dict[str, Any],
            where: str) -> list[str]:
    if name not in props:
        return [f"{where}: block {name!r} is not a block of this type"]
    struct = props[name]["block"]
    if struct is None:
        return [f"{where}: {name!r} is an argument, not a block"]
    return [p for block in blocks for p in _problems(block, struct, doc, f"{where}.{name}")]


def _module_problems(provider: str, module: Path) -> list[str]:
    doc = schema(provider)
    found: list[str] = []
    for tf in sorted(module.glob("*.tf")):
        parsed = hcl2.loads(tf.read_text(encoding="utf-8"))
        for section, table in (("resource", doc["resources"]), ("data", doc["data"])):
            for block in parsed.get(section, []):
                for rtype, named in block.items():
                    kind = _unquote(rtype)
                    if kind.startswith(BUILTIN):
                        continue
                    for label, body in named.items():
                        where = f"{module.parent.name}/{module.name}/{tf.name}: {kind}.{_unquote(label)}"
                        if kind not in table:
                            found.append(f"{where}: no such {section} type in {CLOUDS[provider][1]} {doc['version']}")
                            continue
                        found += _problems(body, table[kind], doc, where)
    return found


@pytest.mark.parametrize("provider", sorted(CLOUDS))
def test_schema_is_of_the_pinned_provider_version(provider: str) -> None:
    local, _source = CLOUDS[provider]
    pinned = PROFILES[provider].required_providers[local][1]
    assert schema(provider)["provider_version"] == pinned


@pytest.mark.parametrize("module", sorted(p for c in CLOUDS for p in (ROOT / "modules" / c).iterdir() if p.is_dir()),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_module_matches_the_provider_schema(module: Path) -> None:
    assert _module_problems(module.parent.name, module) == []


def test_the_check_finds_unknown_arguments_and_missing_required_ones(tmp_path: Path) -> None:
    module = tmp_path / "azure" / "broken"
    module.mkdir(parents=True)
    (module / "main.tf").write_text('resource "azurerm_redis_cache" "x" {\n  name = "a"\n  colour = "blue"\n'
                                    '  redis_configuration {\n    shape = 1\n  }\n}\n')
    problems = _module_problems("azure", module)
    assert "azure/broken/main.tf: azurerm_redis_cache.x: 'colour' is not an argument or block of this type" in problems
    assert any("redis_configuration: 'shape' is not" in p for p in problems)
    assert any("required 'location' is missing" in p for p in problems)
