"""Checks of an erased program's text: what still names infrar, and which secret values leaked."""

from __future__ import annotations

import ast


def infrar_references(text: str) -> list[str]:
    """Imports of infrar and names bound to it left in ``text``, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names if alias.name.split(".")[0] == "infrar"]
            found += [f"{node.lineno}: import {name}" for name in names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "infrar":
            found.append(f"{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Name) and node.id == "infrar":
            found.append(f"{node.lineno}: name infrar")
    return found


def leaked_values(text: str, secrets: dict[str, str]) -> list[str]:
    """Names of the environment variables whose values (or an endpoint's port, or a part of a
    connection string such as its key) appear in ``text``. Region names are public defaults."""
    leaked = [name for name, value in secrets.items()
              if len(value) >= 6 and not name.endswith("REGION") and value in text]
    for name, value in secrets.items():
        for part in value.split(";"):
            _, sep, setting = part.partition("=")
            if sep and len(setting) >= 16 and setting in text:
                leaked.append(f"{name} ({part.split('=')[0]})")
        # A port of an emulator endpoint (":4566"), even without the rest of the URL.
        for part in value.replace("/", " ").replace(";", " ").split():
            host, sep, port = part.rpartition(":")
            if sep and port.isdigit() and host and f":{port}" in text:
                leaked.append(f"{name} (port {port})")
    return leaked
