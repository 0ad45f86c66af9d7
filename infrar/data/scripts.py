"""What a cloud job runs for a local script: the script alone, or one file carrying its siblings.

A cloud job (Glue, Cloud Run, Synapse Spark) runs the one file uploaded to its script location.
A script that imports modules lying beside it (an erased tree's private ``_cloud.py``, or a
program's own helpers) would fail there with ImportError, so the adapters upload a bundle: one
Python file holding those modules' sources and the script's, which installs an import finder for
the modules and then runs the script as ``__main__``. A script that imports infrar (itself or
through those modules) gets INFRAR_PROVIDER set in the bundle, unless the job's environment has
it: a cloud job does not run with the starting program's environment, and infrar would choose
``local`` there. A script that imports neither is uploaded as it is. Packages (directories)
beside the script are not bundled: ship them as the provider's extra files or install them in
the job's image.
"""

from __future__ import annotations

import ast
import os

__all__ = ["bundle", "sibling_modules"]

# The bundle's text: {name}, {modules} and {main} are filled in; runs on Python 3.9 (Glue's) and later.
_BUNDLE = '''\
# The script of a cloud job: {name}, and the modules beside it that it imports.
import importlib.abc
import importlib.util
import os
import sys

_MODULES = {modules!r}
for _name, _value in {environment!r}.items():
    os.environ.setdefault(_name, _value)


class _Beside(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_loader(name, self) if name in _MODULES else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(compile(_MODULES[module.__name__], module.__name__ + ".py", "exec"), module.__dict__)


sys.meta_path.insert(0, _Beside())
exec(compile({main!r}, {name!r}, "exec"), {{"__name__": "__main__", "__file__": __file__}})
'''


def _imported(source: str, where: str) -> list[str]:
    """Top-level names of the absolute imports in ``source``."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source, where)):
        if isinstance(node, ast.Import):
            names += [alias.name.partition(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module.partition(".")[0])
    return names


def sibling_modules(script: str) -> dict[str, str]:
    """name -> source of each ``<name>.py`` beside ``script`` that it imports, directly or through another."""
    main = os.path.abspath(script)
    folder = os.path.dirname(main)
    found: dict[str, str] = {}
    pending = [main]
    while pending:
        path = pending.pop()
        with open(path, encoding="utf-8") as stream:
            source = stream.read()
        for name in _imported(source, path):
            candidate = os.path.join(folder, f"{name}.py")
            if name not in found and candidate != main and os.path.isfile(candidate):
                with open(candidate, encoding="utf-8") as stream:
                    found[name] = stream.read()
                pending.append(candidate)
    return dict(sorted(found.items()))


def bundle(script: str, provider: str) -> bytes | None:
    """The one file a ``provider`` job runs for local ``script``; None when the script itself will do."""
    modules = sibling_modules(script)
    with open(script, encoding="utf-8") as stream:
        main = stream.read()
    sources = {script: main, **modules}
    uses_infrar = any("infrar" in _imported(source, where) for where, source in sources.items())
    if not modules and not uses_infrar:
        return None
    environment = {"INFRAR_PROVIDER": provider} if uses_infrar else {}
    return _BUNDLE.format(name=os.path.basename(script), modules=modules, main=main,
                          environment=environment).encode("utf-8")
