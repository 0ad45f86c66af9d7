"""Diagnostics: what cannot be erased, where (file:line:col), and how to fix it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from infrar.errors import InfrarError

# Diagnostic codes, stable for tools that read `--format json`.
SYNTAX = "syntax-error"
LOCK_IN = "lock-in"
NO_ADAPTER = "no-adapter"
VALUE_USE = "function-as-value"
DYNAMIC = "dynamic-access"
STAR_IMPORT = "star-import"
UNKNOWN_NAME = "unknown-name"
AMBIGUOUS = "ambiguous-name"
ADAPTER_CONTRACT = "adapter-contract"
OUTPUT = "output"
RUNTIME_ONLY = "runtime-only"
REEXPORT = "re-export"  # another module imports a name this one binds to infrar
BINDING = "unsupported-binding"  # a way of binding an infrar name that erase refuses
LITERAL_CHECK = "literal-check"  # a warning: a literal argument fails the check the copy runs on it


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One reason a file cannot be erased (``severity`` "error") or a note about it ("warning")."""

    file: str
    line: int
    col: int  # 1-based, like compilers and editors print it
    code: str
    message: str
    fix: str = ""
    severity: str = "error"

    def text(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        fix = f"; fix: {self.fix}" if self.fix else ""
        return f"{where}: {self.severity}: {self.message}{fix}"


class EraseWarning(UserWarning):
    """What erases, but the user should know (``erase_source`` warns with the diagnostic's text)."""


class EraseError(InfrarError):
    """The code cannot be erased; ``diagnostics`` says where and why. Nothing was written."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: list[Diagnostic] = sorted(diagnostics)
        super().__init__("\n".join(d.text() for d in self.diagnostics))


@dataclass
class Report:
    """What an erase run did or would do."""

    provider: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # files whose text erase rewrites
    copied: list[str] = field(default_factory=list)  # files copied unchanged
    requirements: list[str] = field(default_factory=list)
    plugins: dict[str, str] = field(default_factory=dict)  # plugin name -> version used
    written: str | None = None
    diff: str = ""

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> str:
        data = {
            "provider": self.provider,
            "ok": self.ok,
            "diagnostics": [_as_dict(d) for d in sorted(self.diagnostics)],
            "changed": sorted(self.changed),
            "copied": sorted(self.copied),
            "requirements": self.requirements,
            "plugins": dict(sorted(self.plugins.items())),
            "written": self.written,
        }
        return json.dumps(data, indent=2, sort_keys=False)

    def as_text(self, check: bool = False) -> str:
        lines = [d.text() for d in sorted(self.diagnostics)]
        verb = "would change" if check or self.written is None else "changed"
        if self.ok:
            lines.extend(f"{name}: {verb}" for name in sorted(self.changed))
        status = "cannot erase" if not self.ok else "erasable"
        lines.append(
            f"{status} for --provider {self.provider}: {len(self.changed)} file(s) {verb}, "
            f"{len(self.copied)} copied unchanged, {len(self.errors)} error(s)"
        )
        return "\n".join(lines)


def _as_dict(diagnostic: Diagnostic) -> dict[str, object]:
    """The JSON form: ``column``, as docs/erase.md and compilers' JSON spell it."""
    data: dict[str, object] = asdict(diagnostic)
    return {("column" if key == "col" else key): value for key, value in data.items()}


def merge(diagnostics: Iterable[Iterable[Diagnostic]]) -> list[Diagnostic]:
    return sorted(d for group in diagnostics for d in group)
