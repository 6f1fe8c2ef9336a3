"""Orders that live (issue 14): every legal and illegal move, stock returned on cancel,
tracking, per-shopper numbers, the change feed and the logs, on SQLite and PostgreSQL.

The races are in `test_order_life_races.py`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.store.errors import IllegalMove, NotFound, ValidationError
from buynow_tui.store.lifecycle import By
from buynow_tui.store.states import MOVES, Status
from buynow_tui.store.views import OrderDetail, OrderEventView
from tests.support.store import product_named, register

pytestmark = pytest.mark.backends

ADDRESS = "1 Main Street\nSpringfield"


def place(services: Any, user: Any, *items: tuple[str, int]) -> OrderDetail:
    """One order of `items` (name, quantity) for `user`."""
    for name, quantity in items or (("Smart Watch", 2),):
        services.cart.add(user.id, product_named(services, name).id, quantity)
    order: OrderDetail = services.orders.checkout(user.id, ship_address=ADDRESS)
    return order


def stock(services: Any, name: str = "Smart Watch") -> int:
    return int(product_named(services, name).stock)


@pytest.fixture
def ann(services: Any) -> Any:
    return register(services)


def status_of(services: Any, order: OrderDetail) -> str:
    return str(services.orders.detail(order.user_id, order.id).status)


def trail(services: Any, order: OrderDetail) -> list[tuple[str | None, str]]:
    return [(e.from_status, e.to_status) for e in services.lifecycle.events(order.id)]


# -- placing ----------------------------------------------------------------------------


def test_placing_writes_placed_then_paid_and_numbers_orders_per_shopper(
    services: Any, ann: Any
) -> None:
    bob = register(services, "bob@example.com", "bob")
    first = place(services, ann)
    second = place(services, ann)
    bobs = place(services, bob)
    assert (first.number, second.number, bobs.number) == (1, 2, 1)
    assert bobs.id > second.id  # the global id goes on; the shopper's number starts at 1
    assert first.status == "paid"
    assert trail(services, first) == [(None, "placed"), ("placed", "paid")]
    assert [e.actor_kind for e in services.lifecycle.events(first.id)] == ["system", "system"]
    # What checkout returns is what the store reads back, events included.
    assert services.orders.detail(ann.id, first.id) == first
    assert services.orders.by_number(bob.id, 1) == bobs
    assert [(o.number, o.status) for o in services.orders.history(ann.id)] == [
        (2, "paid"),
        (1, "paid"),
    ]
    with pytest.raises(NotFound):
        services.orders.by_number(bob.id, 2)


# -- every legal move ---------------------------------------------------------------------

#: A path of moves from paid, and what each leaves.
LEGAL = [
    ("ship",),
    ("cancel",),
    ("refund",),
    ("ship", "deliver"),
    ("ship", "refund"),
    ("ship", "deliver", "refund"),
]

TO = {
    "ship": Status.SHIPPED,
    "deliver": Status.DELIVERED,
    "cancel": Status.CANCELLED,
    "refund": Status.REFUNDED,
}


def move(services: Any, action: str, order_id: int, by: By | None = None) -> Any:
    life = services.lifecycle
    if action == "ship":
        return life.ship(order_id, "ups", "1Z999AA10123456784", by=by)
    if action == "deliver":
        return life.deliver(order_id, by=by)
    if action == "cancel":
        return life.cancel(order_id, "changed my mind", by=by)
    return life.refund(order_id, "damaged", by=by)


@pytest.mark.parametrize("path", LEGAL, ids=["-".join(p) for p in LEGAL])
def test_every_legal_move_changes_the_state_and_writes_one_event(
    services: Any, ann: Any, path: tuple[str, ...]
) -> None:
    order = place(services, ann)
    expected: list[tuple[str | None, str]] = [(None, "placed"), ("placed", "paid")]
    current = "paid"
    for action in path:
        moved = move(services, action, order.id)
        to = str(TO[action])
        assert (moved.event.from_status, moved.event.to_status) == (current, to)
        assert (moved.order_id, moved.user_id, moved.number) == (order.id, ann.id, 1)
        expected.append((current, to))
        current = to
        assert status_of(services, order) == to
    assert trail(services, order) == expected
    events = services.lifecycle.events(order.id)
    assert all(e.actor_kind == "admin" for e in events[2:])
    assert all(e.at.tzinfo is not None for e in events)


def test_the_transition_table_is_the_one_the_issue_describes() -> None:
    allowed = {(str(f), str(t)) for t, froms in MOVES.items() for f in froms}
    assert allowed == {
        ("placed", "paid"),
        ("paid", "shipped"),
        ("shipped", "delivered"),
        ("placed", "cancelled"),
        ("paid", "cancelled"),
        ("paid", "refunded"),
        ("shipped", "refunded"),
        ("delivered", "refunded"),
    }


# -- every illegal move ------------------------------------------------------------------

#: (moves made first, the refused move, words the refusal must hold)
ILLEGAL = [
    (("cancel",), "ship", "Order {id} is cancelled: it cannot be shipped."),
    (("cancel",), "cancel", "Order {id} was already cancelled."),
    (("cancel",), "refund", "Order {id} is cancelled: there is nothing to refund."),
    (("cancel",), "deliver", "Order {id} is cancelled: it cannot be delivered."),
    (("ship",), "cancel", "Order {id} has shipped: it can no longer be cancelled."),
    (("ship",), "ship", "Order {id} was already shipped."),
    ((), "deliver", "Order {id} is paid: it cannot be delivered."),
    (("ship", "deliver"), "cancel", "Order {id} was delivered: it can no longer be cancelled."),
    (("ship", "deliver"), "deliver", "Order {id} was already delivered."),
    (("ship", "deliver"), "ship", "Order {id} is delivered: it cannot be shipped."),
    (("refund",), "refund", "Order {id} was already refunded."),
    (("refund",), "ship", "Order {id} is refunded: it cannot be shipped."),
    (("refund",), "cancel", "Order {id} is refunded: it cannot be cancelled."),
    (("ship", "refund"), "deliver", "Order {id} is refunded: it cannot be delivered."),
]


@pytest.mark.parametrize(
    ("before", "action", "words"),
    ILLEGAL,
    ids=[f"{'-'.join(b) or 'paid'}-then-{a}" for b, a, _ in ILLEGAL],
)
def test_every_illegal_move_is_refused_in_words_and_changes_nothing(
    services: Any, ann: Any, before: tuple[str, ...], action: str, words: str
) -> None:
    order = place(services, ann)
    for done in before:
        move(services, done, order.id)
    state, events, units = status_of(services, order), trail(services, order), stock(services)
    with pytest.raises(IllegalMove) as refused:
        move(services, action, order.id)
    assert str(refused.value) == words.format(id=order.id)
    assert refused.value.current == state and refused.value.wanted == str(TO[action])
    assert (status_of(services, order), trail(services, order), stock(services)) == (
        state,
        events,
        units,
    )


def test_a_shopper_may_only_cancel_and_only_their_own_orders(services: Any, ann: Any) -> None:
    bob = register(services, "bob@example.com", "bob")
    order = place(services, ann)
    with pytest.raises(IllegalMove, match="cannot be shipped by a shopper"):
        move(services, "ship", order.id, By.shopper(ann.id, "ann"))
    with pytest.raises(IllegalMove, match="cannot be refunded by a shopper"):
        move(services, "refund", order.id, By.shopper(ann.id, "ann"))
    with pytest.raises(NotFound, match=r"There is no order #1\."):
        services.lifecycle.cancel_mine(bob.id, order.number)  # bob has no order #1
    with pytest.raises(NotFound):
        move(services, "cancel", order.id, By.shopper(bob.id, "bob"))  # ann's, by id
    assert status_of(services, order) == "paid"
    moved = services.lifecycle.cancel_mine(ann.id, order.number, username="ann")
    assert moved.event.actor_kind == "shopper" and moved.event.actor == "ann"
    with pytest.raises(IllegalMove, match=r"^Order #1 was already cancelled\.$"):
        services.lifecycle.cancel_mine(ann.id, order.number)  # a shopper's words: #number


def test_unknown_orders_are_not_found_for_every_move(services: Any) -> None:
    for action in TO:
        with pytest.raises(NotFound, match=r"There is no order 999999\."):
            move(services, action, 999_999)


# -- stock ----------------------------------------------------------------------------------


def test_cancelling_returns_every_line_to_stock_in_the_same_transaction(
    services: Any, ann: Any
) -> None:
    watch, speakers = stock(services), stock(services, "Portable Speakers")
    order = place(services, ann, ("Smart Watch", 3), ("Portable Speakers", 2))
    assert (stock(services), stock(services, "Portable Speakers")) == (watch - 3, speakers - 2)
    services.lifecycle.cancel(order.id)
    assert (stock(services), stock(services, "Portable Speakers")) == (watch, speakers)
    with pytest.raises(IllegalMove):
        services.lifecycle.cancel(order.id)  # twice: refused, stock not returned again
    assert (stock(services), stock(services, "Portable Speakers")) == (watch, speakers)


def test_a_refund_restocks_only_what_never_shipped(services: Any, ann: Any) -> None:
    start = stock(services)
    unshipped, shipped = place(services, ann), place(services, ann)
    services.lifecycle.refund(unshipped.id)
    assert stock(services) == start - 2  # the unshipped order's units are back
    services.lifecycle.ship(shipped.id, "dhl", "1234567890")
    services.lifecycle.refund(shipped.id)
    assert stock(services) == start - 2  # the shipped ones are with the shopper


def test_a_product_removed_since_is_no_obstacle_to_cancelling(services: Any, ann: Any) -> None:
    order = place(services, ann, ("Smart Watch", 1), ("Portable Speakers", 1))
    speakers = stock(services, "Portable Speakers")
    services.catalog.remove(product_named(services, "Smart Watch").sku)
    services.lifecycle.cancel(order.id)
    assert stock(services, "Portable Speakers") == speakers + 1
    assert status_of(services, order) == "cancelled"


def test_a_failure_inside_the_move_leaves_nothing_half_done(
    services: Any, ann: Any, backend: str
) -> None:
    """The event row cannot be written: the state and the stock roll back with it."""
    from buynow_tui.store.db import connection
    from buynow_tui.store.models import database

    order = place(services, ann)
    before = stock(services)
    if backend == "sqlite":
        refuse = [
            "CREATE TRIGGER no_events BEFORE INSERT ON order_event "
            "BEGIN SELECT RAISE(ABORT, 'no events today'); END"
        ]
    else:
        refuse = [
            "CREATE FUNCTION no_events() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'no events today'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER no_events BEFORE INSERT ON order_event "
            "FOR EACH ROW EXECUTE FUNCTION no_events()",
        ]
    with connection(), database.atomic():
        for sql in refuse:
            database.execute_sql(sql)
    with pytest.raises(Exception, match="no events today"):
        services.lifecycle.cancel(order.id)
    assert status_of(services, order) == "paid"
    assert trail(services, order) == [(None, "placed"), ("placed", "paid")]
    assert stock(services) == before


# -- tracking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("carrier", "url"),
    [
        ("UPS", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
        ("fedex", "https://www.fedex.com/fedextrack/?trknbr=1Z999AA10123456784"),
        ("Usps", "https://tools.usps.com/go/TrackConfirmAction?tLabels=1Z999AA10123456784"),
        ("dhl", "https://www.dhl.com/en/express/tracking.html?AWB=1Z999AA10123456784"),
    ],
)
def test_known_carriers_get_their_tracking_url(
    services: Any, ann: Any, carrier: str, url: str
) -> None:
    order = place(services, ann)
    services.lifecycle.ship(order.id, carrier, " 1z999aa1 0123456784 ")
    shipped = services.orders.detail(ann.id, order.id)
    assert shipped.tracking_number == "1Z999AA10123456784"
    assert shipped.tracking_url == url
    assert (
        shipped.carrier
        == {"ups": "UPS", "fedex": "FedEx", "usps": "USPS", "dhl": "DHL"}[carrier.lower()]
    )
    assert shipped.events[-1].note == f"{shipped.carrier} 1Z999AA10123456784"


def test_another_carrier_keeps_the_url_given_or_none(services: Any, ann: Any) -> None:
    first, second = place(services, ann), place(services, ann)
    services.lifecycle.ship(first.id, "Royal Mail", "RM123456", "https://track.example/RM123456")
    services.lifecycle.ship(second.id, "Courier Co", "CC-0001")
    one, two = (services.orders.detail(ann.id, o.id) for o in (first, second))
    assert (one.carrier, one.tracking_url) == ("Royal Mail", "https://track.example/RM123456")
    assert (two.carrier, two.tracking_number, two.tracking_url) == ("Courier Co", "CC-0001", None)


@pytest.mark.parametrize(
    ("carrier", "number", "url", "words"),
    [
        ("ups", "", None, "The tracking number is empty."),
        ("ups", "   ", None, "The tracking number is empty."),
        ("ups", "12", None, "4 to 40 letters, digits and dashes"),
        ("ups", "A" * 41, None, "4 to 40 letters, digits and dashes"),
        ("ups", "1Z<script>", None, "4 to 40 letters, digits and dashes"),
        ("", "1234", None, "The carrier is empty."),
        ("\x1b[31mX", "1234", None, "A carrier is 1 to 20"),
        ("ups", "1234", "ftp://x.example/1", "starts with https://"),
        ("ups", "1234", "https://x.example/" + "a" * 90, "at most 100 characters"),
        ("ups", "1234", "https://x.example/a b", "printable ASCII with no spaces"),
    ],
)
def test_bad_tracking_is_refused_and_nothing_ships(
    services: Any, ann: Any, carrier: str, number: str, url: str | None, words: str
) -> None:
    order = place(services, ann)
    with pytest.raises(ValidationError, match=words.replace("(", r"\(").replace(".", r"\.")):
        services.lifecycle.ship(order.id, carrier, number, url)
    after = services.orders.detail(ann.id, order.id)
    assert (after.status, after.carrier, after.tracking_number) == ("paid", None, None)
    assert len(after.events) == 2


def test_a_reason_is_kept_in_the_event_cleaned_and_limited(services: Any, ann: Any) -> None:
    order = place(services, ann)
    with pytest.raises(ValidationError, match="at most 200"):
        services.lifecycle.cancel(order.id, "x" * 201)
    services.lifecycle.cancel(order.id, "  wrong\x1b[2J size\n")
    assert services.lifecycle.events(order.id)[-1].note == "wrong [2J size"


def test_the_admin_list_filters_by_status_and_shows_tracking(services: Any, ann: Any) -> None:
    first, second, _ = place(services, ann), place(services, ann), place(services, ann)
    services.lifecycle.ship(first.id, "ups", "1Z0001")
    services.lifecycle.cancel(second.id)
    shipped = services.orders.list_all(status="shipped")
    assert [(o.id, o.carrier, o.tracking_number) for o in shipped] == [(first.id, "UPS", "1Z0001")]
    assert [o.id for o in services.orders.list_all(status="CANCELLED")] == [second.id]
    assert len(services.orders.list_all(status="paid")) == 1
    with pytest.raises(ValidationError, match="There is no status 'sent'"):
        services.orders.list_all(status="sent")


# -- the change feed -----------------------------------------------------------------------


def test_the_feed_reads_a_shoppers_events_after_a_watermark(services: Any, ann: Any) -> None:
    bob = register(services, "bob@example.com", "bob")
    order = place(services, ann)
    place(services, bob)
    mark = services.feed.watermark(ann.id)
    assert services.feed.since(ann.id, mark) == []
    services.lifecycle.ship(order.id, "ups", "1Z0001")
    services.lifecycle.ship(services.orders.history(bob.id)[0].id, "ups", "1Z0002")
    news = services.feed.since(ann.id, mark)
    assert [(e.number, e.to_status) for e in news] == [(1, "shipped")]
    assert services.feed.watermark(ann.id) == news[0].id


def test_a_watcher_hands_over_each_new_event_of_its_shopper_only(services: Any, ann: Any) -> None:
    bob = register(services, "bob@example.com", "bob")
    mine, theirs = place(services, ann), place(services, bob)
    got: list[OrderEventView] = []
    arrived = threading.Event()

    def listener(events: list[OrderEventView]) -> None:
        got.extend(events)
        if any(e.to_status == "delivered" for e in events):
            arrived.set()

    watcher = services.feed.watch(ann.id, listener, interval=0.2)
    try:
        assert watcher.ready.wait(30)
        services.lifecycle.ship(theirs.id, "ups", "1Z0002")
        services.lifecycle.ship(mine.id, "ups", "1Z0001")
        services.lifecycle.deliver(mine.id)
        assert arrived.wait(30), got
    finally:
        watcher.stop()
        watcher.join(10)
    assert not watcher.is_alive()
    assert [(e.order_id, e.to_status) for e in got] == [
        (mine.id, "shipped"),
        (mine.id, "delivered"),
    ]


# -- logs ----------------------------------------------------------------------------------


def test_transitions_are_logged_as_info_and_refusals_as_warnings(
    services: Any, ann: Any, home: Path
) -> None:
    order = place(services, ann)
    services.lifecycle.ship(order.id, "ups", "1Z0001", by=By.admin("root"))
    with pytest.raises(IllegalMove):
        services.lifecycle.cancel(order.id)
    info = (home / "logs" / "info.log").read_text(encoding="utf-8")
    warnings = (home / "logs" / "warning.log").read_text(encoding="utf-8")
    assert f"order {order.id}: paid -> shipped by admin root (UPS 1Z0001)" in info
    assert f"order {order.id}: cancelled refused (admin)" in warnings
    assert "has shipped: it can no longer be cancelled" in warnings
