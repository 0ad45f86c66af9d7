"""The values the database API returns: ``Row`` and ``Transaction``.

Both are small and self-contained so that erase can copy them into a native program.
The transaction rule lives here once; each adapter supplies only its primitives
(a ``Session``: run a statement, commit, roll back) and ``run_transaction`` does the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from infrar.errors import InvalidArgument

Params = Sequence[Any]


class Row(Mapping[str, Any]):
    """One result row: ``row["owner"]`` by column name, ``row[0]`` by position.

    As a mapping it iterates its column names in the query's order, so ``dict(row)`` is the
    row as a dict; ``tuple(row.values())`` is the values.
    """

    __slots__ = ("_columns", "_values")

    def __init__(self, columns: Mapping[Any, int], values: Sequence[Any]) -> None:
        # ``columns`` (name -> position, and each position -> itself: one lookup serves
        # ``row["owner"]`` and ``row[0]``) is shared by every row of one result.
        self._columns = columns
        self._values = values

    def __getitem__(self, key: str | int) -> Any:
        try:
            return self._values[self._columns[key]]
        except (KeyError, TypeError):
            pass
        if isinstance(key, int):
            return self._values[key]  # a negative position, or IndexError as a tuple raises it
        raise KeyError(f"no column {key!r} in this row; columns are {list(self)}") from None

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._columns if isinstance(name, str))

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Row):
            return list(self.items()) == list(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Row({dict(self)!r})"


def column_index(names: Iterable[str]) -> dict[Any, int]:
    """name -> position for a result's columns (a repeated name reads its first), and position -> itself."""
    index: dict[Any, int] = {}
    count = 0
    for position, name in enumerate(names):
        index.setdefault(name, position)
        count = position + 1
    index.update((position, position) for position in range(count))
    return index


class Session(Protocol):
    """What an adapter supplies for a transaction: one connection inside BEGIN ... COMMIT."""

    def query(self, sql: str, params: Params) -> list[Row]: ...

    def execute(self, sql: str, params: Params) -> int: ...

    def execute_many(self, sql: str, seq_of_params: Iterable[Params]) -> int: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class Transaction:
    """A transaction on ``database``: statements, then ``commit()`` or ``rollback()``.

    Either ends it; using it afterwards is InvalidArgument (the work is already settled, and
    silently starting a new transaction would hide a bug).
    """

    def __init__(self, database: str, session: Session) -> None:
        self.database = database
        self._session = session
        self.ended = False

    def _live(self, what: str) -> Session:
        if self.ended:
            raise InvalidArgument(
                f"{what} on a transaction of database {self.database!r} that has already been "
                "committed or rolled back; open a new one with transaction()"
            )
        return self._session

    def query(self, sql: str, params: Params | None = None) -> list[Row]:
        """Rows of a SELECT inside this transaction."""
        return self._live("query").query(sql, params or ())

    def execute(self, sql: str, params: Params | None = None) -> int:
        """Run one statement inside this transaction; rows affected."""
        return self._live("execute").execute(sql, params or ())

    def execute_many(self, sql: str, seq_of_params: Iterable[Params]) -> int:
        """Run one statement per parameter sequence; total rows affected."""
        return self._live("execute_many").execute_many(sql, seq_of_params)

    def commit(self) -> None:
        """Make the work permanent and end the transaction."""
        session = self._live("commit")
        self.ended = True
        session.commit()

    def rollback(self) -> None:
        """Discard the work and end the transaction."""
        session = self._live("rollback")
        self.ended = True
        session.rollback()


@contextmanager
def run_transaction(database: str, session: Session) -> Iterator[Transaction]:
    """Yield a Transaction; a clean exit commits one not ended, an exception rolls back and propagates."""
    tx = Transaction(database, session)
    try:
        yield tx
    except BaseException:
        if not tx.ended:
            tx.rollback()
        raise
    if not tx.ended:
        tx.commit()
