"""What a cloud job runs for a local script: the script alone, or one file carrying its siblings.

A cloud job (Glue, Cloud Run, Synapse Spark) runs the one file uploaded to its script location.
A script that imports modules lying beside it (an erased tree's private ``_cloud.py``, or a
program's own helpers), or packages (folders with ``__init__.py``) lying beside it, would fail
there with ImportError, so the adapters upload a bundle: one Python file holding those modules'
sources (a package's every module, its subpackages' too, so relative and dynamic imports inside it
work) and the script's, which installs an import finder for them and then runs the script as
``__main__``. A script that imports infrar (itself or
through those modules) gets INFRAR_PROVIDER set in the bundle, unless the job's environment has
it: a cloud job does not run with the starting program's environment, and infrar would choose
``local`` there. The bundle also carries the starter's deployed-name variables (``BUCKET_NAME_<B>``
and the like, ``deployed_names``; never any other variable, which could be a secret), so the
job's storage, queue and database calls reach the resources the starter's do. A script that
imports neither is uploaded as it is. Tracebacks name each
module's file relative to the script's folder (``helpers/codes.py``).
"""

from __future__ import annotations

import ast
import os
import re

__all__ = ["bundle", "deployed_names", "sibling_modules"]

# the variables infrar infra names each used resource's deployed name in (not secrets)
_NAMES = re.compile(r"^(?:(?:BUCKET|QUEUE|TOPIC)_NAME_|PGDATABASE_)[A-Z0-9_]+$")

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
        if name not in _MODULES:
            return None
        return importlib.util.spec_from_loader(name, self, is_package=_MODULES[name][0].endswith("__init__.py"))

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        file, source = _MODULES[module.__name__]
        exec(compile(source, file, "exec"), module.__dict__)


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


def _package(folder: str, name: str) -> dict[str, tuple[str, str]]:
    """dotted name -> (file relative to ``folder``, path) of every module of package ``name`` in ``folder``."""
    found: dict[str, tuple[str, str]] = {}
    for root, directories, files in os.walk(os.path.join(folder, name)):
        relative = os.path.relpath(root, folder)
        if "__init__.py" not in files:  # not a package (nor anything below it): not importable as part of it
            directories.clear()
            continue
        directories[:] = sorted(d for d in directories if d != "__pycache__")
        dotted = relative.replace(os.sep, ".")
        for file in sorted(f for f in files if f.endswith(".py")):
            module = dotted if file == "__init__.py" else f"{dotted}.{file[:-3]}"
            found[module] = (f"{relative}/{file}".replace(os.sep, "/"), os.path.join(root, file))
    return found


def _siblings(script: str) -> dict[str, tuple[str, str]]:
    """name -> (file, source) of each module and package module beside ``script`` that it imports,
    directly or through another."""
    main = os.path.abspath(script)
    folder = os.path.dirname(main)
    found: dict[str, tuple[str, str]] = {}
    pending = [main]
    while pending:
        path = pending.pop()
        with open(path, encoding="utf-8") as stream:
            source = stream.read()
        for name in _imported(source, path):
            if name in found:
                continue
            candidate = os.path.join(folder, f"{name}.py")
            if os.path.isfile(os.path.join(folder, name, "__init__.py")):  # a package wins, as in Python
                modules = _package(folder, name)
            elif candidate != main and os.path.isfile(candidate):
                modules = {name: (f"{name}.py", candidate)}
            else:
                continue
            for module, (file, where) in modules.items():
                with open(where, encoding="utf-8") as stream:
                    found[module] = (file, stream.read())
                pending.append(where)
    return dict(sorted(found.items()))


def sibling_modules(script: str) -> dict[str, str]:
    """name -> source of each module beside ``script`` that it imports (a package's as ``pkg``, ``pkg.sub``)."""
    return {name: source for name, (_, source) in _siblings(script).items()}


def deployed_names() -> dict[str, str]:
    """The starter's ``BUCKET_NAME_<B>``, ``QUEUE_NAME_<Q>``, ``TOPIC_NAME_<T>`` and ``PGDATABASE_<D>``.

    What maps the program's resource names to the deployed ones (infrar.providers._names): the job
    runs the same program text, so it must resolve the same names. Names only, never the other
    variables of the environment, which may hold secrets and would be written into the upload."""
    return {key: value for key, value in sorted(os.environ.items())
            if _NAMES.match(key) and value and value.isprintable()}


def bundle(script: str, provider: str) -> bytes | None:
    """The one file a ``provider`` job runs for local ``script``; None when the script itself will do."""
    modules = _siblings(script)
    with open(script, encoding="utf-8") as stream:
        main = stream.read()
    sources = {script: main, **{file: source for file, source in modules.values()}}
    uses_infrar = any("infrar" in _imported(source, where) for where, source in sources.items())
    if not modules and not uses_infrar:
        return None
    environment = {**deployed_names(), **({"INFRAR_PROVIDER": provider} if uses_infrar else {})}
    return _BUNDLE.format(name=os.path.basename(script), modules=modules, main=main,
                          environment=environment).encode("utf-8")
