"""Find the resources a program uses from its infrar calls, and add the missing ones to project.yaml.

The scan parses each Python file with ``ast`` (no text matching) and resolves names with the
same resolver as erase (infrar.erase.resolve): ``import infrar.storage as st``,
``from infrar.storage import upload as put``, ``from infrar import storage``, and a local,
parameter or comprehension variable that shadows an import is not infrar. Which argument of a
call names a resource, and its kind, comes only from the plugin's ``plugin.yaml``
(``resource: {parameter: bucket, kind: bucket}``); the call's arguments are bound to the
function's parameters as Python binds them (see infra/arguments.py). A name is a literal
string, a module-level constant assigned once, or an f-string or ``+`` of those; any other
expression is reported as *dynamic* so it can be declared by hand.
"""

from __future__ import annotations

import ast
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from infrar.erase.catalog import Catalog, Function
from infrar.erase.resolve import infrar_calls
from infrar.errors import InvalidArgument
from infrar.infra.arguments import Constants, default, parameters, passed
from infrar.infra.project import OBSERVABILITY, Project, parse_project

__all__ = ["Dynamic", "ScanResult", "Use", "add_observability", "add_resources", "missing", "scan", "scan_source",
           "wants_observability"]

SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "build", "dist"})
NAME_RULE = re.compile(r"^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$")


@dataclass(frozen=True, order=True)
class Use:
    """One literal resource name in one infrar call."""

    kind: str
    name: str
    file: str
    line: int
    column: int
    call: str  # e.g. "infrar.storage.upload"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Dynamic:
    """An infrar call whose resource name is not a literal string."""

    kind: str
    file: str
    line: int
    column: int
    call: str
    expression: str


@dataclass(frozen=True)
class ScanResult:
    files: int
    uses: tuple[Use, ...] = ()
    dynamic: tuple[Dynamic, ...] = ()
    errors: tuple[str, ...] = field(default=())  # file:line:col: what could not be scanned, and why
    domains: frozenset[str] = frozenset()  # plugin domains whose functions the code calls

    def resources(self) -> dict[tuple[str, str], list[Use]]:
        """(kind, name) -> its uses, in first-use order."""
        found: dict[tuple[str, str], list[Use]] = {}
        for use in self.uses:
            found.setdefault((use.kind, use.name), []).append(use)
        return found


class _Module:
    """The scan of one parsed module."""

    def __init__(self, tree: ast.Module, file: str, catalog: Catalog) -> None:
        self.file = file
        self.calls = infrar_calls(tree, catalog)
        self.constants = Constants(self.calls)
        self.uses: list[Use] = []
        self.dynamic: list[Dynamic] = []
        self.errors = [self._star(node) for node in self.calls.walk.stars]
        self.domains = frozenset(function.plugin.domain for _, function in self.calls.calls)
        for call, function in self.calls.calls:
            self._call(call, function)

    def _star(self, node: ast.ImportFrom) -> str:
        return (f"{self.file}:{node.lineno}:{node.col_offset + 1}: 'from {node.module} import *' hides which "
                f"names the code calls, so they are not scanned; import the names you use instead")

    def _call(self, call: ast.Call, function: Function) -> None:
        resource = function.plugin.resources.get(function.qualified)
        if resource is None:
            return
        kind, qualified = resource.kind, function.qualified
        params = parameters(function)
        if params is None:
            self.errors.append(
                f"{self.file}:{call.lineno}:{call.col_offset + 1}: the source of {qualified} is not installed, "
                f"so its {resource.parameter} argument cannot be found; reinstall plugin {function.plugin.name}")
            return
        node = passed(call, params, resource.parameter)
        if node is None:  # left to the function's default
            fixed = default(params, resource.parameter)
            if isinstance(fixed, ast.Constant) and isinstance(fixed.value, str):
                self.uses.append(Use(kind, fixed.value, self.file, call.lineno, call.col_offset + 1, qualified))
            return
        line, col = node.lineno, node.col_offset + 1
        name = self.constants.string(node)
        if name is not None:
            self.uses.append(Use(kind, name, self.file, line, col, qualified))
        else:
            self.dynamic.append(Dynamic(kind, self.file, line, col, qualified, ast.unparse(node)))


def scan_source(text: str, file: str = "<string>", catalog: Catalog | None = None) -> ScanResult:
    """Scan the source text of one module against ``catalog`` (default: the installed plugins)."""
    try:
        tree = ast.parse(text, filename=file)
    except (SyntaxError, ValueError) as exc:
        where = f"{exc.lineno or 1}:{exc.offset or 1}" if isinstance(exc, SyntaxError) else "1:1"
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        return ScanResult(files=1, errors=(f"{file}:{where}: syntax error: {message}",))
    found = _Module(tree, file, catalog if catalog is not None else Catalog())
    return ScanResult(
        files=1,
        uses=tuple(sorted(found.uses, key=lambda u: (u.line, u.column))),
        dynamic=tuple(sorted(found.dynamic, key=lambda d: (d.line, d.column))),
        errors=tuple(found.errors),
        domains=found.domains,
    )


def _python_files(src: Path) -> Iterator[Path]:
    if src.is_file():
        yield src
        return
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        yield from (Path(root) / f for f in sorted(files) if f.endswith(".py"))


