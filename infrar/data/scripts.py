"""What a cloud job runs for a script: the script alone, or one file carrying its siblings and variables.

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
and the like, ``deployed_names``) and its non-secret connection variables (``connection_variables``:
only those the database, cache and messaging plugins list under ``job_variables``, never a value
holding a password), so the job's storage, queue, database and cache calls reach, and sign in to,
the resources the starter's do. A script
with none of these to carry is uploaded as it is; a script stored in a bucket gets the same bundle
when it has something to carry (read at ``run_job`` time, like a local one). Tracebacks name each
module's file relative to the script's folder (``helpers/codes.py``).
"""

from __future__ import annotations

import ast
import os
import re

from infrar.errors import InvalidArgument

__all__ = ["JOB_VARIABLES", "bundle", "bundle_stored", "connection_variables", "deployed_names", "sibling_modules"]

# the variables infrar infra names each used resource's deployed name in (not secrets)
_NAMES = re.compile(r"^(?:(?:BUCKET|QUEUE|TOPIC)_NAME_|PGDATABASE_)[A-Z0-9_]+$")

# provider -> the starter's variables a job carries: the union of the job_variables the database, cache
# and messaging plugin.yaml declare (tests/data/test_scripts.py holds the two equal; a literal here, as
# erased programs bundle jobs without infrar's plugin registry). "NAME_*" is a prefix; INFRAR_JOB_<X> is
# carried as <X>: the infrastructure's name of what the job's own identity signs in as (GCP: the job
# service account's Cloud SQL IAM user), where the starter's own (DB_IAM_USER ...) would be wrong.
JOB_VARIABLES: dict[str, tuple[str, ...]] = {
    "aws": ("PGHOST", "PGPORT", "PGUSER", "PGSSLMODE", "PGPASSWORD_SECRET_ARN", "RDS_IAM_AUTH",
            "REDIS_URL", "REDIS_URL_*", "ELASTICACHE_IAM_CACHE_NAME", "ELASTICACHE_SERVERLESS",
            "AWS_REGION", "AWS_DEFAULT_REGION", "INFRAR_CREATE_MISSING", "INFRAR_MESSAGING_LEASE_SECONDS"),
    "gcp": ("PGHOST", "PGPORT", "PGSSLMODE", "INSTANCE_CONNECTION_NAME", "PRIVATE_IP", "INFRAR_JOB_DB_IAM_USER",
            "REDIS_URL", "REDIS_URL_*",
            "GOOGLE_CLOUD_PROJECT", "INFRAR_CREATE_MISSING", "INFRAR_MESSAGING_LEASE_SECONDS"),
    "azure": ("AZURE_SQL_CONNECTIONSTRING", "AZURE_POSTGRES_ENTRA", "PGHOST", "PGPORT", "PGSSLMODE",
              "INFRAR_JOB_PGUSER", "REDIS_URL", "REDIS_URL_*", "AZURE_REDIS_HOST",
              "AZURE_SERVICEBUS_NAMESPACE", "INFRAR_CREATE_MISSING", "INFRAR_MESSAGING_LEASE_SECONDS"),
}
_OWN = "INFRAR_JOB_"
# a value that holds a credential: user:password@ in a URL, or a password / key field of a connection string
_SECRET = re.compile(r"://[^/@\s]*:[^/@\s]*@|(?:^|;)\s*(?:password|pwd|accountkey|sharedaccesskey|"
                     r"sharedaccesssignature|clientsecret)\s*=", re.IGNORECASE)

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
    try:
        tree = ast.parse(source, where)
    except SyntaxError as exc:
        raise InvalidArgument(f"job script {where} is not valid Python (line {exc.lineno}: {exc.msg}); "
                              "fix it before run_job uploads it") from exc
    names: list[str] = []
    for node in ast.walk(tree):
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


def _listed(name: str, listed: tuple[str, ...]) -> bool:
    return name in listed or any(entry.endswith("*") and name.startswith(entry[:-1]) for entry in listed)


def connection_variables(provider: str) -> dict[str, str]:
    """The starter's variables a ``provider`` job signs in with (JOB_VARIABLES), none holding a secret.

    Where the database, cache and namespace are and who signs in (PGHOST, PGUSER, REDIS_URL without a
    password ...). A listed variable whose value holds a password (``user:pass@`` in a URL, ``Password=``,
    ``AccountKey=`` ...) is dropped: it would be written into the upload. INFRAR_JOB_<X> comes as <X>."""
    listed = JOB_VARIABLES.get(provider, ())
    found: dict[str, str] = {}
    for key, value in sorted(os.environ.items()):
        if not _listed(key, listed) or not value or not value.isprintable() or _SECRET.search(value):
            continue
        if key.startswith(_OWN):
            found[key[len(_OWN):]] = value  # the job's own identity: wins over a starter's variable
        else:
            found.setdefault(key, value)
    return found


def bundle(script: str, provider: str) -> bytes | None:
    """The one file a ``provider`` job runs for local ``script``; None when the script itself will do."""
    with open(script, encoding="utf-8") as stream:
        main = stream.read()
    return _bundled(os.path.basename(script), script, main, _siblings(script), provider)


def bundle_stored(key: str, body: bytes, provider: str) -> bytes | None:
    """The one file a ``provider`` job runs for the script stored at ``key``; None when it will do as stored.

    A stored script has no modules beside it to bundle, but it needs the starter's variables as a
    local one does (INFRAR_PROVIDER when it imports infrar, the deployed names, where to sign in)."""
    try:
        main = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArgument(f"job script {key!r} is not UTF-8 text (byte {exc.start}); store the Python "
                              "source itself") from exc
    return _bundled(key.rpartition("/")[2], key, main, {}, provider)


def _bundled(name: str, where: str, main: str, modules: dict[str, tuple[str, str]], provider: str) -> bytes | None:
    sources = {where: main, **{file: source for file, source in modules.values()}}
    # A script that imports the runtime SDK (not erased) picks its cloud from INFRAR_PROVIDER.
    runs_sdk = any("infrar" in _imported(source, file) for file, source in sources.items())
    environment = {**connection_variables(provider), **deployed_names(),
                   **({"INFRAR_PROVIDER": provider} if runs_sdk else {})}
    if not modules and not environment:
        return None  # nothing to carry: the script runs as it is
    return _BUNDLE.format(name=name, modules=modules, main=main, environment=environment).encode("utf-8")
