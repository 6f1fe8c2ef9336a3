"""Payments (issue 15): the gateway interface, the built-in test gateway, the ledger
of charges and refunds, and settling a placed order (`settle`).

`load_gateway` picks the gateway: `BUYNOW_PAYMENT_GATEWAY` unset or `test` is the
built-in test gateway; `package.module:Class` is a provider's class, made with no
arguments (it reads its own keys from the environment).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping

from buynow_tui.config import ConfigError
from buynow_tui.store.payments.gateway import PaymentGateway

GATEWAY_ENV = "BUYNOW_PAYMENT_GATEWAY"


def load_gateway(environ: Mapping[str, str] | None = None) -> PaymentGateway:
    env = os.environ if environ is None else environ
    spec = env.get(GATEWAY_ENV, "").strip() or "test"
    if spec == "test":
        from buynow_tui.store.payments.testgateway import TestGateway

        return TestGateway()
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise ConfigError(f"{GATEWAY_ENV} is `test` or `package.module:Class`, not {spec!r}")
    try:
        made = getattr(importlib.import_module(module_name), class_name)()
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"{GATEWAY_ENV}: cannot load {spec!r}: {error}") from None
    if not isinstance(made, PaymentGateway):
        raise ConfigError(f"{GATEWAY_ENV}: {spec!r} is not a payment gateway")
    return made
