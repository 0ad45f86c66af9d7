"""No secret leaves the process: credential-looking names and known secret values are masked.

Two rules, applied to every span, metric and log attribute and to every exported text:
- an attribute whose *name* looks like a credential (``password``, ``api_key``, ``token``,
  ``secret``, ``connection_string`` ...) has its value replaced by ``MASK``; a bare ``key`` is
  a storage or cache key, not a credential, and is kept;
- a *value* that contains a configured secret has that secret replaced: the configured
  secrets are the values of environment variables whose names look like credentials
  (``AWS_SECRET_ACCESS_KEY``, ``*_PASSWORD``, ``*_CONNECTION_STRING`` ...), plus the
  comma-separated INFRAR_OBSERVABILITY_SECRETS; URL passwords (``scheme://user:pw@host``) and
  ``AccountKey=...;``-style connection-string parts are masked wherever they appear.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "[REDACTED]"

_WORDS = frozenset({
    "password", "passwd", "secret", "token", "credential", "credentials", "authorization",
    "auth", "apikey", "sas", "signature", "cookie", "connectionstring", "connstr", "privatekey",
})
_SEGMENTS = re.compile(r"[^a-z0-9]+")
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)[^@\s/]+(?=@)")
_PAIR_SECRET = re.compile(
    r"(?i)(?P<head>\b(?:AccountKey|SharedAccessKey|Password|Pwd|SharedAccessSignature|sig)=)[^;&\s]+"
)
_MIN_SECRET = 6  # shorter values ("1", "true") would mask ordinary text
_UNCHANGED = frozenset({int, float, bool, type(None)})  # values no rule can touch
_VERDICTS = 4096  # distinct texts whose scan result a redactor remembers


@functools.lru_cache(maxsize=4096)  # attribute names repeat: decide each once
def sensitive_name(name: str) -> bool:
    """True for names like ``password``, ``db.password``, ``api_key``, ``AWS_SECRET_ACCESS_KEY``."""
    lowered = name.lower()
    parts = [part for part in _SEGMENTS.split(lowered) if part]
    if any(part in _WORDS for part in parts):
        return True
    if "connection_string" in lowered or "connectionstring" in lowered.replace("_", ""):
        return True
    # "api_key", "access.key", "AccountKey": a key qualified by another word; a bare "key" is data.
    if len(parts) > 1 and parts[-1] == "key":
        return True
    return len(parts) == 1 and parts[0].endswith("key") and parts[0] != "key"


def secrets_from(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The secret values configured in ``environ``, longest first (so a longer one masks whole)."""
    found = {value for name, value in environ.items() if sensitive_name(name) and len(value) >= _MIN_SECRET}
    extra = environ.get("INFRAR_OBSERVABILITY_SECRETS", "")
    found.update(part for part in extra.split(",") if len(part) >= _MIN_SECRET)
    for value in environ.values():  # the password of a URL, the AccountKey of a connection string
        for pattern in (_URL_PASSWORD, _PAIR_SECRET):
            found.update(match.group(0)[len(match.group("head")):] for match in pattern.finditer(value))
    return tuple(sorted((s for s in found if len(s) >= _MIN_SECRET), key=len, reverse=True))


class Redactor:
    """Masks secrets in texts and attribute mappings; built once per pipeline from the environment."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = tuple(sorted(set(secrets), key=len, reverse=True))
        # Span names and most attribute values repeat: each distinct text is scanned once
        # (bounded in count and length, so a stream of unique values costs a scan each, never memory).
        self.verdicts: dict[str, bool] = {}

    def text(self, value: str) -> str:
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        # The patterns need "://" or "="; most texts have neither, and a substring test is cheap.
        if "://" in value:
            value = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, value)
        if "=" in value:
            value = _PAIR_SECRET.sub(lambda m: m.group("head") + MASK, value)
        return value

    def touches(self, value: str) -> bool:
        """True when ``text(value)`` might differ from ``value`` (cheap: substring tests, remembered)."""
        verdict = self.verdicts.get(value)
        if verdict is None:
            verdict = "://" in value or "=" in value or any(secret in value for secret in self.secrets)
            if len(value) <= 256 and len(self.verdicts) < _VERDICTS:
                self.verdicts[value] = verdict
        return verdict

    def clean(self, attributes: Mapping[str, Any] | None) -> bool:
        """True when ``attributes(attributes)`` would change nothing, decided without building a copy."""
        return not attributes or not any(sensitive_name(name) or self._touched(value)
                                         for name, value in attributes.items())

    def _touched(self, value: Any) -> bool:
        if type(value) is str:
            return self.touches(value)
        return type(value) in (list, tuple) and any(isinstance(item, str) and self.touches(item) for item in value)

    def value(self, value: Any) -> Any:
        if type(value) in _UNCHANGED:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (list, tuple)):
            return type(value)(self.value(item) for item in value)
        return value

    def attributes(self, attributes: Mapping[str, Any] | None) -> dict[str, Any]:
        if not attributes:
            return {}
        return {name: MASK if sensitive_name(name) else self.value(value) for name, value in attributes.items()}


def from_environment() -> Redactor:
    """A redactor masking the secrets configured in the environment now."""
    return Redactor(secrets_from(os.environ))
