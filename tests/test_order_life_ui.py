"""Orders that live, on screen (issue 14): the status column, the timeline, tracking and
its QR code (which must scan), `c` and `t` on Order detail, and the live toast.

Snapshots at 80x24 and 120x40 (fixed clock, UTC, theme pinned). Orders are made and
moved before the shopper logs in, so the live toasts cannot race a snapshot.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from buynow_tui.screens.order_detail import OrderDetailScreen
from buynow_tui.screens.order_dialogs import ConfirmCancel, TrackingCode
from buynow_tui.widgets.qr import QUIET, QrCode, qr_lines, qr_matrix
from tests.support.app import make_app, notices, screen_text, settle, wait_for, wait_for_text
from tests.support.store import product_named, register

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
ADDRESS = "12 Harbour Road\nPort Town 4021"
URL = "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223197428490"


@pytest.fixture(autouse=True)
def utc_local_time() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def four_orders(services: Any, frozen_clock: list[Any]) -> Any:
    """Ann's #1 delivered, #2 shipped by USPS, #3 cancelled, #4 paid."""
    ann = register(services)
    ann = services.accounts.set_address(ann.id, ADDRESS)
    ids = []
    for name in ("Smart Watch", "Digital Camera", "Portable Speakers", "Bluetooth Headphone"):
        services.cart.add(ann.id, product_named(services, name).id, 1)
        ids.append(services.orders.checkout(ann.id).id)
        frozen_clock[0] += timedelta(hours=1)
    life = services.lifecycle
    life.ship(ids[0], "ups", "1Z999AA10123456784")
    frozen_clock[0] += timedelta(hours=20)
    life.deliver(ids[0])
    life.ship(ids[1], "usps", "9400111899223197428490")
    life.cancel(ids[2], "ordered twice")
    return ann


async def opened(pilot: Any, app: Any, services: Any, user: Any, path: str, *texts: str) -> None:
    app.logged_in(user)
    await settle(pilot)
    app.navigate(path)
    await wait_for_text(pilot, *texts)
    await settle(pilot)


# -- snapshots ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_orders_list_shows_each_status(
    snap_compare: Any, services: Any, home: Any, frozen_clock: list[Any], size: Any
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        ann = four_orders(services, frozen_clock)
        await opened(pilot, app, services, ann, "orders", "Delivered", "Cancelled", "#4")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_order_detail_shows_timeline_tracking_and_qr(
    snap_compare: Any, services: Any, home: Any, frozen_clock: list[Any], size: Any
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        ann = four_orders(services, frozen_clock)
        await opened(pilot, app, services, ann, "order/2", "USPS 9400111899223197428490")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_t_shows_the_qr_code_full_size(
    snap_compare: Any, services: Any, home: Any, frozen_clock: list[Any], size: Any
) -> None:
    app = make_app(services, home)

    async def run_before(pilot: Any) -> None:
        ann = four_orders(services, frozen_clock)
        await opened(pilot, app, services, ann, "order/2", "USPS 9400111899223197428490")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TrackingCode))
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


# -- the QR code scans ----------------------------------------------------------------------


def decode(lines: list[str]) -> list[str]:
    """Turn half-block lines back into pixels (8 per module) and read them as a phone would."""
    rows: list[list[bool]] = []
    for line in lines:
        rows.append([ch in "█▀" for ch in line])
        rows.append([ch in "█▄" for ch in line])
    scale = 8
    image = Image.new("L", (len(rows[0]) * scale, len(rows) * scale), 255)
    pixels = image.load()
    assert pixels is not None
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    for dx in range(scale):
                        pixels[x * scale + dx, y * scale + dy] = 0
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_half_blocks_hold_every_module_and_scan_back_to_the_url() -> None:
    lines = qr_lines(URL)
    matrix = qr_matrix(URL)
    assert len(lines) == (len(matrix) + 1) // 2 and len(lines[0]) == len(matrix[0])
    assert set("".join(lines)) <= set(" ▀▄█")
    assert all(not any(row) for row in matrix[:QUIET])  # a quiet zone all round
    assert decode(lines) == [URL]


