"""Checkout throughput: 4 processes buying 3-line carts on one database.

`prepare` builds the starting state once (products with limited stock, users whose
carts already hold 3 lines); the same file is copied for the store run and the raw
`sqlite3` run, so both start identical. Each worker process gets its own users, says
"ready", waits for "go", checks out every cart and reports its start and end times;
throughput is all checkouts (placed or refused for stock) over the wall time from the
first start to the last end. Afterwards the stock ledger must balance:
stock now + units on order lines == starting stock, for every product.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

PRODUCTS = 60
SHIP_TO = "1 Bench Street, Testville"
RAW_PRAGMAS = (
    "PRAGMA journal_mode=wal",
    "PRAGMA synchronous=normal",
    "PRAGMA foreign_keys=1",
    "PRAGMA busy_timeout=5000",
    "PRAGMA cache_size=-16000",
)


def prepare(url: str, users: int, *, seed: int = 3) -> dict[int, int]:
    """Products and `users` users each with a 3-line cart; returns {product id: stock}.

    Stock is limited on purpose: about a tenth of the checkouts find an item gone,
    so refusals (and their rollbacks) are part of the load.
    """
    from buynow_tui.clock import system_clock
    from buynow_tui.store.db import connection, init_db, write
    from buynow_tui.store.migrate import upgrade
    from buynow_tui.store.models import Cart, CartLine, Product, User

    init_db(url)
    upgrade()
    rng = random.Random(seed)
    now = system_clock()
    demand = users * 3 * 2 // PRODUCTS  # mean units asked per product
    with connection(), write():
        base = (Product.select(Product.id).order_by(Product.id.desc()).limit(1).scalar() or 0) + 1
        Product.insert_many(
            [
                {
                    "id": base + i,
                    "sku": f"BENCH-{i:04d}",
                    "name": f"Bench Item {i}",
                    "category": "Accessories",
                    "price_cents": rng.randrange(500, 50000),
                    "stock": int(demand * rng.uniform(0.75, 1.3)) + 1,
                    "description": "",
                    "specs": "{}",
                    "created_at": now,
                }
                for i in range(PRODUCTS)
            ]
        ).execute()
        User.insert_many(
            [
                {
                    "id": 1000 + u,
                    "email": f"bench{u}@example.com",
                    "username": f"bench{u}",
                    "password_hash": "x" * 60,
                    "question": "pet",
                    "answer_hash": "x" * 60,
                    "created_at": now,
                    "ship_address": SHIP_TO,
                    "is_admin": False,
                }
                for u in range(users)
            ]
        ).execute()
        Cart.insert_many([{"id": 1000 + u, "user": 1000 + u} for u in range(users)]).execute()
        lines = []
        for u in range(users):
            for pid in rng.sample(range(base, base + PRODUCTS), 3):
                lines.append(
                    {
                        "cart": 1000 + u,
                        "product": pid,
                        "quantity": rng.randint(1, 3),
                        "added_at": now,
                    }
                )
        for start in range(0, len(lines), 500):
            CartLine.insert_many(lines[start : start + 500]).execute()
        return {p.id: p.stock for p in Product.select(Product.id, Product.stock)}


def ledger(url: str, initial: dict[int, int]) -> dict:
    """Stock plus units sold per product against the starting stock; orders without lines."""
    from peewee import fn

    from buynow_tui.store.db import connection, init_db
    from buynow_tui.store.models import Order, OrderLine, Product

    init_db(url)
    with connection():
        sold = dict(
            OrderLine.select(OrderLine.product, fn.SUM(OrderLine.quantity))
            .group_by(OrderLine.product)
            .tuples()
        )
        stock = dict(Product.select(Product.id, Product.stock).tuples())
        orphans = (
            Order.select(fn.COUNT(Order.id))
            .where(~fn.EXISTS(OrderLine.select(OrderLine.id).where(OrderLine.order == Order.id)))
            .scalar()
        )
        orders = Order.select(fn.COUNT(Order.id)).scalar()
    oversold = sum(max(0, int(sold.get(pid, 0)) - start) for pid, start in initial.items())
    unbalanced = [
        pid for pid, start in initial.items() if stock.get(pid, 0) + int(sold.get(pid, 0)) != start
    ]
    return {
        "oversold": oversold,
        "unbalanced_products": len(unbalanced),
        "orders_without_lines": orphans,
        "orders": orders,
    }


# -- the workers (run as `python -m bench.checkout KIND URL FIRST COUNT`) ---------------


def _store_worker(url: str, user_ids: list[int]) -> dict:
    """As a shop process does it: log files attached, `OrderService.checkout` per cart."""
    import tempfile

    from peewee import OperationalError

    from buynow_tui.config import Settings
    from buynow_tui.logs import setup_logging
    from buynow_tui.store.db import init_db
    from buynow_tui.store.errors import OutOfStock
    from buynow_tui.store.orders import OrderService

    setup_logging(Path(tempfile.mkdtemp(prefix="buynow-bench-logs-")))
    init_db(url)
    orders = OrderService(Settings.from_env())
    placed = refused = busy = 0
    _ready()
    start = time.time()
    for uid in user_ids:
        try:
            orders.checkout(uid)
            placed += 1
        except OutOfStock:
            refused += 1
        except OperationalError:  # "database is locked": waited out the busy timeout
            busy += 1
    return {"start": start, "end": time.time(), "placed": placed, "refused": refused, "busy": busy}


def _raw_worker(path: str, user_ids: list[int]) -> dict:
    """The same statements as OrderService.checkout, by hand on the sqlite3 module."""
    from datetime import datetime

    con = sqlite3.connect(path, timeout=5, isolation_level=None)
    for pragma in RAW_PRAGMAS:
        con.execute(pragma)
    placed = refused = 0
    _ready()
    start = time.time()
    for uid in user_ids:
        con.execute("BEGIN IMMEDIATE")
        (address,) = con.execute('SELECT ship_address FROM "user" WHERE id = ?', (uid,)).fetchone()
        lines = con.execute(
            "SELECT l.quantity, p.id, p.sku, p.name, p.price_cents FROM cart_line l "
            "JOIN product p ON p.id = l.product_id JOIN cart c ON c.id = l.cart_id "
            "WHERE c.user_id = ? ORDER BY p.id",
            (uid,),
        ).fetchall()
        short = False
        for qty, pid, _sku, _name, _price in lines:
            cur = con.execute(
                "UPDATE product SET stock = stock - ? WHERE id = ? AND stock >= ?", (qty, pid, qty)
            )
            short |= cur.rowcount != 1
        if short:
            con.execute("ROLLBACK")
            refused += 1
            continue
        subtotal = sum(qty * price for qty, _p, _s, _n, price in lines)
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
        (last,) = con.execute(
            "SELECT COALESCE(MAX(number), 0) FROM orders WHERE user_id = ?", (uid,)
        ).fetchone()
        cur = con.execute(
            "INSERT INTO orders (user_id, created_at, subtotal_cents, shipping_cents, total_cents, "
            "ship_address, checkout_key, number, status) "
            "VALUES (?, ?, ?, ?, ?, ?, NULL, ?, 'paid')",
            (uid, now, subtotal, 3000, subtotal + 3000, address, last + 1),
        )
        order_id = cur.lastrowid
        con.executemany(
            "INSERT INTO order_event (order_id, user_id, from_status, to_status, at, actor_kind, "
            "actor, note) VALUES (?, ?, ?, ?, ?, 'system', '', ?)",
            [(order_id, uid, None, "placed", now, ""), (order_id, uid, "placed", "paid", now, "")],
        )
        con.executemany(
            "INSERT INTO order_line (order_id, product_id, sku, name, unit_price_cents, quantity) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(order_id, pid, sku, name, price, qty) for qty, pid, sku, name, price in lines],
        )
        con.execute(
            "DELETE FROM cart_line WHERE cart_id IN (SELECT id FROM cart WHERE user_id = ?)", (uid,)
        )
        con.execute("COMMIT")
        placed += 1
    con.close()
    return {"start": start, "end": time.time(), "placed": placed, "refused": refused, "busy": 0}


def _raw_pg_worker(url: str, user_ids: list[int]) -> dict:
    """The statements `OrderService.checkout` sends to PostgreSQL, by hand on psycopg2:
    the user row FOR SHARE, the cart row FOR UPDATE, its lines, one conditional stock
    UPDATE per line, the shopper's next order number, the order, its lines (one
    multi-row INSERT), its placed and paid events, the cart emptied, COMMIT. The
    baseline `pg_checkout_ratio` divides by (bench/README.md)."""
    from datetime import datetime

    import psycopg2

    con = psycopg2.connect(url)
    cur = con.cursor()
    placed = refused = 0
    _ready()
    start = time.time()
    for uid in user_ids:
        cur.execute(
            'SELECT username, ship_address, credentials_version FROM "user" '
            "WHERE id = %s LIMIT 1 FOR SHARE",
            (uid,),
        )
        (_username, address, _version) = cur.fetchone()
        cur.execute("SELECT id FROM cart WHERE user_id = %s LIMIT 1 FOR UPDATE", (uid,))
        (cart_id,) = cur.fetchone()
        cur.execute(
            "SELECT p.id, p.sku, p.name, l.quantity, p.price_cents FROM cart_line l "
            "JOIN product p ON p.id = l.product_id WHERE l.cart_id = %s ORDER BY p.id",
            (cart_id,),
        )
        lines = cur.fetchall()
        short = False
        for pid, _sku, _name, qty, _price in lines:
            cur.execute(
                "UPDATE product SET stock = stock - %s WHERE id = %s AND stock >= %s",
                (qty, pid, qty),
            )
            short |= cur.rowcount != 1
        if short:
            con.rollback()
            refused += 1
            continue
        subtotal = sum(qty * price for _p, _s, _n, qty, price in lines)
        now = datetime.now(UTC).replace(tzinfo=None)
        cur.execute("SELECT COALESCE(MAX(number), 0) FROM orders WHERE user_id = %s", (uid,))
        (last,) = cur.fetchone()
        cur.execute(
            "INSERT INTO orders (user_id, created_at, subtotal_cents, shipping_cents, total_cents, "
            "ship_address, checkout_key, number, status) "
            "VALUES (%s, %s, %s, %s, %s, %s, NULL, %s, 'paid') RETURNING id",
            (uid, now, subtotal, 3000, subtotal + 3000, address, last + 1),
        )
        (order_id,) = cur.fetchone()
        for before, after in ((None, "placed"), ("placed", "paid")):
            cur.execute(
                "INSERT INTO order_event (order_id, user_id, from_status, to_status, at, "
                "actor_kind, actor, note) VALUES (%s, %s, %s, %s, %s, 'system', '', '') "
                "RETURNING id",
                (order_id, uid, before, after, now),
            )
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(lines))
        cur.execute(
            "INSERT INTO order_line (order_id, product_id, sku, name, unit_price_cents, quantity) "
            f"VALUES {values}",
            [
                x
                for pid, sku, name, qty, price in lines
                for x in (order_id, pid, sku, name, price, qty)
            ],
        )
        cur.execute("DELETE FROM cart_line WHERE cart_id = %s", (cart_id,))
        con.commit()
        placed += 1
    con.close()
    return {"start": start, "end": time.time(), "placed": placed, "refused": refused, "busy": 0}


def _ready() -> None:
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        raise SystemExit("no go")


def run_workers(kind: str, target: str, users: int, processes: int, env: dict[str, str]) -> dict:
    """Start `processes` workers over `users` users (ids from 1000); throughput and counts."""
    share = users // processes
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.checkout",
                kind,
                target,
                str(1000 + n * share),
                str(share),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=env.get("PYTHONPATH", "").split(os.pathsep)[0] or None,
        )
        for n in range(processes)
    ]
    try:
        for proc in procs:
            line = proc.stdout.readline().strip()  # type: ignore[union-attr]
            if line != "ready":
                raise RuntimeError(f"{kind} worker failed: {line} {proc.stderr.read()[-2000:]}")  # type: ignore[union-attr]
        for proc in procs:
            proc.stdin.write("go\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
        reports = []
        for proc in procs:
            out, err = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"{kind} worker exited {proc.returncode}: {err[-2000:]}")
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    wall = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    done = sum(r["placed"] + r["refused"] for r in reports)  # a busy failure is no checkout
    return {
        "per_s": done / wall,
        "wall_s": wall,
        "placed": sum(r["placed"] for r in reports),
        "refused": sum(r["refused"] for r in reports),
        "busy_failures": sum(r["busy"] for r in reports),
    }


def sqlite_round(workdir: Path, users: int, processes: int, env: dict[str, str], tag: str) -> dict:
    """One store run and one raw run from the same prepared file; ratio and ledger."""
    template = workdir / f"checkout-{tag}-template.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{template}{suffix}").unlink(missing_ok=True)
    initial = prepare(f"sqlite:///{template}", users)
    from buynow_tui.store.db import close_db

    close_db()
    results: dict[str, dict] = {}
    for kind in ("store", "raw"):
        path = workdir / f"checkout-{tag}-{kind}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        src = sqlite3.connect(template)
        dst = sqlite3.connect(path)
        src.backup(dst)
        src.close()
        dst.close()
        target = f"sqlite:///{path}" if kind == "store" else str(path)
        results[kind] = run_workers(kind, target, users, processes, env)
        results[kind]["ledger"] = ledger(f"sqlite:///{path}", initial)
        close_db()
    results["ratio"] = results["store"]["per_s"] / results["raw"]["per_s"]
    return results


def main() -> None:
    kind, target, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.environ.setdefault("BUYNOW_TESTING", "0")
    users = list(range(first, first + count))
    worker = {"store": _store_worker, "raw": _raw_worker, "raw_pg": _raw_pg_worker}[kind]
    report = worker(target, users)
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
