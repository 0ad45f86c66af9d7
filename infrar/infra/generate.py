"""project.yaml -> one OpenTofu root module per provider.

``generate(project, provider)`` returns the files of the root module (``main.tf``,
``variables.tf``, ``outputs.tf``, ``versions.tf``) and a copy of every module it calls under
``modules/<module>/``, so the directory is self-contained: ``tofu init`` needs no registry for
modules, and the output is the same wherever infrar is installed. The result is a pure function
of the project, the provider and the installed modules: same input, same bytes.

Wiring (what makes IAM least-privilege): a workload reaches exactly the resources its capability
lists in ``uses`` (every resource of the project when ``uses`` is absent, which
``access_warnings`` reports; none for ``uses: []``):
- AWS: the workload module's ``policy_statements`` is the concatenation of those resources'
  ``policy_statements`` outputs; databases and caches admit the workload's ``security_group_id``.
- GCP / Azure: each resource grants its own role to the workloads' ``member`` / ``principal_id``.
Every argument is passed only to modules that declare a variable of that name, which is also how
plugin modules plug in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from infrar.errors import ConfigurationError
from infrar.infra import hcl
from infrar.infra.checks import dropped_warnings, provider_errors
from infrar.infra.data_wiring import job_clients, job_identities, warehouse_arguments
from infrar.infra.environment import environment_warnings, root_outputs, workload_arguments
from infrar.infra.hcl import Block, Comment, Expr, Value
from infrar.infra.mapping import ModuleRef, builtin_root, continuous_worker, module_table, resolve
from infrar.infra.messaging_wiring import WIRED_SETTINGS, messaging_arguments
from infrar.infra.profiles import ROOT_VARIABLES, TOFU_REQUIRED_VERSION, Profile, RootVariable, profile
from infrar.infra.project import OBSERVABILITY, Capability, Project, Resource

__all__ = ["GENERATED_ROOT_FILES", "OUTPUT_GROUPS", "access_warnings", "dropped_warnings", "environment_warnings",
           "generate"]

GENERATED_ROOT_FILES = ("main.tf", "outputs.tf", "variables.tf", "versions.tf")
# resource kind -> root output holding {name: module.<kind>_<name>.connection}
OUTPUT_GROUPS = {"bucket": "buckets", "database": "databases", "queue": "queues", "topic": "topics",
                 "cache": "caches", "warehouse": "warehouses", OBSERVABILITY: "observability"}
_CONTAINER = ("container_image", "cpu", "memory", "min_instances", "max_instances", "env")
# capability type -> the fields of project.yaml's config that apply to it
CAPABILITY_FIELDS: dict[str, tuple[str, ...]] = {
    "web_application": (*_CONTAINER, "port", "health_check_path"),
    "api_service": (*_CONTAINER, "port", "health_check_path"),
    "background_worker": (*_CONTAINER, "schedule"),
    "container_orchestrator": ("node_count", "node_size", "kubernetes_version"),
}
SERVICE_TYPES = ("web_application", "api_service")
# workload output -> variable of a resource module that admits workloads through it
ACCESS_WIRING = {"security_group_id": "client_security_group_ids", "member": "members",
                 "principal_id": "principal_ids"}
# workload output -> map variable (workload name -> identity) of a database that makes a user per workload
CLIENT_WIRING = {"member": "client_members", "principal_id": "client_principals"}
_OUTPUT = re.compile(r'^output\s+"([A-Za-z0-9_-]+)"', re.MULTILINE)
# What every deployed name starts with; each module fits it to its service's rules (docs/infra.md, Names)
NAME_PREFIX = Expr('"${lower(var.project_name)}-${lower(var.environment_name)}-"')


@dataclass(frozen=True)
class _Placed:
    entry: Capability | Resource
    label: str
    ref: ModuleRef
    variables: frozenset[str]
    outputs: frozenset[str]

    @property
    def is_workload(self) -> bool:
        return isinstance(self.entry, Capability)

    def ref_to(self, output: str) -> str:
        return f"module.{self.label}.{output}"


def _outputs(ref: ModuleRef) -> frozenset[str]:
    return frozenset(o for name, text in ref.files().items() if name.endswith(".tf") for o in _OUTPUT.findall(text))


def _place(entry: Capability | Resource, table: Mapping[str, ModuleRef], provider: str) -> _Placed:
    engine = entry.settings.get("engine") if isinstance(entry, Resource) else None
    ref = resolve(table, entry.kind, provider, None if engine is None else str(engine),
                  entry.location or entry.name)
    if isinstance(entry, Capability) and entry.type == "background_worker" and entry.schedule is None:
        ref = continuous_worker(ref)
    if not ref.directory.is_dir():
        raise ConfigurationError(f"module {provider}/{ref.name} for {entry.kind!r} is not installed "
                                 f"(looked in {ref.directory}); reinstall infrar or the plugin providing it")
    label = OBSERVABILITY if entry.kind == OBSERVABILITY else f"{entry.kind}_{entry.name}"
    return _Placed(entry, hcl.identifier(label), ref, ref.variables(), _outputs(ref))


def _uses(workload: _Placed, resources: Sequence[_Placed]) -> list[_Placed]:
    """The resources a workload reaches: those its capability lists in ``uses``, all if it has none.

    The project's observability is reached by every workload: it holds telemetry, not data."""
    entry = workload.entry
    if not isinstance(entry, Capability) or entry.uses is None:
        return list(resources)
    wanted = set(entry.uses)
    return [r for r in resources if r.entry.name in wanted or r.entry.kind == OBSERVABILITY]