async def test_the_code_on_screen_at_80x24_fits_and_scans(
    services: Any, home: Any, frozen_clock: list[Any]
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(80, 24)) as pilot:
        ann = four_orders(services, frozen_clock)
        await opened(pilot, app, services, ann, "order/2", "USPS 9400111899223197428490")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TrackingCode))
        await settle(pilot)
        code = app.screen.query_one(QrCode)
        region = code.region
        assert region.right <= 80 and region.bottom <= 24  # all of it on the screen
        shown = screen_text(app).splitlines()[region.y : region.bottom]
        lines = [line.ljust(region.right)[region.x : region.right] for line in shown]
        assert decode(lines) == [URL]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, OrderDetailScreen))


# -- c: cancel ------------------------------------------------------------------------------


async def test_c_asks_then_y_cancels_and_returns_the_stock(
    services: Any, home: Any, frozen_clock: list[Any]
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        ann = four_orders(services, frozen_clock)
        stock = product_named(services, "Bluetooth Headphone").stock
        await opened(pilot, app, services, ann, "order/4", "Order #4 · Paid")
        screen = app.screen
        assert "Cancel order" in screen_text(app)  # the footer offers it
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCancel))
        assert "Cancel order #4? (y/n)" in screen_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        assert services.orders.by_number(ann.id, 4).status == "paid"
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCancel))
        await pilot.press("y")
        await wait_for_text(pilot, "Order #4 · Cancelled")
        assert "Order #4 is cancelled." in notices(app)
        assert services.orders.by_number(ann.id, 4).status == "cancelled"
        assert product_named(services, "Bluetooth Headphone").stock == stock + 1
        assert "Cancelled by you" in screen_text(app)
        assert "Cancel order" not in screen_text(app)  # nothing more to cancel
        await pilot.press("c")
        await settle(pilot)
        assert app.screen is screen


async def test_c_and_t_are_offered_only_when_they_do_something_and_help_lists_them(
    services: Any, home: Any, frozen_clock: list[Any]
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(120, 40)) as pilot:
        ann = four_orders(services, frozen_clock)
        await opened(pilot, app, services, ann, "order/2", "Order #2 · Shipped")
        footer = screen_text(app).splitlines()[-1]
        assert "QR code" in footer and "Cancel order" not in footer
        await pilot.press("question_mark")
        await wait_for_text(pilot, "QR code")
        await pilot.press("escape")
        app.navigate("order/4")
        await wait_for_text(pilot, "Order #4 · Paid")
        footer = screen_text(app).splitlines()[-1]
        assert "Cancel order" in footer and "QR code" not in footer
        await pilot.press("question_mark")
        await wait_for_text(pilot, "Cancel order")


async def test_a_shopper_cannot_open_another_shoppers_order(
    services: Any, home: Any, frozen_clock: list[Any]
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        four_orders(services, frozen_clock)
        bob = register(services, "bob@example.com", "bob")
        app.logged_in(bob)
        await settle(pilot)
        app.navigate("order/2")
        await wait_for_text(pilot, "Not found")


# -- live ---------------------------------------------------------------------------------


@pytest.mark.backends
async def test_an_admin_shipping_shows_a_toast_and_the_open_order_follows(
    services: Any, home: Any, backend: str
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        ann = register(services)
        services.cart.add(ann.id, product_named(services, "Smart Watch").id, 1)
        order = services.orders.checkout(ann.id, ship_address=ADDRESS)
        await opened(pilot, app, services, ann, "order/1", "Order #1 · Paid")
        watcher = app._order_watcher
        assert watcher is not None
        await wait_for(pilot, watcher.ready.is_set)
        services.lifecycle.ship(order.id, "ups", "1Z999AA10123456784")  # as the CLI would
        await wait_for(pilot, lambda: "Order #1 has shipped." in notices(app), timeout=20)
        await wait_for_text(pilot, "Order #1 · Shipped", "UPS 1Z999AA10123456784")
        app.navigate("orders")
        await wait_for_text(pilot, "Shipped")
        services.lifecycle.deliver(order.id)
        await wait_for(pilot, lambda: "Order #1 was delivered." in notices(app), timeout=20)
        await wait_for_text(pilot, "Delivered")
        app.log_out()
        await settle(pilot)
        assert app._order_watcher is None
        await wait_for(pilot, lambda: not watcher.is_alive(), timeout=20)
