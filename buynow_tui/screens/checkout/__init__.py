"""The checkout's steps (issue 15): Cart → Ship to → Delivery → Pay → Confirm.

Each step is a dialog over the Cart, holding one `CheckoutState` that the steps fill
in; `enter` goes on to the next step, `escape` goes back one (from Ship to, back to the
Cart). The Confirm step places the order; its receipt is handed back down the steps
to the Cart, which shows Order placed.
"""

from __future__ import annotations

from buynow_tui.screens.checkout.confirm import CheckoutScreen
from buynow_tui.screens.checkout.state import CheckoutState

__all__ = ["CheckoutScreen", "CheckoutState"]
