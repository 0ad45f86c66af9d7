"""Mentions of infrar that erase added to its output, outside the variables docs/erase.md keeps.

docs/erase.md names each configuration variable that erased code still reads under its
``INFRAR_*`` name (and why); those, the local backend's default directory ``.infrar`` and the
quoted package name ``"infrar"`` named there with them, are the only mentions of infrar erased
code may carry. Lines that are the user's own (a docstring saying the program used infrar) are theirs to keep.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_VARIABLE = re.compile(r"\bINFRAR_[A-Z0-9_]+\b")
# the default directory of INFRAR_LOCAL_ROOT, and the package's name (a data job's bundle tells a
# script that imports it which provider to use), both documented with the variables
_DEFAULT_ROOT = re.compile(r"""(["'])\.?infrar\1""")


def kept_variables() -> frozenset[str]:
    """The ``INFRAR_*`` variables docs/erase.md says erased code keeps, from its paragraph on them."""
    text = (ROOT / "docs" / "erase.md").read_text(encoding="utf-8")
    start = text.index("Configuration variables named `INFRAR_*`")
    paragraph = text[start:text.index("\n\n", start)]
    return frozenset(_VARIABLE.findall(paragraph))


def infrar_traces(text: str, own: str = "") -> list[str]:
    """Lines of ``text`` not in ``own`` (the user's source) that mention infrar, as 'line: text'."""
    kept = kept_variables()
    ours = set(own.splitlines())
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if line in ours:
            continue
        rest = _VARIABLE.sub(lambda m: "" if m.group(0) in kept else m.group(0), line)
        rest = _DEFAULT_ROOT.sub("", rest)
        if "infrar" in rest.lower():
            found.append(f"{number}: {line.strip()}")
    return found
