"""Doc."""
from infrar.storage import iter_objects, upload
from infrar.storage import ObjectInfo

def f(o: ObjectInfo) -> list[ObjectInfo]:
    upload("b", "k", "/tmp/x")
    return [o for o in iter_objects("b")]
print(f(ObjectInfo("k", 1, None, None)))
