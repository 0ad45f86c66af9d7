"""Uses inside f-strings: Python 3.11's ast positions there are not trusted (LibCST path)."""
from infrar.storage import read_bytes, exists

print(f"size {len(read_bytes('b', 'k'))} exists={exists('b', 'k')!r}")
print(f"""{
    read_bytes("b", "j")
}""")
