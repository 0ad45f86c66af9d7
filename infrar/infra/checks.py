"""What a provider would refuse only at apply time, refused (or warned about) by `infrar infra`.

``provider_errors`` lists settings the provider cannot deploy (a FIFO queue behind an SNS
standard topic, an acknowledgement deadline above Pub/Sub's or Service Bus's maximum), each with
the entry's ``file:line:col`` and the allowed values. ``dropped_warnings`` lists settings the
chosen module does not apply (it is not passed; the module's block names it in a comment), so
the user hears about it on stderr instead of finding out in production.
"""

from __future__ import annotations

from dataclasses import fields

from infrar.errors import ConfigurationError
from infrar.infra.database_checks import database_errors
from infrar.infra.mapping import continuous_worker, module_table, resolve
from infrar.infra.project import Capability, Project, Resource
from infrar.infra.project_model import RESOURCE_DEFAULTS

__all__ = ["VISIBILITY_LIMITS", "dropped_warnings", "provider_errors"]

# provider -> (service, smallest, largest visibility timeout in seconds) where it is narrower
# than SQS's 0..43200 (the schema's range).
VISIBILITY_LIMITS: dict[str, tuple[str, int, int]] = {
    "gcp": ("Pub/Sub's acknowledgement deadline", 10, 600),
    "azure": ("Service Bus's lock duration", 5, 300),
}
# provider -> why a topic cannot deliver to a FIFO queue there
_FIFO_FED = {
    "aws": "an SNS standard topic cannot deliver to a FIFO SQS queue",
    "azure": "a FIFO queue is a Service Bus session queue, which refuses the forwarded messages (they carry no "
             "session id)",
}
_CAPABILITY_DEFAULTS = {f.name: f.default for f in fields(Capability)}


def provider_errors(project: Project, provider: str) -> list[str]:
    """One line per setting ``provider`` would refuse when the module is applied."""
    errors = database_errors(project, provider)
    queues = {r.name: r for r in project.resources if r.kind == "queue"}
    for resource in project.resources:
        where = resource.location or project.path.name
        if provider in _FIFO_FED and resource.kind == "topic":
            for name in resource.settings.get("subscriptions", ()):
                queue = queues.get(str(name))
                if queue is not None and queue.settings.get("fifo"):
                    errors.append(f"{where}: topic {resource.name!r} delivers to FIFO queue {name!r}: "
                                  f"{_FIFO_FED[provider]}; set fifo: false on the queue")
        if provider == "gcp" and resource.kind == "queue":
            errors += _feeds_gcp(project, resource, where)
        limits = VISIBILITY_LIMITS.get(provider)
        if resource.kind == "queue" and limits is not None:
            service, low, high = limits
            timeout = resource.settings.get("visibility_timeout_seconds", 30)
            if isinstance(timeout, int) and not low <= timeout <= high:
                errors.append(f"{where}: queue {resource.name!r}: visibility_timeout_seconds {timeout} is outside "
                              f"{service} on {provider}; allowed: {low} to {high}")
    return errors


def _feeds_gcp(project: Project, queue: Resource, where: str) -> list[str]:
    """On Pub/Sub a queue fed by a topic is a subscription of that topic: of one topic only."""
    topics = [r.name for r in project.resources
              if r.kind == "topic" and queue.name in (str(n) for n in r.settings.get("subscriptions", ()))]
    if len(topics) < 2:
        return []
    return [f"{where}: queue {queue.name!r} is subscribed to {len(topics)} topics ({', '.join(topics)}): on gcp a "
            "queue fed by a topic is a Pub/Sub subscription of that topic, and a subscription has one topic; "
            "subscribe it to one topic, or give each topic its own queue"]


def dropped_warnings(project: Project, provider: str, *, with_plugins: bool = True) -> list[str]:
    """One line per setting given in project.yaml that the module on ``provider`` does not apply."""
    table = module_table(provider, with_plugins=with_plugins)
    warnings: list[str] = []
    for entry in project.entries():
        engine = entry.settings.get("engine") if isinstance(entry, Resource) else None
        try:
            ref = resolve(table, entry.kind, provider, None if engine is None else str(engine), entry.location)
        except ConfigurationError:  # generate() reports a missing module or engine itself
            continue
        if isinstance(entry, Capability) and entry.type == "background_worker" and entry.schedule is None:
            ref = continuous_worker(ref)
        declared = ref.variables()
        for name in _given(entry):
            if name not in declared:
                warnings.append(f"{entry.location or project.path.name}: warning: {entry.kind} {entry.name!r}: "
                                f"{name} is not applied on {provider} ({provider}/{ref.name} has no such "
                                "setting); remove it or choose another provider")
    return warnings


def _given(entry: Capability | Resource) -> list[str]:
    """Settings the project sets to something other than the default."""
    if isinstance(entry, Resource):
        defaults = RESOURCE_DEFAULTS.get(entry.kind, {})
        return [k for k, v in entry.settings.items()
                if k not in ("subscriptions", "engine") and defaults.get(k, object()) != v]
    from infrar.infra.generate import CAPABILITY_FIELDS

    return [k for k in CAPABILITY_FIELDS.get(entry.type, ())
            if k != "env" and getattr(entry, k, None) not in (None, _CAPABILITY_DEFAULTS.get(k))]
