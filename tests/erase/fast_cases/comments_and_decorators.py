"""Doc."""

import os  # keep


# comment about storage
from infrar import storage


@decorator
def f(storage=storage.read_bytes("b", "k")):
    return storage
storage.write_bytes("b", os.sep, storage.read_bytes("b", "x"))
