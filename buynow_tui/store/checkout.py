"""The shopper's checkout (issue 15): ship to a saved address, by a delivery option,
paid by card through the gateway, with a receipt.

`CheckoutService.place` checks the card (memory only), copies the chosen address onto
the order, and hands `OrderService.checkout` a `PaymentPlan`: the stock is reserved
and the order written in one transaction, then charged (`payments.settle`). On success
the receipt is queued for mail (when `BUYNOW_SMTP_URL` is set) and returned; a decline
raises `PaymentDeclined` with the order cancelled, its stock and the cart as they were.
"""

from __future__ import annotations

from buynow_tui.clock import Clock, system_clock
from buynow_tui.config import Settings
from buynow_tui.logs import get_logger
from buynow_tui.store import delivery
from buynow_tui.store.addresses import AddressService, format_address
from buynow_tui.store.cards import CardEntry, SavedCards, check_card
from buynow_tui.store.checkout_views import DeliveryQuote, Receipt
from buynow_tui.store.lifecycle import By, Lifecycle, Moved
from buynow_tui.store.orders import OrderService
from buynow_tui.store.outbox import MailSender, enqueue
from buynow_tui.store.payments.gateway import PaymentGateway
from buynow_tui.store.payments.settle import PaymentPlan, prepare, sweep_stranded
from buynow_tui.store.receipts import load_receipt, receipt_text
from buynow_tui.store.views import Confirmation

log = get_logger("checkout")


class CheckoutService:
    def __init__(
        self,
        settings: Settings,
        orders: OrderService,
        addresses: AddressService,
        cards: SavedCards,
        gateway: PaymentGateway,
        lifecycle: Lifecycle | None = None,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self.settings = settings
        self.orders = orders
        self.addresses = addresses
        self.cards = cards
        self.gateway = gateway
        self.lifecycle = (
            lifecycle
            if lifecycle is not None
            else Lifecycle(orders.logins, clock=clock, gateway=gateway)
        )
        self.clock = clock
        self.mail = MailSender(settings, clock)

    def delivery_quotes(self, subtotal_cents: int) -> list[DeliveryQuote]:
        return delivery.quotes(self.settings, subtotal_cents)

    def ship_to_text(self, user_id: int, address_id: int) -> str:
        """The copy of the address an order of this shopper's would keep."""
        return format_address(self.addresses.get(user_id, address_id))

    def place(
        self,
        user_id: int,
        *,
        address_id: int,
        delivery_option: str = delivery.STANDARD,
        card: CardEntry | None = None,
        saved_card: int | None = None,
        save_card: bool = False,
        checkout_key: str | None = None,
        expected: Confirmation | None = None,
    ) -> Receipt:
        """Reserve, order, charge: the receipt of the paid order, or a refusal in words
        (a card field's problem, `CartChanged`, `OutOfStock`, `PaymentDeclined`)."""
        delivery.check_option(delivery_option)
        checked = (
            check_card(card, self.clock()) if card is not None and saved_card is None else None
        )
        ship_to = self.ship_to_text(user_id, address_id)
        plan = prepare(
            PaymentPlan(
                self.gateway,
                delivery_option=delivery_option,
                card=checked,
                saved_card=saved_card,
                save_card=save_card and checked is not None,
            ),
            user_id,
            self.cards,
        )
        order = self.orders.checkout(
            user_id,
            ship_address=ship_to,
            checkout_key=checkout_key,
            expected=expected,
            payment=plan,
        )
        receipt = load_receipt(order.id, user_id)
        if self.settings.smtp_url:
            self.queue_receipt(receipt)
        return receipt

    def queue_receipt(self, receipt: Receipt) -> None:
        enqueue(
            f"receipt-{receipt.order_id}",
            receipt.email,
            f"Your BuyNow receipt: order #{receipt.number}",
            receipt_text(receipt),
            self.clock,
        )
        self.mail.kick()

    def receipt(self, order_id: int, user_id: int | None = None) -> Receipt:
        return load_receipt(order_id, user_id)

    def refund(self, order_id: int, reason: str | None = None, *, by: By | None = None) -> Moved:
        """Refund an order, whole, through the lifecycle: the money goes back through the
        gateway when it was charged (`Moved.refund_cents`)."""
        return self.lifecycle.refund(order_id, reason, by=by)

    def sweep(self) -> list[int]:
        """Cancel orders stranded unpaid (see `payments.settle.sweep_stranded`), and send
        the refunds still waiting for the gateway."""
        return sweep_stranded(self.gateway, self.settings, self.clock, self.orders.logins)

    def housekeeping(self) -> tuple[list[int], int]:
        """What `buynow serve` runs every minute: the sweep, then the mail that is due."""
        from buynow_tui.store.outbox import deliver_due

        cancelled = self.sweep()
        sent, _ = deliver_due(self.settings, self.clock)
        return cancelled, sent
