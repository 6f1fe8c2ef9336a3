"""A shopper's addresses: several, one the default; add, edit, remove, pick at checkout.

Every field has its rule (`check_*` below, which the forms run live too) and its
message names the field. The first address a shopper adds is their default; making
another the default takes the mark from the old one in the same transaction, and
removing the default passes it to the oldest address left, so a shopper with addresses
always has exactly one default. Each write checks the session's login and locks the
user's row (`Logins.check(exclusive=True)`), so two sessions changing one shopper's
addresses take turns on PostgreSQL as they do on SQLite.

An order keeps its own copy (`format_address`), so editing or removing an address
never changes where a past order went.
"""

from __future__ import annotations

from buynow_tui.clock import Clock, system_clock
from buynow_tui.logs import get_logger
from buynow_tui.store.address_rules import (  # re-exported: the rules live there
    MAX_ADDRESSES as MAX_ADDRESSES,
)
from buynow_tui.store.address_rules import (
    RULES as RULES,
)
from buynow_tui.store.address_rules import (
    check_city as check_city,
)
from buynow_tui.store.address_rules import (
    check_country as check_country,
)
from buynow_tui.store.address_rules import (
    check_fields as check_fields,
)
from buynow_tui.store.address_rules import (
    check_line1 as check_line1,
)
from buynow_tui.store.address_rules import (
    check_line2 as check_line2,
)
from buynow_tui.store.address_rules import (
    check_name as check_name,
)
from buynow_tui.store.address_rules import (
    check_phone as check_phone,
)
from buynow_tui.store.address_rules import (
    check_postal_code as check_postal_code,
)
from buynow_tui.store.address_rules import (
    check_region as check_region,
)
from buynow_tui.store.address_rules import (
    format_address as format_address,
)
from buynow_tui.store.address_rules import (
    problems as problems,
)
from buynow_tui.store.checkout_models import Address
from buynow_tui.store.checkout_views import AddressFields, AddressView
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import NotFound, ValidationError
from buynow_tui.store.logins import Logins

log = get_logger("addresses")


def _view(row: Address) -> AddressView:
    return AddressView(
        id=row.id,
        name=row.name,
        line1=row.line1,
        line2=row.line2,
        city=row.city,
        region=row.region,
        postal_code=row.postal_code,
        country=row.country,
        phone=row.phone,
        is_default=bool(row.is_default),
    )


class AddressService:
    def __init__(self, logins: Logins | None = None, *, clock: Clock = system_clock) -> None:
        self.logins = logins if logins is not None else Logins()
        self.clock = clock

    def list(self, user_id: int) -> list[AddressView]:
        """The shopper's addresses, the default first, then oldest first."""
        with connection():
            rows = (
                Address.select()
                .where(Address.user == user_id)
                .order_by(Address.is_default.desc(), Address.id)
            )
            return [_view(row) for row in rows]

    def get(self, user_id: int, address_id: int) -> AddressView:
        with connection():
            return _view(self._own(user_id, address_id))

    def default(self, user_id: int) -> AddressView | None:
        found = self.list(user_id)
        return found[0] if found and found[0].is_default else None

    def add(
        self, user_id: int, fields: AddressFields, *, make_default: bool = False
    ) -> AddressView:
        cleaned = check_fields(fields)
        with write():
            self.logins.check(user_id, exclusive=True)
            count = Address.select().where(Address.user == user_id).count()
            if count >= MAX_ADDRESSES:
                raise ValidationError(
                    f"You can keep at most {MAX_ADDRESSES} addresses; remove one first."
                )
            default = make_default or count == 0
            if default:
                self._clear_default(user_id)
            row = Address.create(
                user=user_id,
                is_default=default,
                created_at=self.clock(),
                **cleaned.__dict__,
            )
            view = _view(row)
        log.info("address %d added for account %d", view.id, user_id)
        return view

    def update(
        self, user_id: int, address_id: int, fields: AddressFields, *, make_default: bool = False
    ) -> AddressView:
        cleaned = check_fields(fields)
        with write():
            self.logins.check(user_id, exclusive=True)
            self._own(user_id, address_id)
            if make_default:
                self._clear_default(user_id)
            changes: dict[str, object] = dict(cleaned.__dict__)
            if make_default:
                changes["is_default"] = True
            Address.update(**changes).where(Address.id == address_id).execute()
            view = _view(self._own(user_id, address_id))
        log.info("address %d changed for account %d", address_id, user_id)
        return view

    def set_default(self, user_id: int, address_id: int) -> AddressView:
        with write():
            self.logins.check(user_id, exclusive=True)
            self._own(user_id, address_id)
            self._clear_default(user_id)
            Address.update(is_default=True).where(Address.id == address_id).execute()
            return _view(self._own(user_id, address_id))

    def remove(self, user_id: int, address_id: int) -> None:
        """Remove one; if it was the default, the oldest one left becomes the default."""
        with write():
            self.logins.check(user_id, exclusive=True)
            row = self._own(user_id, address_id)
            Address.delete().where(Address.id == address_id).execute()
            if row.is_default:
                oldest = (
                    Address.select(Address.id)
                    .where(Address.user == user_id)
                    .order_by(Address.id)
                    .first()
                )
                if oldest is not None:
                    Address.update(is_default=True).where(Address.id == oldest.id).execute()
        log.info("address %d removed for account %d", address_id, user_id)

    # -- inside a transaction -----------------------------------------------------------
    def _own(self, user_id: int, address_id: int) -> Address:
        row = Address.get_or_none((Address.id == address_id) & (Address.user == user_id))
        if row is None:
            raise NotFound("That address is not in your address book.", field="address")
        return row

    def _clear_default(self, user_id: int) -> None:
        Address.update(is_default=False).where(
            (Address.user == user_id) & (Address.is_default == True)  # noqa: E712
        ).execute()
