"""Edge cases."""
import os
from infrar.storage import read_bytes, write_bytes, list_objects
from infrar.errors import NotFound

X = read_bytes("b", "k")
Y = len(read_bytes("b", "k"))
print(write_bytes("b", "k", b"x"))


def f():
    # a comment above the import

    from infrar.storage import exists
    # after
    return exists("b", "k")


class K:
    read_bytes = 3

    def m(self):
        return [read_bytes for read_bytes in (1, 2)] + [read_bytes("b", k) for k in list_objects("b")]


g = lambda read_bytes: read_bytes
h = lambda: read_bytes("b", "k")


def w(k: str = read_bytes("b", "d")) -> bytes:
    try:
        return read_bytes("b", k)
    except (NotFound, KeyError) as e:
        if isinstance(e, NotFound):
            raise
        return b""
