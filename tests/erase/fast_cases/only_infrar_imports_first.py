from infrar.storage import exists

# comment kept in the header? no: above the second statement
from infrar.errors import NotFound


X = 1
if not exists("b", "k"):
    raise NotFound("k")
