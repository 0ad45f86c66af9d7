"""Orders in a relational database with infrar.database: the same program on every provider.

    python examples/database_orders.py                        # SQLite under ./.infrar
    INFRAR_PROVIDER=aws PGHOST=... PGUSER=... python examples/database_orders.py
The SQL is PostgreSQL's (SQLite accepts it too); the database "shop" must exist on a server.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from infrar import database
from infrar.errors import AlreadyExists

DB = "shop"

database.execute(DB, "DROP TABLE IF EXISTS orders")
database.execute(DB, "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer VARCHAR(40) NOT NULL, "
                     "total NUMERIC(12, 2) NOT NULL, paid BOOLEAN NOT NULL, placed DATE NOT NULL)")
added = database.execute_many(DB, "INSERT INTO orders (id, customer, total, paid, placed) VALUES (?, ?, ?, ?, ?)", [
    (1, "ada", Decimal("19.9"), True, date(2024, 3, 1)),
    (2, "grace", Decimal("100.5"), False, date(2024, 3, 2)),
    (3, "ada", Decimal("7"), True, date(2024, 3, 3)),
])
print("added", added)

try:
    database.execute(DB, "INSERT INTO orders (id, customer, total, paid, placed) VALUES (?, ?, ?, ?, ?)",
                     [1, "eve", Decimal("1"), False, date(2024, 3, 4)])
except AlreadyExists:
    print("order 1 exists already")

with database.transaction(DB) as tx:
    changed = tx.execute("UPDATE orders SET total = total + ? WHERE customer = ?", [Decimal("1.10"), "ada"])
    print("raised", changed, "orders; count inside:", tx.query("SELECT count(*) AS n FROM orders")[0]["n"])

try:
    with database.transaction(DB) as tx:
        tx.execute("DELETE FROM orders")
        raise RuntimeError("changed my mind")
except RuntimeError as exc:
    print("rolled back:", exc)

for row in database.query(DB, "SELECT id, customer, total, paid, placed FROM orders WHERE total > ? ORDER BY id",
                          [Decimal("10")]):
    print(dict(row))
print("ids", [row[0] for row in database.iter_query(DB, "SELECT id FROM orders ORDER BY id")])
print("unpaid", database.query(DB, "SELECT customer FROM orders WHERE paid = ?", [False])[0]["customer"])
