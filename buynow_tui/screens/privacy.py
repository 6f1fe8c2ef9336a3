"""Privacy policy: what the shop keeps, why, and for how long. Accept from here too."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Markdown

from buynow_tui.messages import ConsentAccepted
from buynow_tui.screens.base import BaseScreen

POLICY = """\
# Privacy policy

BuyNow is a shop in your terminal. This is everything it keeps about you.

## Your account

Your **email** (to log you in), your **username** (to greet you), your **password** and
the **answer to your security question** — both only as bcrypt hashes, never as you
typed them; the answer is trimmed and lower-cased first. The **addresses** in your
address book (name, street, city, region, postcode, country, phone) and which is your
default. When you joined, and when you accepted this policy. The theme you chose.

## Your orders, cart and wishlist

What you put in your cart and wishlist, and every order you place: its lines (name,
quantity and price at the time), its total, its delivery, the address it ships to and
what happened to it (paid, shipped, delivered, cancelled, refunded). Orders are kept
for the shop's accounts. A receipt mailed to you waits in the shop's outbox until it
is sent.

## Cards

Your card number and security code are never stored: they go to the payment
provider, which answers with a token. For each payment the shop keeps the card's
brand and last four digits and the provider's answer; a card you save keeps its
token, brand, last four digits and expiry. Remove it from Account at any time.

## Remember me

Only if you tick **Remember me** when logging in. In your own terminal, a random login
token is saved in a file only you can read in the shop's config folder; over SSH, the
login is bound to your SSH key instead; in a browser, to a random id in a cookie only
this shop's pages send (it also remembers that this browser accepted this notice). The
shop stores only a hash of the token or id, with its expiry: 30 days. Logging out
revokes it; changing or resetting your password revokes all of them.

## Logs

The shop's log files record events such as logging in, failed attempts and errors,
with your username. They never contain a password, an answer or a token.

## What the shop does not do

No tracking, no advertising, no sharing with anyone. To have your account removed,
ask the shop's admin.
"""


class PrivacyScreen(BaseScreen):
    SCREEN_TITLE = "Privacy policy"
    OFFERS_CONSENT = True

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="policy"):
            yield Markdown(POLICY, id="policy-text")
        with Horizontal(id="policy-accept", classes="form-buttons"):
            yield Button("Accept the policy (ctrl+y)", id="accept-policy", variant="primary")

    def on_mount(self) -> None:
        self.watch(self.app, "consent_needed", self._show_accept)
        self.query_one("#policy", VerticalScroll).focus()

    def _show_accept(self, needed: bool) -> None:
        self.query_one("#policy-accept").display = needed

    @on(Button.Pressed, "#accept-policy")
    def _accept(self) -> None:
        self.post_message(ConsentAccepted())
