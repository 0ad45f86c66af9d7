# header comment
import infrar.storage
import json

def f():
    infrar.storage.write_bytes("b", "k", json.dumps({}).encode()); x = 1
    return infrar.storage.read_bytes("b",
        "k")  # trailing
