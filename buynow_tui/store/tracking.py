"""Carriers, tracking numbers and tracking URLs: what shipping an order records.

A tracking number is 4 to 40 letters, digits and dashes (spaces are dropped and
letters upper-cased, as carriers print them: `1z 999 aa1` is `1Z999AA1`). The carrier
is 1 to 20 letters, digits, spaces, dots or dashes. For the carriers in `CARRIERS`
(ups, fedex, usps, dhl, in any case) the tracking URL is built from the number unless
one is given; any other carrier has the URL given, or none.

A URL is `http://` or `https://`, at most `MAX_URL` characters and nothing but
printable ASCII without spaces: short enough that its QR code (version 5 at low error
correction) fits an 80x24 terminal, and plain enough that it is shown as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from buynow_tui.store.errors import ValidationError

#: The longest tracking URL kept: its QR code is at most 37 modules (version 5-L).
MAX_URL = 100

#: Known carriers: their display name and the tracking page for a number.
CARRIERS: dict[str, tuple[str, str]] = {
    "ups": ("UPS", "https://www.ups.com/track?tracknum={number}"),
    "fedex": ("FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}"),
    "usps": ("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
    "dhl": ("DHL", "https://www.dhl.com/en/express/tracking.html?AWB={number}"),
}

_NUMBER = re.compile(r"^[A-Z0-9-]{4,40}$")
_CARRIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .-]{0,19}$")
_URL_CHARS = re.compile(r"^[!-~]+$")  # printable ASCII, no space


@dataclass(frozen=True)
class Tracking:
    """What a shipment records: the carrier as shown, the number, and a URL or None."""

    carrier: str
    number: str
    url: str | None

    @property
    def note(self) -> str:
        """The event's note: `UPS 1Z999AA10123456784`."""
        return f"{self.carrier} {self.number}"


def check_number(number: str) -> str:
    cleaned = "".join(number.split()).upper()
    if not cleaned:
        raise ValidationError("The tracking number is empty.", field="tracking")
    if not _NUMBER.match(cleaned):
        raise ValidationError(
            "A tracking number is 4 to 40 letters, digits and dashes.", field="tracking"
        )
    return cleaned


def check_carrier(carrier: str) -> str:
    name = " ".join(carrier.split())
    if not name:
        raise ValidationError("The carrier is empty.", field="carrier")
    known = CARRIERS.get(name.lower())
    if known is not None:
        return known[0]
    if not _CARRIER.match(name):
        raise ValidationError(
            "A carrier is 1 to 20 letters, digits, spaces, dots or dashes.", field="carrier"
        )
    return name


def check_url(url: str) -> str:
    url = url.strip()
    if not url or not _URL_CHARS.match(url):
        raise ValidationError("A tracking URL is printable ASCII with no spaces.", field="url")
    if len(url) > MAX_URL:
        raise ValidationError(
            f"A tracking URL is at most {MAX_URL} characters (its QR code must fit a terminal).",
            field="url",
        )
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError("A tracking URL starts with https:// or http://.", field="url")
    return url


def carrier_url(carrier: str, number: str) -> str | None:
    """The tracking page of a known carrier for `number` (already checked); else None."""
    known = CARRIERS.get(carrier.lower())
    return known[1].format(number=quote(number, safe="-")) if known else None


def tracking(carrier: str, number: str, url: str | None = None) -> Tracking:
    """Check what an admin typed; the URL given, or a known carrier's, or None."""
    name = check_carrier(carrier)
    cleaned = check_number(number)
    link = check_url(url) if url is not None and url.strip() else carrier_url(name, cleaned)
    return Tracking(name, cleaned, link)
