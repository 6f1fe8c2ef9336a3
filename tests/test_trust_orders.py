"""Trust in orders: one cart makes one order, what is ordered is what was confirmed,
money fits its columns, add-to-cart races cleanly, on SQLite and on PostgreSQL.

The races run in real processes (spawn context, each opening the database itself, as
separate SSH sessions or front ends would), released together by a barrier, round
after round.
"""

from __future__ import annotations

import multiprocessing
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.store.errors import (
    CartChanged,
    EmptyCart,
    NotFound,
    OutOfStock,
    ValidationError,
)
from buynow_tui.store.services import Services
from buynow_tui.store.views import Confirmation, UserView
from tests.support.store import product_named, register

pytestmark = pytest.mark.backends

ADDRESS = "1 Main Street\nSpringfield"


@pytest.fixture
def ann(services: Services) -> UserView:
    user = register(services)
    return services.accounts.set_address(user.id, ADDRESS)


def counts() -> tuple[int, int]:
    """Orders and order lines in the database."""
    from buynow_tui.store.db import connection
    from buynow_tui.store.models import Order, OrderLine

    with connection():
        return Order.select().count(), OrderLine.select().count()


def stock(services: Any, name: str) -> int:
    return int(product_named(services, name).stock)


# -- racing processes -------------------------------------------------------------------


def _racer(home: str, url: str, plan: list[tuple[Any, ...]], barrier: Any, results: Any) -> None:
    """One session in its own process: each round, wait for the others, then act."""
    from buynow_tui.logs import setup_logging
    from buynow_tui.store.db import init_db
    from buynow_tui.store.errors import StoreError
    from buynow_tui.store.migrate import upgrade
    from buynow_tui.store.services import Services

    setup_logging(Path(home) / "logs")
    init_db(url)
    upgrade()
    services = Services()
    done: object
    for number, (action, *args) in enumerate(plan):
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            return  # the test stopped early
        try:
            if action == "checkout":
                user_id, key = args
                done = services.orders.checkout(user_id, checkout_key=key).id
            elif action == "address":  # as a logged-in session: its login is checked
                user_id, version, address = args
                services.logins.begin(user_id, version)
                done = services.accounts.set_address(user_id, address).ship_address
            elif action == "step":  # the Cart's + or - on one line
                user_id, product_id, by = args
                done = services.cart.change_quantity(user_id, product_id, by).units
            else:  # add each product in turn
                user_id, product_ids, quantity = args
                for product_id in product_ids:
                    done = services.cart.add(user_id, product_id, quantity).units
            results.put((number, "done", done))
        except StoreError as error:
            results.put((number, type(error).__name__, str(error)))
        except Exception as error:
            results.put((number, "raw", repr(error)))


class Race:
    """Two (or more) racer processes, stepped a round at a time by the test."""

    def __init__(self, home: Path, url: str, plans: list[list[tuple[Any, ...]]]) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.barrier = ctx.Barrier(len(plans) + 1)
        self.results = ctx.Queue()
        self.procs = [
            ctx.Process(target=_racer, args=(str(home), url, plan, self.barrier, self.results))
            for plan in plans
        ]
        for proc in self.procs:
            proc.start()

    def round(self) -> list[tuple[str, Any]]:
        """Release every racer at once; what each made of its turn (in any order)."""
        self.barrier.wait(timeout=120)
        outcomes = [self.results.get(timeout=60) for _ in self.procs]
        return sorted(((kind, detail) for _, kind, detail in outcomes), key=repr)

    def close(self) -> None:
        self.barrier.abort()  # racers still waiting for a round (the test failed) stop
        for proc in self.procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()


ROUNDS = 40


