# A header and no docstring; the first statement is not an import.
__all__ = ["main"]
from infrar.storage import write_bytes


def main():
    write_bytes("b", "k", b"")
