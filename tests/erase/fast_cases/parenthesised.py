"""Calls in parentheses keep LibCST's own layout (the fast path leaves them to it)."""
from infrar.storage import read_bytes, write_bytes

X = (read_bytes("b", "k"))
print((write_bytes("b", "k", b"x")))
print(len(read_bytes("b", "k")), (  # why
    read_bytes("b", "j")))