def test_two_sessions_checking_out_one_cart_at_once_make_one_order(
    services: Services, ann: UserView, home: Path, database_url: str
) -> None:
    """The same shopper confirms in two sessions at the same moment, each with its own
    checkout key: one order, stock drawn once, the other finds the cart empty."""
    watch = product_named(services, "Smart Watch")
    speakers = product_named(services, "Portable Speakers")
    for product in (watch, speakers):
        services.catalog.set_stock(product.sku, 1000)
    plans = [[("checkout", ann.id, f"s{n}-r{r}") for r in range(ROUNDS)] for n in range(2)]
    race = Race(home, database_url, plans)
    try:
        for round_ in range(ROUNDS):
            services.cart.add(ann.id, watch.id, 2)
            services.cart.add(ann.id, speakers.id, 1)
            before = counts()
            outcomes = race.round()
            kinds = sorted(kind for kind, _ in outcomes)
            assert kinds == ["EmptyCart", "done"], f"round {round_}: {outcomes}"
            assert counts() == (before[0] + 1, before[1] + 2), f"round {round_}"
            assert services.cart.get(ann.id).is_empty
    finally:
        race.close()
    assert len(services.orders.history(ann.id)) == ROUNDS
    assert stock(services, "Smart Watch") == 1000 - 2 * ROUNDS
    assert stock(services, "Portable Speakers") == 1000 - ROUNDS


ADD_ROUNDS = 20
BIG_ROUNDS = 40
ITEMS = 10


def test_two_sessions_adding_the_same_items_at_once_both_count_within_the_limit(
    services: Services, home: Path, database_url: str
) -> None:
    """Each round a shopper with no cart yet adds the same ten items, one of each, in
    two sessions at once: every item lands on one line with both units. Then both add
    60 Smart Watches at once: 99 is the most, so one is refused in words and the line
    holds 60."""
    from buynow_tui.store.catalog import ProductInput

    for n in range(ITEMS):
        services.catalog.add(
            ProductInput.build(
                sku=f"RACE-{n}", name=f"Cable {n}", category="Accessories", price="2", stock=1000
            )
        )
    items = [services.catalog.get_by_sku(f"RACE-{n}").id for n in range(ITEMS)]
    watch = product_named(services, "Smart Watch")
    services.catalog.set_stock(watch.sku, 1000)
    users = [
        register(services, email=f"racer{n}@example.com", username=f"racer{n}")
        for n in range(ADD_ROUNDS + BIG_ROUNDS)
    ]
    plan = [("add", u.id, items, 1) for u in users[:ADD_ROUNDS]] + [
        ("add", u.id, [watch.id], 60) for u in users[ADD_ROUNDS:]
    ]
    race = Race(home, database_url, [plan, plan])
    try:
        for user in users[:ADD_ROUNDS]:
            outcomes = race.round()
            assert [kind for kind, _ in outcomes] == ["done", "done"], outcomes
            cart = services.cart.get(user.id)
            assert sorted(line.product_id for line in cart.lines) == sorted(items)
            assert {line.quantity for line in cart.lines} == {2}
        for user in users[ADD_ROUNDS:]:
            outcomes = race.round()
            assert sorted(kind for kind, _ in outcomes) == ["ValidationError", "done"], outcomes
            refusal = next(detail for kind, detail in outcomes if kind == "ValidationError")
            assert refusal == (
                "At most 99 of one item per order. You can add up to 39 more; 60 are in your cart."
            )
            assert services.cart.get(user.id).units == 60
    finally:
        race.close()


STEP_ROUNDS = 20


def test_two_sessions_pressing_plus_on_one_line_at_once_both_count(
    services: Services, ann: UserView, home: Path, database_url: str
) -> None:
    """The Cart's + is a step the store takes from the line as it is: the same shopper
    pressing + in two sessions at the same moment gets two more, round after round."""
    watch = product_named(services, "Smart Watch")
    services.catalog.set_stock(watch.sku, 1000)
    services.cart.add(ann.id, watch.id, 1)
    plans = [[("step", ann.id, watch.id, 1)] * STEP_ROUNDS for _ in range(2)]
    race = Race(home, database_url, plans)
    try:
        for round_ in range(STEP_ROUNDS):
            outcomes = race.round()
            assert [kind for kind, _ in outcomes] == ["done", "done"], outcomes
            assert services.cart.get(ann.id).units == 1 + 2 * (round_ + 1), f"round {round_}"
    finally:
        race.close()


