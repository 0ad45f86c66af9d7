"""Erase: rewrite a program's infrar calls into the chosen provider's native code.

``erase_source`` erases one module's text; ``erase_tree`` erases a file or a directory tree
into an output directory, atomically. See DESIGN.md section 3.
"""

from __future__ import annotations

import os
import warnings

from infrar.erase.report import Diagnostic, EraseError, EraseWarning, Report

__all__ = ["Diagnostic", "EraseError", "EraseWarning", "Report", "erase_source", "erase_tree"]


def erase_source(code: str, provider: str, filename: str = "<string>") -> str:
    """The erased text of one module; ``code`` unchanged if it does not use infrar.

    Raises EraseError (with file:line:col diagnostics) if it cannot be erased; warns (EraseWarning)
    of what erases but deserves a look, such as a literal argument that fails its check.
    """
    from infrar import config
    from infrar.erase.adapters import Library
    from infrar.erase.catalog import Catalog
    from infrar.erase.emit import erase_module

    config.validate_provider(provider, "--provider")
    catalog = Catalog()
    result = erase_module(code.encode("utf-8"), provider, filename, catalog, Library(catalog))
    if result.diagnostics:
        raise EraseError(result.diagnostics)
    for note in result.notes:
        warnings.warn(note.text(), EraseWarning, stacklevel=2)
    return code if result.code is None else result.code.decode("utf-8")


def erase_tree(src: str | os.PathLike[str], out: str | os.PathLike[str] | None, provider: str,
               **options: object) -> Report:
    """Erase ``src`` (a file or a directory) into the directory ``out``; see tree.erase_tree."""
    from infrar.erase.tree import erase_tree as _erase_tree

    return _erase_tree(src, out, provider, **options)  # type: ignore[arg-type]
