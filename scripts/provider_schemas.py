"""Reduce the resource schemas of a cdktf prebuilt provider package to what the infra tests check.

The hashicorp/google and hashicorp/azurerm provider binaries cannot be fetched here (only PyPI,
npm and Debian are reachable), so `tofu validate` cannot run on the GCP and Azure modules. The
cdktf prebuilt provider packages on PyPI carry each provider's schema as a jsii assembly (every
resource's configuration struct, its nested blocks and which arguments are required). This
reads that assembly and writes {resources, data, structs}: for every resource and data source
type, each argument and block name (snake_case, as in HCL), whether it is required, and the
struct of a nested block. tests/infra/test_provider_schema.py checks the modules against it.

Usage: python scripts/provider_schemas.py WHEEL OUT.json
"""

from __future__ import annotations

import io
import json
import re
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

_LINK = re.compile(r"providers/hashicorp/\w+/([0-9.]+)/docs/(resources|data-sources)/\w+ (\w+)\}")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _assembly(wheel: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(archive.read(name)), mode="r:gz") as tar:
            member = tar.extractfile("package/.jsii")
            assert member is not None
            loaded: dict[str, Any] = json.load(member)
            return loaded


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def _struct_of(type_ref: dict[str, Any], structs: set[str]) -> str | None:
    """The struct (nested block) a property's type refers to, if any."""
    if "fqn" in type_ref:
        return str(type_ref["fqn"]) if type_ref["fqn"] in structs else None
    if "collection" in type_ref:
        return _struct_of(type_ref["collection"]["elementtype"], structs)
    for option in type_ref.get("union", {}).get("types", []):
        found = _struct_of(option, structs)
        if found:
            return found
    return None


def reduce(assembly: dict[str, Any]) -> dict[str, Any]:
    types: dict[str, Any] = assembly["types"]
    structs = {fqn for fqn, t in types.items() if t.get("kind") == "interface" and t.get("datatype")}
    resources: dict[str, str] = {}
    data: dict[str, str] = {}
    versions: set[str] = set()
    for fqn, t in types.items():
        match = _LINK.search(t.get("docs", {}).get("summary", "")) if t.get("kind") == "class" else None
        if match and f"{fqn}Config" in structs:
            versions.add(match.group(1))
            (resources if match.group(2) == "resources" else data)[match.group(3)] = f"{fqn}Config"
    reduced: dict[str, dict[str, Any]] = {}
    for fqn in structs:
        props = {}
        for prop in types[fqn].get("properties", []):
            name = _snake(prop["name"])
            props[name] = {"required": not prop.get("optional", False), "block": _struct_of(prop["type"], structs)}
            if name.endswith("_attribute"):  # cdktf renames arguments that clash with its own members
                props[name.removesuffix("_attribute")] = props[name]
        reduced[fqn] = props
    return {"version": assembly.get("version"), "provider_version": ",".join(sorted(versions)),
            "resources": resources, "data": data, "structs": reduced}


def main(argv: list[str]) -> int:
    wheel, out = Path(argv[1]), Path(argv[2])
    doc = reduce(_assembly(wheel))
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(doc, sort_keys=True), encoding="utf-8")
    tmp.replace(out)
    print(f"{out}: {len(doc['resources'])} resources, {len(doc['data'])} data sources")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