def test_two_sessions_saving_an_address_at_once_take_turns(
    services: Services, ann: UserView, home: Path, database_url: str
) -> None:
    """Both lock the user's row to check their login before writing it: they queue
    (never deadlock on PostgreSQL), and one of the two addresses is kept."""
    plans = [
        [("address", ann.id, ann.credentials_version, f"{n} Race Road {r}") for r in range(ROUNDS)]
        for n in range(2)
    ]
    race = Race(home, database_url, plans)
    try:
        for round_ in range(ROUNDS):
            outcomes = race.round()
            assert [kind for kind, _ in outcomes] == ["done", "done"], f"round {round_}: {outcomes}"
            kept = services.accounts.get(ann.id).ship_address
            assert kept in {detail for _, detail in outcomes}
    finally:
        race.close()


# -- what was confirmed is what is ordered ----------------------------------------------


def confirm(services: Any, user: Any) -> Confirmation:
    """What the checkout dialog would show this shopper now."""
    shown = services.accounts.get(user.id)
    return Confirmation.of(services.cart.get(user.id), shown.ship_address or "")


def test_a_price_changed_after_confirming_is_refused_with_both_prices(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 2)
    shown = confirm(services, ann)
    services.catalog.update(watch.sku, price="120")

    with pytest.raises(CartChanged) as refused:
        services.orders.checkout(ann.id, checkout_key="k1", expected=shown)

    message = str(refused.value)
    assert "The price of Smart Watch changed from $150.00 to $120.00." in message
    assert "The total changed from $330.00 to $270.00." in message
    assert "Nothing was ordered" in message
    assert counts() == (0, 0)
    assert stock(services, "Smart Watch") == watch.stock
    assert services.cart.get(ann.id).units == 2
    # Confirming the new figures orders them.
    order = services.orders.checkout(ann.id, checkout_key="k2", expected=confirm(services, ann))
    assert order.total_cents == 27000


