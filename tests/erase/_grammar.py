"""A grammar of the ways a program reaches an infrar function (storage; on local also the cache
and the database) and calls it, for test_generated.py: import forms and aliases, scopes, argument
forms and orders, expression positions, except clauses, decorators, comprehensions, f-strings, async.

Cases are drawn from a seeded random.Random, so a failure names a reproducible case.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import random
import textwrap
from dataclasses import dataclass

BUCKET, KEY = "gen-bucket", "k/a"

# (import line, how a function `f` of the domain `d` (infrar.storage, .cache, .database) is spelled)
IMPORTS = [
    ("from infrar import {d}", "{d}.{f}"),
    ("import infrar.{d}", "infrar.{d}.{f}"),
    ("import infrar.{d} as st", "st.{f}"),
    ("from infrar.{d} import {f}", "{f}"),
    ("from infrar.{d} import {f} as op", "op"),
]
# (import line, how an error class `e` is spelled)
ERROR_IMPORTS = [
    ("from infrar import errors", "errors.{e}"),
    ("import infrar.errors", "infrar.errors.{e}"),
    ("import infrar.errors as E", "E.{e}"),
    ("from infrar.errors import {e}", "{e}"),
    ("from infrar.errors import {e} as Err", "Err"),
]
HANDLED = ["NotFound", "InvalidArgument", "InfrarError", "FileNotFoundError", "ValueError", "KeyError"]
# operation: domain, function, parameter names, value choices per parameter (by kind)
OPERATIONS = [
    ("storage", "read_bytes", ("bucket", "key"), ("bucket", "key")),
    ("storage", "read_bytes", ("bucket", "key"), ("bucket", "missing")),
    ("storage", "exists", ("bucket", "key"), ("bucket", "key")),
    ("storage", "exists", ("bucket", "key"), ("bad", "key")),
    ("storage", "list_objects", ("bucket", "prefix"), ("bucket", "prefix")),
    ("storage", "write_bytes", ("bucket", "key", "data"), ("bucket", "key2", "data")),
    # the other domains of the local provider (an embedded SQLite cache and database)
    ("cache", "get", ("cache", "key"), ("cache", "ckey")),
    ("cache", "get", ("cache", "key"), ("badcache", "ckey")),
    ("cache", "set", ("cache", "key", "value"), ("cache", "ckey", "cvalue")),
    ("cache", "incr", ("cache", "key"), ("cache", "counter")),
    ("database", "query", ("database", "sql"), ("db", "sql")),
    ("database", "query", ("database", "sql"), ("db", "badsql")),
    ("database", "execute", ("database", "sql", "params"), ("db", "insert", "params")),
]
DOMAINS = ("storage", "cache", "database")
VALUES = {
    "bucket": [f'"{BUCKET}"', "B", "c.bucket", "c.get_bucket()", "(b := B)"],
    "bad": ['"Bad_Bucket"', "c.bad"],
    "key": [f'"{KEY}"', "K", "c.key", 'f"k/{c.name}"', '(k := "k/a")'],
    "missing": ['"missing"', "c.missing"],
    "prefix": ['"k/"', "c.prefix", '"k/" if c.flag else ""'],
    "key2": ['"k/b"', 'c.key + "2"'],
    "data": ['b"v"', "c.data", "bytes(c.size)"],
    "cache": ['"gen-cache"', "CA", "c.cache", "(ca := CA)"],
    "badcache": ['"Bad cache!"', "c.badcache"],
    "ckey": ['"ck"', "CK", "c.ckey", 'f"c{c.name}"'],
    "cvalue": ['"v"', "c.cvalue", "[1, 2]", '{"a": c.size}'],
    "counter": ['"runs"', "c.counter"],
    "db": ['"gen_db"', "DB", "c.db", "(d := DB)"],
    "sql": ['"SELECT id, name FROM items ORDER BY id"', "c.sql", 'f"SELECT name FROM items WHERE id = {c.size}"'],
    "badsql": ['"SELECT nope FROM items"', '"SELEC id FROM items"', "c.missing_table"],
    "insert": ['"INSERT INTO items (name) VALUES (?)"', "c.insert"],
    "params": ['["x"]', "c.params", '(c.name,)'],
}
# where the call sits; {call} is replaced, every form prints what it computed
POSITIONS = [
    "print({call})",
    "x = {call}\nprint(x)",
    "print(f'got {{{call}!r}}')",
    "print([{call} for _ in range(2)])",
    "print({{i: {call} for i in range(1)}})",
    "print((lambda: {call})())",
    "print({call} if c.flag else None)",
    "print(str({call}).upper())",
    "{call}\nprint('statement')",
    "@tag({call})\ndef decorated():\n    pass",
    "async def run():\n    return {call}\nprint(asyncio.run(run()))",
    "def inner():\n    return {call}\nprint(inner())",
]

HEADER = f'''
import asyncio
import infrar.storage as _setup

B, K = "{BUCKET}", "{KEY}"
_setup.write_bytes(B, K, b"1")
'''
# what the cache and database cases find (local only: the cloud batches have a storage emulator)
# (a server's cache and database outlive a run: each run starts them afresh; no key or serial
# column, so the same SQL runs on SQLite and PostgreSQL)
OTHER_DOMAINS_HEADER = '''
import infrar.cache as _cache_setup
import infrar.database as _db_setup

CA, CK, DB = "gen-cache", "ck", "gen_db"
_cache_setup.clear(CA)
_cache_setup.set(CA, CK, "set up")
_db_setup.execute(DB, "DROP TABLE IF EXISTS items")
_db_setup.execute(DB, "CREATE TABLE items (id INTEGER, name TEXT NOT NULL)")
_db_setup.execute_many(DB, "INSERT INTO items (id, name) VALUES (?, ?)", [(1, "a"), (2, "b"), (3, "c")])
'''
CONFIG = '''


class Config:
    def __init__(self):
        self.log = []

    def _see(self, what, value):
        self.log.append(what)
        return value

    bucket = property(lambda self: self._see("bucket", B))
    bad = property(lambda self: self._see("bad", "Bad_Bucket"))
    key = property(lambda self: self._see("key", K))
    name = property(lambda self: self._see("name", "a"))
    missing = property(lambda self: self._see("missing", "missing"))
    prefix = property(lambda self: self._see("prefix", "k/"))
    flag = property(lambda self: self._see("flag", True))
    data = property(lambda self: self._see("data", b"d"))
    size = property(lambda self: self._see("size", 3))
    cache = property(lambda self: self._see("cache", "gen-cache"))
    badcache = property(lambda self: self._see("badcache", "Bad cache!"))
    ckey = property(lambda self: self._see("ckey", "ck"))
    cvalue = property(lambda self: self._see("cvalue", {"nested": [1, None]}))
    counter = property(lambda self: self._see("counter", "runs"))
    db = property(lambda self: self._see("db", "gen_db"))
    sql = property(lambda self: self._see("sql", "SELECT name, id FROM items WHERE id > 1 ORDER BY id"))
    missing_table = property(lambda self: self._see("missing_table", "SELECT * FROM missing_table"))
    insert = property(lambda self: self._see("insert", "INSERT INTO items (name) VALUES (?)"))
    params = property(lambda self: self._see("params", ["p"]))

    def get_bucket(self):
        return self._see("get_bucket", B)


def tag(value):
    print("decorator got", repr(value))
    return lambda function: function
'''


@dataclass
class Case:
    index: int
    text: str


def _literals(choices: list[str]) -> list[str]:
    """The choices that are plain literals, which erase may check at erase time (fold.py)."""
    return [c for c in choices if c.startswith(('"', 'b"'))]


def case(rng: random.Random, index: int, literal: bool = False, domains: tuple[str, ...] = ("storage",)) -> Case:
    domain, function, params, kinds = rng.choice([op for op in OPERATIONS if op[0] in domains])
    imp, spelled = (form.replace("{d}", domain) for form in rng.choice(IMPORTS))
    err_imp, err_spelled = rng.choice(ERROR_IMPORTS)
    values = [rng.choice(_literals(VALUES[kind]) if literal else VALUES[kind]) for kind in kinds]
    style = rng.choice(["positional", "keywords", "reversed", "mixed"])
    if style == "positional":
        args = values
    elif style == "keywords":
        args = [f"{p}={v}" for p, v in zip(params, values, strict=True)]
    elif style == "reversed":
        args = [f"{p}={v}" for p, v in reversed(list(zip(params, values, strict=True)))]
    else:
        args = [values[0], *(f"{p}={v}" for p, v in reversed(list(zip(params[1:], values[1:], strict=True))))]
    call = f"{spelled.format(f=function)}({', '.join(args)})"
    position = rng.choice(POSITIONS).format(call=call)
    handled = rng.choice(HANDLED)
    builtin = handled in ("FileNotFoundError", "ValueError", "KeyError")
    error = handled if builtin else err_spelled.format(e=handled)
    imported_error = "NotFound" if builtin else handled
    lines = [
        f"def case_{index}():",
        f"    {imp.format(f=function)}",
        f"    {err_imp.format(e=imported_error)}",
        "    c = Config()",
        "    try:",
        *textwrap.indent(position, " " * 8).split("\n"),
        f"    except {error} as exc:",
        f"        print('handled {handled}', type(exc).__name__, isinstance(exc, (FileNotFoundError, ValueError)))",
        "    except Exception as exc:",
        "        print('other', type(exc).__name__)",
        "    print(c.log)",
        "",
        "",
        f"print('case {index}')",
        f"case_{index}()",
        "",
    ]
    return Case(index, "\n".join(lines))


def program(seed: int, count: int, literal: bool = False, shadow: bool = False,
            domains: tuple[str, ...] = ("storage",)) -> str:
    """``count`` cases of the ``domains``' functions (cache and database only on local); with
    ``literal``, every argument of an infrar call is a literal; with ``shadow``, the module binds
    every builtin its own code does not read (``shadowing``)."""
    rng = random.Random(seed)
    cases = "\n\n".join(case(rng, seed * 1000 + i, literal, domains).text for i in range(count))
    header = HEADER + (OTHER_DOMAINS_HEADER if domains != ("storage",) else "") + CONFIG
    # the bindings come before the cases, which run as the module runs
    return header + (shadowing(header + cases) if shadow else "") + "\n\n" + cases


def shadowing(source: str) -> str:
    """Module-level bindings of each builtin ``source`` never reads (``open``, ``len``, ``type``,
    ``isinstance``, ``Exception`` ...), each a function that fails when called: the runtime's
    adapters never see them, so an erased copy that reads one where it meant the builtin
    prints or raises differently, and the case fails."""
    read = {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
    names = sorted(name for name in dir(builtins)
                   if not name.startswith("_") and not keyword.iskeyword(name) and name not in read)
    lines = ["", "", "def _shadow(name):", "    def refuse(*args, **kwargs):",
             "        raise AssertionError(f\"the program's own {name} was called\")", "    return refuse", ""]
    lines += [f"{name} = _shadow({name!r})" for name in names]
    return "\n".join(lines) + "\n"
