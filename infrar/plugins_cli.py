"""List installed plugins: name, version, what they provide, which providers they serve."""

from __future__ import annotations

import argparse
import json

from infrar import plugins


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table for people, json for scripts (default: table)")


def _rows() -> list[dict[str, object]]:
    return [
        {
            "name": plugin.name,
            "version": plugin.version,
            "domain": plugin.domain,
            "package": plugin.package,
            "providers": list(plugin.providers),
            "capabilities": list(plugin.capabilities),
            "transformations": len(plugin.transformations),
            "modules": list(plugin.modules),
            "lock_in": plugin.lock_in,
            "sdk_modules": {provider: list(m) for provider, m in plugin.sdk_modules.items()},
            "variables": {provider: list(v) for provider, v in plugin.variables.items()},
            "services": sorted(plugin.services),
        }
        for plugin in sorted(plugins.registry().values(), key=lambda p: p.name)
    ]


def _table(rows: list[dict[str, object]]) -> str:
    header = ("NAME", "VERSION", "DOMAIN", "PROVIDERS", "PROVIDES")
    lines = [header]
    for row in rows:
        provides = [*row["capabilities"], f"{row['transformations']} functions"]  # type: ignore[misc]
        providers = ",".join(row["providers"])  # type: ignore[arg-type]
        lines.append((str(row["name"]), str(row["version"]), str(row["domain"]), providers,
                      ", ".join(provides)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines)


def run(args: argparse.Namespace) -> int:
    rows = _rows()
    print(json.dumps(rows, indent=2) if args.format == "json" else _table(rows))
    return 0
