"""Erase a file or a directory tree into OUT: in parallel, atomically, with requirements and manifest.

Python files that mention infrar (or an installed plugin's package) are parsed and erased in
worker processes; every other file is copied byte for byte. Everything is written to a
temporary directory beside OUT and renamed into place only when every file erased: on any
error nothing is written.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from infrar import __version__, config
from infrar.erase import reexport, report
from infrar.erase.adapters import Code
from infrar.erase.catalog import ERRORS_MODULE, Catalog
from infrar.erase.emit import Result
from infrar.erase.literals import patched_names
from infrar.erase.report import Diagnostic, Report
from infrar.plugins import Plugin

MANIFEST = "infrar-manifest.json"
REQUIREMENTS = "requirements.txt"
_SKIP_DIRS = frozenset({"__pycache__"})

_worker: dict[str, object] = {}


def _init_worker(plugins: dict[str, Plugin] | None, patched: frozenset[str] = frozenset()) -> None:
    from infrar.erase.adapters import Library

    catalog = Catalog(plugins)
    _worker["catalog"] = catalog
    _worker["patched"] = patched
    _worker["libraries"] = {(None, True): Library(catalog, patched=patched)}


# shown name, text, provider, (the tree's shared module as this file imports it, the names of
# the definitions in it) or None, and whether its copies may be folded on its literals (fold.py)
Job = tuple[str, bytes, str, tuple[str, dict[Code, str]] | None, bool]


def _erase_file(job: Job) -> tuple[str, Result]:
    from infrar.erase.adapters import Library, Shared
    from infrar.erase.emit import erase_module

    name, source, provider, sharing, fold = job
    catalog = _worker["catalog"]
    libraries = _worker["libraries"]
    assert isinstance(catalog, Catalog) and isinstance(libraries, dict)
    path = None if sharing is None else sharing[0]
    library = libraries.get((path, fold))
    if library is None:
        shared = None if sharing is None else Shared(sharing[0], sharing[1])
        patched = _worker["patched"]
        assert isinstance(patched, frozenset)
        library = libraries[(path, fold)] = Library(catalog, path, shared, fold, patched)
    assert isinstance(library, Library)
    return name, erase_module(source, provider, name, catalog, library)


def _files(src: Path) -> list[tuple[str, Path]]:
    """(path relative to SRC as shown to the user, file) for every file to erase or copy."""
    if src.is_file():
        return [(src.name, src)]
    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            path = Path(root) / name
            if name.endswith(".pyc"):
                continue
            found.append((path.relative_to(src).as_posix(), path))
    return found


def _show(src: Path, rel: str) -> str:
    return str(src) if src.is_file() else os.path.join(str(src), rel)


def erase_tree(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str] | None,
    provider: str,
    *,
    check: bool = False,
    diff: bool = False,
    jobs: int | None = None,
    progress: bool | None = None,
    plugins: dict[str, Plugin] | None = None,
) -> Report:
    """Erase ``src`` into the directory ``out`` (not written when ``check`` or ``diff``).

    The report lists every diagnostic; when it has errors nothing was written.
    ``report.diff`` holds the unified diff when ``diff`` is set.
    """

    config.validate_provider(provider, "--provider")
    source = Path(src)
    result = Report(provider)
    if not source.exists():
        result.diagnostics.append(Diagnostic(str(source), 0, 0, report.OUTPUT, "SRC does not exist",
                                             "pass an existing Python file or directory"))
        return result
    target = Path(out) if out is not None else None
    if target is not None and not (check or diff):
        problem = _check_out(source, target)
        if problem:
            result.diagnostics.append(Diagnostic(str(target), 0, 0, report.OUTPUT, problem[0], problem[1]))
            return result
    roots = [r.encode() for r in sorted(Catalog(plugins).roots)]
    jobs_list: list[Job] = []
    copies: dict[str, Path] = {}
    texts: dict[str, bytes] = {}
    python: dict[str, bytes] = {}  # every module, read once: for re-exports and for what one sets on another
    for rel, path in _files(source):
        if target is not None and _inside(path, target):
            continue
        if path.suffix in (".py", ".pyi"):
            data = path.read_bytes()
            python[rel] = data
            if any(root in data for root in roots):
                texts[rel] = data
                jobs_list.append((_show(source, rel), data, provider, None, True))
                continue
        copies[rel] = path
    if source.is_dir():  # ``from lib import storage`` where lib binds storage by importing infrar
        result.diagnostics.extend(reexport.in_tree(source, texts, python, Catalog(plugins), _show))
    if len(jobs_list) > 1:  # their copies may yet be shared: fold only once that is known
        jobs_list = [(shown, data, provider, None, False) for shown, data, provider, _sharing, _fold in jobs_list]
    patched = patched_names(python.values())
    results = _run(jobs_list, plugins, jobs, _want_progress(progress), patched)
    by_show = {_show(source, rel): rel for rel in texts}
    shared = _share(source, results, jobs_list, by_show, set(texts) | set(copies), plugins, jobs, patched)
    erased: dict[str, bytes] = {}
    requirements: set[str] = set()
    for shown, res in results:
        rel = by_show[shown]
        result.diagnostics.extend([*res.diagnostics, *res.notes])
        result.plugins.update(res.plugins)
        requirements |= res.requirements
        if res.code is None or res.code == texts[rel]:
            copies[rel] = source / rel if source.is_dir() else source
        else:
            erased[rel] = res.code
    previous = _previous_manifest(source, provider, result)
    if previous:
        requirements |= {str(r) for r in _as_list(previous.get("requirements"))}
        for name, version in _as_dict(previous.get("plugins")).items():
            result.plugins.setdefault(str(name), str(version))
    result.requirements = sorted(requirements, key=str.lower)
    result.changed = sorted(erased)
    result.copied = sorted(r for r in copies if r not in (MANIFEST, REQUIREMENTS) or not source.is_dir())
    if not result.ok:
        return result
    extra = _extra_files(source, provider, result)
    extra.update(shared)
    if diff:
        result.diff = _diff(source, texts, erased, extra)
    if check or diff or target is None:
        return result
    _write(target, copies, erased, extra)
    result.written = str(target)
    return result


def _share(source: Path, results: list[tuple[str, Result]], jobs_list: list[Job],
           by_show: dict[str, str], existing: set[str], plugins: dict[str, Plugin] | None,
           jobs: int | None, patched: frozenset[str]) -> dict[str, bytes]:
    """When several modules copy definitions, erase them again importing those from one private
    module instead (shared.py): one copy, one client per process, one set of error classes."""
    from infrar.erase import shared, verify
    from infrar.erase.adapters import Library

    copying = {shown: res for shown, res in results if res.emitted and not res.diagnostics}
    if len(copying) < 2:  # nothing shared: the one module copying may fold its copies on its literals
        alone: list[Job] = [(shown, data, provider, None, True)
                            for shown, data, provider, _none, fold in jobs_list if shown in copying and not fold]
        redone = dict(_run(alone, plugins, jobs, False, patched)) if alone else {}
        results[:] = [(shown, redone.get(shown, res)) for shown, res in results]
        return {}
    name = shared.module_name(existing)
    package = (source / "__init__.py").is_file()
    codes = list(dict.fromkeys(code for res in copying.values() for code in res.emitted))
    catalog = Catalog(plugins)
    reserved: set[str] = set()
    for shown, data, _provider, _none, _fold in jobs_list:
        if shown in copying:
            reserved |= shared.reserved_names(data, catalog)
    text, names = shared.module_text(Library(catalog), codes, reserved)
    if verify.problem(text, f"{name}.py") is not None:  # cannot happen: keep the copies, each verified
        return {}
    # error classes are imported by their own names (the library's errors module is the shared one)
    names = {code: found for code, found in names.items() if code.module != ERRORS_MODULE}
    again: list[Job] = [(shown, data, provider, (shared.import_path(by_show[shown], name, package), names), False)
                        for shown, data, provider, _none, _fold in jobs_list if shown in copying]
    redone = dict(_run(again, plugins, jobs, False))
    results[:] = [(shown, redone.get(shown, res)) for shown, res in results]
    return {f"{name}.py": text}


def _want_progress(progress: bool | None) -> bool:
    return progress if progress is not None else sys.stderr.isatty()


def _run(jobs_list: list[Job], plugins: dict[str, Plugin] | None, jobs: int | None,
         progress: bool, patched: frozenset[str] = frozenset()) -> list[tuple[str, Result]]:
    total = len(jobs_list)
    done: list[tuple[str, Result]] = []
    workers = min(jobs or os.cpu_count() or 1, total)
    if workers <= 1:
        _init_worker(plugins, patched)
        for job in jobs_list:
            done.append(_erase_file(job))
            _tick(progress, len(done), total)
    else:
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(plugins, patched)) as pool:
            for item in pool.map(_erase_file, jobs_list, chunksize=max(1, total // (workers * 4))):
                done.append(item)
                _tick(progress, len(done), total)
    if progress and total:
        print(file=sys.stderr)
    return done


def _tick(progress: bool, n: int, total: int) -> None:
    if progress:
        print(f"\rinfrar erase: {n}/{total} files", end="", file=sys.stderr, flush=True)


def _inside(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True


def _check_out(source: Path, target: Path) -> tuple[str, str] | None:
    if source.is_dir() and (_inside(target, source) or _inside(source, target)):
        return ("OUT and SRC overlap; erase never writes into its own input",
                "choose an OUT directory outside SRC, e.g. dist/")
    if target.exists() and not target.is_dir():
        return ("OUT exists and is not a directory", "choose a new or empty directory for OUT")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        return ("OUT is a non-empty directory that erase did not write; it will not be replaced",
                "choose a new or empty directory, or remove it first")
    return None


def _previous_manifest(source: Path, provider: str, result: Report) -> dict[str, object] | None:
    """An erased tree carries a manifest: warn when it was built with other versions."""
    path = source / MANIFEST if source.is_dir() else None
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    if not isinstance(data, dict):
        return None
    notes: list[str] = []
    if data.get("provider") != provider:
        notes.append(f"it was erased for provider {data.get('provider')!r}, not {provider!r}")
    if data.get("infrar") != __version__:
        notes.append(f"it was erased by infrar {data.get('infrar')}, this is {__version__}")

    installed = {p.name: p.version for p in Catalog().plugins.values()}
    for name, version in sorted(_as_dict(data.get("plugins")).items()):
        if installed.get(name) != version:
            notes.append(f"plugin {name} was {version}, installed is {installed.get(name, 'none')}")
    for note in notes:
        result.diagnostics.append(Diagnostic(str(path), 0, 0, "manifest-mismatch", note,
                                             "erase the original sources again", "warning"))
    return data if data.get("provider") == provider else None


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _as_dict(value: object) -> dict[str, object]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _extra_files(source: Path, provider: str, result: Report) -> dict[str, bytes]:
    manifest = {
        "erased_by": "infrar erase",
        "infrar": __version__,
        "provider": provider,
        "plugins": dict(sorted(result.plugins.items())),
        "requirements": result.requirements,
    }
    user_reqs = source / REQUIREMENTS if source.is_dir() else None
    if user_reqs is not None and user_reqs.is_file():
        lines = user_reqs.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if _requirement_name(line) != "infrar"]
        present = {_requirement_name(line) for line in kept}
        missing = [r for r in result.requirements if _requirement_name(r) not in present]
        if missing:
            kept += [f"# added by infrar erase --provider {provider}", *missing]
        text = "\n".join(kept) + "\n" if kept else ""
    else:
        header = f"# Native packages the erased code needs (infrar erase --provider {provider})"
        text = "\n".join([header, *result.requirements]) + "\n"
    return {
        REQUIREMENTS: text.encode("utf-8"),
        MANIFEST: (json.dumps(manifest, indent=2) + "\n").encode("utf-8"),
    }


def _requirement_name(line: str) -> str:
    text = line.split("#", 1)[0].strip()
    for stop in "[<>=!~; ":
        text = text.split(stop, 1)[0]
    return text.lower().replace("_", "-")


def _diff(source: Path, texts: dict[str, bytes], erased: dict[str, bytes], extra: dict[str, bytes]) -> str:
    chunks: list[str] = []
    for rel in sorted(erased):
        before = texts[rel].decode("utf-8", "replace").splitlines(keepends=True)
        after = erased[rel].decode("utf-8", "replace").splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(before, after, f"a/{rel}", f"b/{rel}"))
    for rel, data in sorted(extra.items()):
        old = source / rel if source.is_dir() else None
        before_text = old.read_text(encoding="utf-8") if old is not None and old.is_file() else ""
        after_text = data.decode("utf-8")
        if before_text != after_text:
            chunks.extend(difflib.unified_diff(before_text.splitlines(keepends=True),
                                               after_text.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"))
    return "".join(chunks)


def _write(target: Path, copies: dict[str, Path], erased: dict[str, bytes], extra: dict[str, bytes]) -> None:
    parent = target.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.erasing-", dir=parent))
    try:
        for rel, path in sorted(copies.items()):
            if rel in extra:
                continue
            dest = temp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
        for rel, data in sorted(erased.items()):
            dest = temp / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        for rel, data in extra.items():
            (temp / rel).write_bytes(data)
        temp.chmod(0o755)
        _replace_dir(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _replace_dir(temp: Path, target: Path) -> None:
    if not target.exists():
        os.replace(temp, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=temp.parent))
    old.rmdir()
    os.replace(target, old)
    try:
        os.replace(temp, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)