def access_warnings(project: Project) -> list[str]:
    """One line per capability that declares no ``uses`` and so reaches every resource of the project."""
    if not any(r.kind != OBSERVABILITY for r in project.resources):
        return []
    return [f"{c.location or project.path.name}: warning: capability {c.name!r} declares no uses: and gets "
            "access to every resource of the project; "
            "declare uses: [names] to narrow it"
            for c in project.capabilities if c.uses is None]


def _settings(placed: _Placed) -> tuple[dict[str, Value], list[str]]:
    """Arguments from the project's settings/config the module declares; the names it does not."""
    entry = placed.entry
    if isinstance(entry, Capability):
        fields = CAPABILITY_FIELDS.get(entry.type, ())
        raw: dict[str, Any] = {k: getattr(entry, k) for k in fields if getattr(entry, k, None) is not None}
        raw = {k: v for k, v in raw.items() if not (k == "env" and not v)}
    else:
        raw = dict(entry.settings)
    used = {k: _value(raw[k]) for k in sorted(raw) if k in placed.variables}
    return used, sorted(k for k in raw if k not in placed.variables and k not in WIRED_SETTINGS)


def _value(value: Any) -> Value:
    if isinstance(value, Mapping):
        return {str(k): _value(value[k]) for k in sorted(value)}
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def _concat(references: Sequence[str]) -> Expr:
    """``concat(a, b, ...)``, one argument a line, laid out for an attribute of a module block."""
    if len(references) == 1:
        return Expr(references[0])
    return Expr("concat(\n" + "".join(f"    {r},\n" for r in references) + "  )")


def _wiring(placed: _Placed, workloads: Sequence[_Placed], resources: Sequence[_Placed]) -> dict[str, Value]:
    wires: dict[str, Value] = {}
    declared = placed.variables
    if placed.is_workload:
        used = _uses(placed, resources)
        wires.update(workload_arguments(placed, used))
        statements = [r.ref_to("policy_statements") for r in used if "policy_statements" in r.outputs]
        # a database with a role per workload: this workload's own statements only
        statements += [f'{r.ref_to("client_policy_statements")}["{placed.entry.name}"]'
                       for r in used if "client_policy_statements" in r.outputs]
        if "policy_statements" in declared and statements:
            wires["policy_statements"] = _concat(statements)
        return wires
    users = [w for w in workloads if placed in _uses(w, resources)]
    for output, variable in ACCESS_WIRING.items():
        sources = [Expr(w.ref_to(output)) for w in users if output in w.outputs]
        sources += job_identities(placed, users, lambda w: _uses(w, resources)).get(variable, [])
        if variable in declared and sources:
            wires[variable] = sources
    if "client_roles" in declared and users:  # one database role per workload, named after it
        wires["client_roles"] = [w.entry.name for w in users]
    for output, variable in CLIENT_WIRING.items():  # by workload name: a database user per workload
        named = {w.entry.name: Expr(w.ref_to(output)) for w in users if output in w.outputs}
        named.update(job_clients(placed, users, lambda w: _uses(w, resources)).get(variable, {}) if named else {})
        if variable in declared and named:
            wires[variable] = named
    wires.update(warehouse_arguments(placed, users, lambda w: _uses(w, resources)))
    wires.update(messaging_arguments(placed, resources))
    return wires


