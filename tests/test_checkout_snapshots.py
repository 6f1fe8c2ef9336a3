"""Snapshots of each checkout step (issue 15) at 80x24 and 120x40, with field errors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from buynow_tui.store.services import Services
from buynow_tui.store.views import UserView
from tests.support.app import SnapCompare, make_app, settle
from tests.support.checkout import DECLINED_CARD, HOME_ADDRESS
from tests.support.store import product_named, register
from tests.test_shell_snapshots import go, logged_in, snapshot

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


def shopper(services: Services, *, address: bool = True) -> UserView:
    user = register(services)
    if address:
        services.addresses.add(user.id, HOME_ADDRESS)
    services.cart.add(user.id, product_named(services, "Smart Watch").id, 2)
    return user


async def keys(pilot: Pilot[Any], *pressed: str) -> None:
    for key in pressed:
        await pilot.press(key)
        await settle(pilot)


def to_step(*pressed: str) -> Any:
    async def step(pilot: Pilot[Any]) -> None:
        await keys(pilot, "b", *pressed)

    return step


def card(number: str, expiry: str = "12/30", cvc: str = "739") -> Any:
    def step(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        for selector, text in (
            ("#card-number", number),
            ("#card-expiry", expiry),
            ("#card-cvc", cvc),
        ):
            screen.query_one(selector, Input).value = text

    return step


@SIZES
def test_ship_to(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    user = shopper(services)
    snapshot(snap_compare, make_app(services, home), size, logged_in(user), go("cart"), to_step())


@SIZES
def test_address_form_with_every_error(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    user = shopper(services, address=False)
    snapshot(
        snap_compare,
        make_app(services, home),
        size,
        logged_in(user),
        go("cart"),
        to_step("enter", "ctrl+s"),
    )


@SIZES
def test_delivery(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    user = shopper(services)
    snapshot(
        snap_compare, make_app(services, home), size, logged_in(user), go("cart"), to_step("enter")
    )


@SIZES
def test_pay_with_every_card_error(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    user = shopper(services)

    async def errors(pilot: Pilot[Any]) -> None:
        card("4242 4242 4242 4241", "13/30", "12")(pilot)
        await keys(pilot, "enter")

    snapshot(
        snap_compare,
        make_app(services, home),
        size,
        logged_in(user),
        go("cart"),
        to_step("enter", "enter"),
        errors,
    )


@SIZES
def test_confirm_after_a_decline(
    snap_compare: SnapCompare,
    services: Services,
    home: Path,
    frozen_clock: list[datetime],
    size: tuple[int, int],
) -> None:
    user = shopper(services)

    async def declined(pilot: Pilot[Any]) -> None:
        card(DECLINED_CARD)(pilot)
        await keys(pilot, "enter", "y")
        await settle(pilot)

    snapshot(
        snap_compare,
        make_app(services, home),
        size,
        logged_in(user),
        go("cart"),
        to_step("enter", "enter"),
        declined,
    )
