"""The deployed name of a resource: what ``infrar infra`` named it, or the name the program uses.

Generated infrastructure gives resources unique, prefixed names (``shop-prod-uploads-1a2b3c4d``
for the bucket a program calls ``uploads``: bucket names are global), and hands each workload one
variable per resource, ``<KIND>_NAME_<RESOURCE>`` (``BUCKET_NAME_UPLOADS``), holding the deployed
name. The adapters resolve a name here where they pass it to the cloud; without the variable (local
runs, hand-made resources) the program's own name is the deployed one. Erase copies this module
like the adapters' other helpers, so erased programs resolve names the same way.
"""

from __future__ import annotations

import os

__all__ = ["deployed_name", "name_variable"]


def name_variable(kind: str, name: str) -> str:
    """``<KIND>_NAME_<NAME>``: upper case, every character but a letter or digit an underscore.

    The modules write the same key: ``upper(replace(name, "/[^a-zA-Z0-9]/", "_"))``."""
    key = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in f"{kind}_NAME_{name}")
    return key.upper()


def deployed_name(kind: str, name: str) -> str:
    """The name ``name`` (a resource of ``kind``) was deployed under: its variable if set, else ``name``."""
    return os.environ.get(name_variable(kind, name)) or name