def _module_files(refs: Iterable[ModuleRef]) -> dict[str, str]:
    """Copy every called module, and the ``../<sibling>`` modules they call, under modules/."""
    files: dict[str, str] = {}
    origin: dict[str, ModuleRef] = {}
    pending = list(refs)
    while pending:
        ref = pending.pop()
        if ref.name in origin:
            if origin[ref.name].directory != ref.directory and origin[ref.name].origin != ref.origin:
                raise ConfigurationError(f"two different modules are both named {ref.name!r}; rename one")
            continue
        origin[ref.name] = ref
        for name, text in ref.files().items():
            files[f"modules/{ref.name}/{name}"] = text
        parent = ref.directory.joinpath("..")
        for sibling in ref.siblings():
            pending.append(ModuleRef(ref.provider, sibling, parent.joinpath(sibling), {}, ref.origin))
    return files


def _root_variable(name: str, variable: RootVariable, default: Value = None) -> Block:
    body: list[tuple[str, Value]] = [("description", variable.description), ("type", Expr(variable.type))]
    if not variable.required:
        body.append(("default", default if default is not None else variable.default))
    if variable.sensitive:
        body.append(("sensitive", True))
    return Block("variable", (name,), tuple(body))


def _versions(prof: Profile) -> str:
    providers = {
        local: {"source": source, "version": version}
        for local, (source, version) in sorted(prof.required_providers.items())
    }
    body: tuple[tuple[str, Value] | Block | Comment, ...] = (
        ("required_version", TOFU_REQUIRED_VERSION),
        Block("required_providers", (), tuple((local, spec) for local, spec in providers.items())),
    )
    return hcl.render([Block("terraform", (), body)])


def generate(project: Project, provider: str, *, with_plugins: bool = True) -> dict[str, str]:
    """The files of the root module for ``provider`` (relative path -> text), sorted by path."""
    prof = profile(provider)
    errors = provider_errors(project, provider)
    if errors:
        raise ConfigurationError("\n".join(errors))
    table = module_table(provider, with_plugins=with_plugins)
    workloads = [_place(c, table, provider) for c in project.capabilities]
    resources = [_place(r, table, provider) for r in project.resources]
    placed = workloads + resources
    kinds = {p.entry.kind for p in placed}
    shared = [s for s in prof.shared if kinds.intersection(s.kinds)]
    root = builtin_root().joinpath(provider)
    shared_refs = {s.name: ModuleRef(provider, s.name, root.joinpath(s.name)) for s in shared}

    used_context: set[str] = set()
    modules: list[Block] = []
    shared_outputs: dict[str, str] = {}
    for item in shared:
        ref = shared_refs[item.name]
        args = _context_args(prof, ref.variables(), used_context)
        args.update({k: Expr(v) for k, v in shared_outputs.items() if k in ref.variables()})  # earlier shared ones
        if "kinds" in ref.variables():  # what the project holds chooses what it creates (e.g. DNS zones)
            args["kinds"] = sorted({r.entry.kind for r in resources})
        modules.append(_module_block(item.name, ref, {}, {}, args, [], prof, ref.variables()))
        shared_outputs.update({var: f"module.{item.name}.{out}" for var, out in item.outputs.items()})
    for p in placed:
        settings, unused = _settings(p)
        args = _context_args(prof, p.variables, used_context)
        args.update({k: Expr(v) for k, v in shared_outputs.items() if k in p.variables})
        args.update(_wiring(p, workloads, resources))
        if "cluster_index" in p.variables:  # GKE: each cluster of the deployment its own control-plane slot
            args["cluster_index"] = [w for w in placed if "cluster_index" in w.variables].index(p)
        modules.append(_module_block(p.label, p.ref, {"name": p.entry.name, **settings}, dict(p.ref.arguments),
                                     args, unused, prof, p.variables))

    env_exprs = [f"module.{s.name}.environment" for s in shared if "environment" in _outputs(shared_refs[s.name])]
    native: dict[str, Value] = {k: prof.environment[k] for k in sorted(prof.environment)}
    locals_body: list[tuple[str, Value]] = [
        ("tags", {"managed-by": "infrar", "infrar-project": Expr("var.project_name")}),
        ("name_prefix", NAME_PREFIX),
    ]
    if env_exprs:
        locals_body.insert(0, ("native_environment", native))
        locals_body.insert(0, ("environment", Expr(f"merge(local.native_environment, {', '.join(env_exprs)})")))
    else:
        locals_body.insert(0, ("environment", native))
    source = project.path.name
    header = Comment(f"Generated by `infrar infra --provider {provider}` from {source}: regenerate, do not edit.\n"
                     "Put your own settings in *.tfvars or *_override.tf files; infrar keeps those.")
    main = hcl.render([header, *prof.provider_blocks, Block("locals", (), tuple(locals_body)), *modules])

    variables = [_root_variable("project_name", ROOT_VARIABLES["project_name"], project.name or "infrar"),
                 _root_variable("environment_name", ROOT_VARIABLES["environment_name"])]
    region = {prof.region_variable: project.regions.get(provider)}  # project.yaml's regions: is the default
    for name in prof.always_variables:
        variables.append(_root_variable(name, prof.context.get(name) or ROOT_VARIABLES[name], region.get(name)))
    for name in sorted(used_context - set(prof.always_variables)):
        variables.append(_root_variable(name, prof.context[name], region.get(name)))

    files = {
        "main.tf": main,
        "variables.tf": hcl.render(variables),
        "outputs.tf": _outputs_file(placed, secret_values=prof.provider == "azure"),
        "versions.tf": _versions(prof),
    }
    files.update(_module_files([p.ref for p in placed] + list(shared_refs.values())))
    return dict(sorted(files.items()))


