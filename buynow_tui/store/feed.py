"""The change feed: a shopper's order events as they happen, for the App's toasts.

A shopper's events are read by a watermark, the id of the last event seen:
`since(user_id, after)` is one indexed look-up (`order_event (user_id, id)`), never a
scan of the table. A `FeedWatcher` thread asks it only when something may have
changed:

- on PostgreSQL it holds a connection of its own that `LISTEN`s on
  `lifecycle.FEED_CHANNEL`; every move `pg_notify`s the shopper's id when it commits,
  and the watcher wakes (a `select()` on the connection's socket) and reads only when
  the id is its shopper's. A lost connection is opened again, and the events missed
  meanwhile are read once it is back;
- on SQLite, which has no notifications, it asks `PRAGMA data_version` on a
  connection of its own every `interval` seconds: the number changes only when another
  connection has committed, so an idle shop costs one pragma a second and no query.

The watcher runs in the process that shows the toasts, started after log in: in an
SSH session that is the session's own process (forked from the fork server, which
never starts one).
"""

from __future__ import annotations

import select
import sqlite3
import threading
from collections.abc import Callable
from typing import Any, cast

from buynow_tui.logs import get_logger
from buynow_tui.store.db import bound, connection, is_postgres
from buynow_tui.store.lifecycle import FEED_CHANNEL
from buynow_tui.store.models import Order, OrderEvent
from buynow_tui.store.views import OrderEventView

log = get_logger("orders.feed")

#: What a watcher hands its listener: new events, oldest first (from its thread).
Listener = Callable[[list[OrderEventView]], None]


class OrderFeed:
    def watermark(self, user_id: int) -> int:
        """The id of the user's latest event (0 if none): where watching starts."""
        with connection():
            last = (
                OrderEvent.select(OrderEvent.id)
                .where(OrderEvent.user == user_id)
                .order_by(OrderEvent.id.desc())
                .limit(1)
                .scalar()
            )
        return int(last or 0)

    def since(self, user_id: int, after: int, limit: int = 100) -> list[OrderEventView]:
        """The user's events after the event `after`, oldest first."""
        with connection():
            rows = (
                OrderEvent.select(
                    OrderEvent.id,
                    OrderEvent.order,
                    Order.number,
                    OrderEvent.from_status,
                    OrderEvent.to_status,
                    OrderEvent.at,
                    OrderEvent.actor_kind,
                    OrderEvent.actor,
                    OrderEvent.note,
                )
                .join(Order)
                .where((OrderEvent.user == user_id) & (OrderEvent.id > after))
                .order_by(OrderEvent.id)
                .limit(limit)
                .tuples()
            )
            return [OrderEventView(*cast("tuple[Any, ...]", row)) for row in rows]

    def watch(self, user_id: int, listener: Listener, *, interval: float = 1.0) -> FeedWatcher:
        """A started watcher of `user_id`'s events from now on."""
        watcher = FeedWatcher(self, user_id, listener, interval=interval)
        watcher.start()
        return watcher


class FeedWatcher(threading.Thread):
    """Hands `listener` each new event of one shopper's orders until `stop`."""

    def __init__(
        self, feed: OrderFeed, user_id: int, listener: Listener, *, interval: float = 1.0
    ) -> None:
        super().__init__(name=f"order-feed-{user_id}", daemon=True)
        self.feed = feed
        self.user_id = user_id
        self.listener = listener
        self.interval = interval
        self._stopped = threading.Event()
        #: Set once the watcher is listening (tests wait for it before moving orders).
        self.ready = threading.Event()
        self.last = 0

    def stop(self) -> None:
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def run(self) -> None:
        try:
            self.last = self.feed.watermark(self.user_id)
            if is_postgres():
                self._listen()
            else:
                self._poll()
        except Exception:  # a watcher that fails must not take the session down
            log.exception("the order feed stopped")
        finally:
            self.ready.set()

    # -- delivering -------------------------------------------------------------------------
    def _deliver(self) -> None:
        while not self.stopped:
            events = self.feed.since(self.user_id, self.last)
            if not events:
                return
            self.last = events[-1].id
            try:
                self.listener(events)
            except Exception:
                log.exception("the order feed's listener failed")

    # -- SQLite: a cheap change check ----------------------------------------------------
    def _poll(self) -> None:
        path = bound().database
        check = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        try:
            seen = check.execute("PRAGMA data_version").fetchone()[0]
            log.info("watching user %d's orders (data_version)", self.user_id)
            self.ready.set()
            self._deliver()  # anything that happened between the watermark and now
            while not self._stopped.wait(self.interval):
                now = check.execute("PRAGMA data_version").fetchone()[0]
                if now != seen:
                    seen = now
                    self._deliver()
        finally:
            check.close()

    # -- PostgreSQL: LISTEN / NOTIFY ------------------------------------------------------
    def _listen(self) -> None:
        import psycopg2

        while not self.stopped:
            try:
                listener = self._connect()
            except psycopg2.Error as error:
                log.warning("order feed cannot listen: %s", str(error).splitlines()[0])
                self._stopped.wait(max(self.interval, 2.0))
                continue
            try:
                if not self.ready.is_set():
                    log.info("watching user %d's orders (LISTEN)", self.user_id)
                self.ready.set()
                self._deliver()  # what happened before (or while reconnecting)
                self._wait_on(listener)
            except psycopg2.Error as error:
                log.warning("order feed lost its connection: %s", str(error).splitlines()[0])
                self._stopped.wait(self.interval)
            finally:
                listener.close()

    def _connect(self) -> Any:
        import psycopg2

        db = bound()
        params = {k: v for k, v in db.connect_params.items() if k != "register_unicode"}
        conn = psycopg2.connect(dbname=db.database, **params)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'LISTEN "{FEED_CHANNEL}"')
        return conn

    def _wait_on(self, conn: Any) -> None:
        mine = str(self.user_id)
        while not self.stopped:
            readable, _, _ = select.select([conn], [], [], self.interval)
            if not readable:
                continue
            conn.poll()
            payloads = {note.payload for note in conn.notifies}
            conn.notifies.clear()
            if mine in payloads:
                self._deliver()
