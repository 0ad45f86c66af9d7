"""Write a generated root module atomically, or show how it differs from what is on disk.

infrar owns ``main.tf``, ``variables.tf``, ``outputs.tf``, ``versions.tf`` and ``modules/`` of the
output directory. Everything else there (``.terraform/``, the lock file, state, ``*.tfvars``,
``*_override.tf``) belongs to the user and is carried over untouched.
"""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from infrar.errors import InvalidArgument

__all__ = ["OWNED", "diff", "existing_files", "write_atomic"]

OWNED = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "modules")


def _owned_paths(directory: Path) -> Iterator[Path]:
    for name in OWNED:
        path = directory / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from (p for p in sorted(path.rglob("*")) if p.is_file())


def existing_files(directory: Path) -> dict[str, str]:
    """The infrar-owned files already in ``directory`` (relative POSIX path -> text)."""
    if not directory.is_dir():
        return {}
    return {p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8") for p in _owned_paths(directory)}


def diff(files: Mapping[str, str], directory: Path) -> str:
    """A unified diff from ``directory`` (as it is) to ``files`` (as generated); empty if equal."""
    old = existing_files(directory)
    chunks: list[str] = []
    for name in sorted(set(old) | set(files)):
        before, after = old.get(name), files.get(name)
        if before == after:
            continue
        chunks.extend(difflib.unified_diff(
            (before or "").splitlines(keepends=True), (after or "").splitlines(keepends=True),
            fromfile=f"a/{name}" if before is not None else "/dev/null",
            tofile=f"b/{name}" if after is not None else "/dev/null",
        ))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in chunks)


def write_atomic(files: Mapping[str, str], directory: Path) -> None:
    """Make ``directory`` hold exactly ``files`` (plus the user's own files), all or nothing.

    The new tree is written to a temporary directory beside ``directory``, the user's files are
    moved into it, and the two directories are swapped by two renames: the directory never holds
    a mixture of old and new files, and a failure leaves the old tree as it was.
    """
    directory = directory.resolve()
    if directory.exists() and not directory.is_dir():
        raise InvalidArgument(f"{directory} exists and is not a directory; choose another -o DIR")
    for name in files:
        if name.startswith("/") or ".." in Path(name).parts:
            raise InvalidArgument(f"refusing to write {name!r} outside {directory}")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.new-", dir=directory.parent))
    retired: Path | None = None
    try:
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if directory.exists():
            for entry in sorted(directory.iterdir()):
                if entry.name not in OWNED:
                    os.replace(entry, staging / entry.name)
            retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old-", dir=directory.parent))
            os.replace(directory, retired / directory.name)
        os.replace(staging, directory)
    except BaseException:
        _restore(staging, directory, retired)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _restore(staging: Path, directory: Path, retired: Path | None) -> None:
    """Undo a failed write_atomic: the old tree back in place with the user's files."""
    old = retired / directory.name if retired is not None else None
    if old is not None and old.exists() and not directory.exists():
        os.replace(old, directory)
    target = old if old is not None and old.exists() else directory
    if staging.exists():
        for entry in sorted(staging.iterdir()):
            if entry.name not in OWNED and target.exists() and not (target / entry.name).exists():
                os.replace(entry, target / entry.name)
        shutil.rmtree(staging, ignore_errors=True)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