def _context_args(prof: Profile, declared: frozenset[str], used: set[str]) -> dict[str, Value]:
    """``name = var.name`` for each provider context variable the module declares."""
    args: dict[str, Value] = {}
    for name in sorted(prof.context):
        if name in declared:
            args[name] = Expr(f"var.{name}")
            used.add(name)
    return args


def _module_block(label: str, ref: ModuleRef, settings: Mapping[str, Value], fixed: Mapping[str, Any],
                  args: Mapping[str, Value], unused: Sequence[str], prof: Profile,
                  declared: frozenset[str]) -> Block:
    body: list[tuple[str, Value] | Block | Comment] = [("source", f"./modules/{ref.name}")]
    if unused:
        body.append(Comment(f"not used by {prof.provider}/{ref.name}: {', '.join(unused)}"))
    body.extend(settings.items())
    body.extend((k, _value(fixed[k])) for k in sorted(fixed) if k in declared)
    body.extend(args.items())
    if "name_prefix" in declared:  # deployed names are the project's and environment's: <project>-<env>-<name>
        body.append(("name_prefix", Expr("local.name_prefix")))
    if prof.tags_argument in declared:
        body.append((prof.tags_argument, Expr("local.tags")))
    return Block("module", (label,), tuple(body))


def _outputs_file(placed: Sequence[_Placed], *, secret_values: bool) -> str:
    blocks: list[Block | Comment] = list(root_outputs([p for p in placed if not p.is_workload],
                                                      secret_values=secret_values))
    for kind, group in OUTPUT_GROUPS.items():
        members = [p for p in placed if p.entry.kind == kind and "connection" in p.outputs]
        if members:
            value = {p.entry.name: Expr(p.ref_to("connection")) for p in members}
            blocks.append(Block("output", (group,), (
                ("description", f"Connection details of each {kind} by name (no secrets)."),
                ("value", value),
            )))
    for group, output, what in (("services", "url", "HTTPS address"), ("clusters", "endpoint", "API endpoint")):
        members = [p for p in placed if p.is_workload and output in p.outputs
                   and (group != "services" or p.entry.kind in SERVICE_TYPES)]
        if members:
            blocks.append(Block("output", (group,), (
                ("description", f"{what} of each capability by name."),
                ("value", {p.entry.name: Expr(p.ref_to(output)) for p in members}),
            )))
    grants = [p for p in placed if not p.is_workload and "grant_sql" in p.outputs]
    if grants:  # Azure SQL: the statements an administrator runs once to let the workloads in
        blocks.append(Block("output", ("database_grants",), (
            ("description", "SQL an administrator runs once in each database to let its workload identities in."),
            ("value", {p.entry.name: Expr(p.ref_to("grant_sql")) for p in grants}),
        )))
    return hcl.render(blocks)