def test_a_product_removed_after_confirming_is_named_and_nothing_is_ordered(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    speakers = product_named(services, "Portable Speakers")
    services.cart.add(ann.id, watch.id, 1)
    services.cart.add(ann.id, speakers.id, 1)
    shown = confirm(services, ann)
    services.catalog.remove(watch.sku)

    with pytest.raises(CartChanged) as refused:
        services.orders.checkout(ann.id, expected=shown)

    assert "Smart Watch was removed from the shop." in str(refused.value)
    assert "The total changed from $380.00 to $230.00." in str(refused.value)
    assert counts() == (0, 0)
    assert stock(services, "Portable Speakers") == speakers.stock
    assert [line.name for line in services.cart.get(ann.id).lines] == ["Portable Speakers"]


def test_the_only_product_removed_says_so_rather_than_an_empty_cart(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 1)
    shown = confirm(services, ann)
    services.catalog.remove(watch.sku)

    with pytest.raises(CartChanged, match=re.escape("Smart Watch was removed from the shop.")):
        services.orders.checkout(ann.id, expected=shown)
    assert counts() == (0, 0)


def test_an_address_changed_after_confirming_is_refused_and_named(
    services: Services, ann: UserView
) -> None:
    services.cart.add(ann.id, product_named(services, "Smart Watch").id, 1)
    shown = confirm(services, ann)
    services.accounts.set_address(ann.id, "99 Other Road\nElsewhere")

    with pytest.raises(CartChanged) as refused:
        services.orders.checkout(ann.id, expected=shown)

    assert "The ship-to address changed to 99 Other Road, Elsewhere." in str(refused.value)
    assert "total" not in str(refused.value)
    assert counts() == (0, 0)


def test_lines_added_removed_or_changed_in_another_session_are_each_named(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    speakers = product_named(services, "Portable Speakers")
    camera = product_named(services, "Digital Camera")
    services.cart.add(ann.id, watch.id, 1)
    services.cart.add(ann.id, speakers.id, 1)
    shown = confirm(services, ann)
    services.cart.set_quantity(ann.id, watch.id, 3)
    services.cart.remove(ann.id, speakers.id)
    services.cart.add(ann.id, camera.id, 1)

    with pytest.raises(CartChanged) as refused:
        services.orders.checkout(ann.id, expected=shown)

    assert refused.value.changes == [
        "The quantity of Smart Watch changed from 1 to 3.",
        "Portable Speakers is no longer in your cart.",
        "Digital Camera was added to your cart.",
        "The total changed from $380.00 to $680.00.",
    ]
    assert counts() == (0, 0)
    assert stock(services, "Smart Watch") == watch.stock


def test_a_cart_ordered_from_another_session_meanwhile_is_just_empty(
    services: Services, ann: UserView
) -> None:
    services.cart.add(ann.id, product_named(services, "Smart Watch").id, 1)
    shown = confirm(services, ann)
    services.orders.checkout(ann.id, checkout_key="other-session", expected=shown)

    with pytest.raises(EmptyCart):
        services.orders.checkout(ann.id, checkout_key="this-session", expected=shown)
    assert counts() == (1, 1)


def test_an_unchanged_confirmation_orders_exactly_what_was_shown(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 2)
    shown = confirm(services, ann)

    order = services.orders.checkout(ann.id, checkout_key="k", expected=shown)

    assert [(line.product_id, line.quantity, line.unit_price_cents) for line in order.lines] == [
        (line.product_id, line.quantity, line.unit_price_cents) for line in shown.lines
    ]
    assert order.total_cents == shown.total_cents
    assert order.ship_address == shown.ship_address


# -- money and limits -------------------------------------------------------------------


def test_totals_past_32_bits_are_stored_and_read_back(services: Services, ann: UserView) -> None:
    """$25,000,000.00 is 2.5 billion cents: more than a 32-bit column holds."""
    watch = product_named(services, "Smart Watch")
    services.catalog.update(watch.sku, price="25000000")
    services.cart.add(ann.id, watch.id, 2)
    order = services.orders.checkout(ann.id)
    assert order.total_cents == 5_000_003_000
    stored = services.orders.detail(ann.id, order.id)
    assert (stored.subtotal_cents, stored.total_cents) == (5_000_000_000, 5_000_003_000)
    assert stored.lines[0].unit_price_cents == 2_500_000_000
    assert services.orders.history(ann.id)[0].total_cents == 5_000_003_000
    assert product_named(services, "Smart Watch").price_cents == 2_500_000_000


def test_an_order_above_the_maximum_is_refused_in_words_and_changes_nothing(
    services: Services, ann: UserView
) -> None:
    from buynow_tui.store.orders import MAX_ORDER_TOTAL_CENTS

    assert MAX_ORDER_TOTAL_CENTS == 10_000_000_000  # $100,000,000.00, as the README says
    watch = product_named(services, "Smart Watch")
    services.catalog.update(watch.sku, price="60000000")
    services.cart.add(ann.id, watch.id, 2)

    with pytest.raises(ValidationError) as refused:
        services.orders.checkout(ann.id)

    assert str(refused.value) == (
        "An order can total at most $100,000,000.00; this one comes to "
        "$120,000,030.00. Remove something and try again."
    )
    assert counts() == (0, 0)
    assert stock(services, "Smart Watch") == watch.stock
    assert services.cart.get(ann.id).units == 2


def test_a_cart_holds_at_most_a_hundred_different_items(services: Services, ann: UserView) -> None:
    from buynow_tui.store.cart import MAX_LINES
    from buynow_tui.store.catalog import ProductInput

    assert MAX_LINES == 100
    for n in range(MAX_LINES + 1):
        services.catalog.add(
            ProductInput.build(
                sku=f"BULK-{n}", name=f"Cable {n}", category="Accessories", price="1", stock=5
            )
        )
    ids = [services.catalog.get_by_sku(f"BULK-{n}").id for n in range(MAX_LINES + 1)]
    for product_id in ids[:MAX_LINES]:
        services.cart.add(ann.id, product_id, 1)

    with pytest.raises(
        ValidationError, match=re.escape("A cart holds at most 100 different items.")
    ):
        services.cart.add(ann.id, ids[MAX_LINES], 1)
    services.cart.add(ann.id, ids[0], 1)  # more of one already there is fine
    cart = services.cart.get(ann.id)
    assert cart.count == MAX_LINES and cart.units == MAX_LINES + 1


# -- add to cart, and from the wishlist -------------------------------------------------


def test_adding_to_a_line_past_99_or_the_stock_is_refused_and_keeps_the_line(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    services.catalog.set_stock(watch.sku, 500)
    services.cart.add(ann.id, watch.id, 90)
    with pytest.raises(ValidationError, match=re.escape("At most 99 of one item per order.")):
        services.cart.add(ann.id, watch.id, 10)
    services.catalog.set_stock(watch.sku, 95)
    with pytest.raises(OutOfStock, match=re.escape("Only 95 of Smart Watch left in stock.")):
        services.cart.add(ann.id, watch.id, 6)
    services.cart.add(ann.id, watch.id, 5)
    assert services.cart.get(ann.id).units == 95


@pytest.mark.parametrize("quantity", [0, -1, -50, 100])
def test_wishlist_to_cart_refuses_a_quantity_outside_1_to_99(
    services: Services, ann: UserView, quantity: int
) -> None:
    watch = product_named(services, "Smart Watch")
    services.wishlist.add(ann.id, watch.id)
    with pytest.raises(ValidationError, match=re.escape("Quantity must be between 1 and 99.")):
        services.wishlist.add_to_cart(ann.id, watch.id, quantity)
    assert services.cart.get(ann.id).is_empty


def test_wishlist_to_cart_of_a_line_already_in_the_cart_adds_to_it(
    services: Services, ann: UserView
) -> None:
    watch = product_named(services, "Smart Watch")
    services.cart.add(ann.id, watch.id, 2)
    services.wishlist.add(ann.id, watch.id)
    services.wishlist.add_to_cart(ann.id, watch.id, 3)
    assert services.cart.get(ann.id).units == 5
    with pytest.raises(NotFound):
        services.wishlist.add_to_cart(ann.id, 999_999, 1)


def test_the_money_migration_goes_down_and_up_again(services: Services, backend: str) -> None:
    """m0002's `down` gives back 32-bit money and no credentials version; `up` again
    and the shop takes a 64-bit total."""
    from buynow_tui.store.db import connection
    from buynow_tui.store.migrate import downgrade, status, upgrade
    from buynow_tui.store.models import database

    def columns() -> dict[str, str]:
        with connection():
            if backend == "sqlite":
                rows = database.execute_sql('PRAGMA table_info("user")').fetchall()
                found = {row[1]: row[2] for row in rows}
                rows = database.execute_sql('PRAGMA table_info("product")').fetchall()
                return found | {row[1]: row[2] for row in rows}
            return dict(
                database.execute_sql(
                    "SELECT column_name, data_type FROM information_schema.columns"
                    " WHERE table_schema = current_schema()"
                    " AND table_name IN ('user', 'product')"
                ).fetchall()
            )

    applied = list(status().applied)
    from_m0002 = applied[applied.index("m0002_money_and_sessions") :]  # and the ones after it
    # (the demo catalog's pictures go with m0007: accepted, they are not the point here)
    assert downgrade(len(from_m0002), accept_loss=True) == list(reversed(from_m0002))
    assert "credentials_version" not in columns()
    assert columns()["price_cents"] == ("INTEGER" if backend == "sqlite" else "integer")
    assert upgrade() == from_m0002
    assert columns()["price_cents"] == ("INTEGER" if backend == "sqlite" else "bigint")
    assert "credentials_version" in columns()

    ann = register(services)
    watch = product_named(services, "Smart Watch")
    services.catalog.update(watch.sku, price="30000000")
    services.cart.add(ann.id, watch.id, 1)
    assert services.orders.checkout(ann.id, ship_address=ADDRESS).total_cents == 3_000_003_000