def scan(src: str | Path, catalog: Catalog | None = None) -> ScanResult:
    """Scan a Python file or every ``.py`` file under a directory."""
    path = Path(src)
    if not path.exists():
        raise InvalidArgument(f"{src}: no such file or directory; pass the application's source")
    known = catalog if catalog is not None else Catalog()
    results = [scan_source(p.read_text(encoding="utf-8", errors="replace"), str(p), known)
               for p in _python_files(path)]
    return ScanResult(
        files=len(results),
        uses=tuple(u for r in results for u in r.uses),
        dynamic=tuple(d for r in results for d in r.dynamic),
        errors=tuple(e for r in results for e in r.errors),
        domains=frozenset(d for r in results for d in r.domains),
    )


def missing(project: Project | None, result: ScanResult) -> tuple[list[tuple[str, str]], list[str]]:
    """(missing (kind, name) pairs, conflicts) of the scan against the project's resources."""
    declared = {(r.kind, r.name) for r in project.resources} if project else set()
    kinds = {e.name: e.kind for e in project.entries()} if project else {}
    absent: list[tuple[str, str]] = []
    conflicts: list[str] = []
    for (kind, name), uses in result.resources().items():
        if (kind, name) in declared:
            continue
        if name in kinds:
            conflicts.append(f"{uses[0].where}: {name!r} is used as a {kind} but project.yaml declares it "
                             f"as a {kinds[name]}; rename one of them")
        elif not NAME_RULE.match(name) or not 3 <= len(name) <= 40:
            conflicts.append(f"{uses[0].where}: {kind} name {name!r} is not valid on every cloud; use 3-40 "
                             "lowercase letters, digits and single hyphens, starting with a letter")
        else:
            absent.append((kind, name))
    return absent, conflicts


def wants_observability(project: Project | None, result: ScanResult) -> bool:
    """Whether the code calls infrar.observability and project.yaml has no ``observability:`` key."""
    declared = project is not None and project.resource(OBSERVABILITY, OBSERVABILITY) is not None
    return OBSERVABILITY in result.domains and not declared


def _items_yaml(items: Iterable[tuple[str, str]], indent: str) -> str:
    return "".join(f"{indent}- name: {name}\n{indent}  type: {kind}\n" for kind, name in items)


def _last_line(node: yaml.Node) -> int:
    """0-based line of the last character of ``node`` (block collections end at the next token)."""
    if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
        return _last_line(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _last_line(node.value[-1])
    mark = node.end_mark
    return int(mark.line - 1 if mark.column == 0 and mark.line > node.start_mark.line else mark.line)


def _insert(text: str, items: list[tuple[str, str]]) -> str:
    """``text`` with ``items`` appended to its resources list, everything else untouched."""
    root = yaml.compose(text, Loader=yaml.SafeLoader) if text.strip() else None
    if not isinstance(root, yaml.MappingNode):
        return text + ("" if not text or text.endswith("\n") else "\n") + "resources:\n" + _items_yaml(items, "  ")
    for key, value in root.value:
        if key.value != "resources":
            continue
        if isinstance(value, yaml.SequenceNode) and value.value and not value.flow_style:
            last_line = _last_line(value.value[-1])
            lines = text.splitlines(keepends=True)
            first = value.value[0].start_mark
            dash = lines[first.line].rindex("-", 0, first.column)
            lines[last_line] = lines[last_line] if lines[last_line].endswith("\n") else lines[last_line] + "\n"
            lines.insert(last_line + 1, _items_yaml(items, " " * dash))
            return "".join(lines)
        flow = ", ".join(f"{{name: {name}, type: {kind}}}" for kind, name in items)
        if isinstance(value, yaml.SequenceNode):  # a flow list: [] or [{...}]
            inner = text[value.start_mark.index + 1: value.end_mark.index - 1].strip()
            joined = f"[{inner}, {flow}]" if inner else f"[{flow}]"
            return text[: value.start_mark.index] + joined + text[value.end_mark.index:]
        if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
            colon = text.index(":", key.end_mark.index)
            end = value.end_mark.index if value.value else colon + 1
            return text[: colon + 1] + f" [{flow}]" + text[end:]
        return text  # not a list: leave it for the validator to report
    return text + ("" if not text or text.endswith("\n") else "\n") + "resources:\n" + _items_yaml(items, "  ")


def add_resources(project_path: str | Path, items: list[tuple[str, str]]) -> str:
    """Append ``items`` ((kind, name)) to project.yaml's resources, atomically; returns the new text.

    The result is validated before it replaces the file; nothing is written if it is invalid.
    """
    path = Path(project_path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return _replace(path, _insert(text, items))


def add_observability(project_path: str | Path) -> str:
    """Append ``observability: {}`` (the defaults) to project.yaml, atomically; returns the new text."""
    path = Path(project_path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return _replace(path, text + ("" if not text or text.endswith("\n") else "\n") + f"{OBSERVABILITY}: {{}}\n")


def _replace(path: Path, new_text: str) -> str:
    """Write ``new_text`` over ``path`` once it validates as a project (nothing is written otherwise)."""
    parse_project(new_text, path)  # raises ProjectError and writes nothing
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new_text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return new_text
