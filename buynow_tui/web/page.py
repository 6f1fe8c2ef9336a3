"""The HTML the browser gets, and the headers every response carries.

One page holds the terminal (`shop.js` draws it with the vendored xterm.js); short
pages say, in words, why there is no shop ("busy", "not allowed", "too long"). No
inline script or style anywhere: the Content-Security-Policy allows scripts, styles,
fonts and images only from this server, and connections only back to it. xterm.js
adds `<style>` elements as it lays the terminal out; `shop.js` gives each one the
response's nonce (`style-src 'nonce-…'`), so those, and nothing injected, apply.
"""

from __future__ import annotations

import secrets
from html import escape

from buynow_tui.navigation import UNKNOWN_PAGE
from buynow_tui.web.config import PublicUrl

SHOP_NAME = "BuyNow"
MSG_BUSY = "BuyNow is busy right now; please try again in a minute."
MSG_NOSCRIPT = (
    "BuyNow runs in your browser with JavaScript, which is turned off here. "
    "Turn it on for this site and reload the page."
)

_TITLES = {
    "shop": "Shop",
    "cart": "Cart",
    "wishlist": "Wishlist",
    "orders": "Orders",
    "account": "Account",
    "about": "About",
    "product": "Product",
    "order": "Order",
    UNKNOWN_PAGE: "Not found",
}


def title_for(page: str | None) -> str:
    """The browser tab's title for a page from `navigation.page_for_url`."""
    if page is None:
        return SHOP_NAME
    name, _, item = page.partition("/")
    words = _TITLES.get(name, "Not found")
    return f"{words} {item} · {SHOP_NAME}" if item else f"{words} · {SHOP_NAME}"


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


def content_security_policy(public: PublicUrl, nonce: str) -> str:
    """What the page may load and where it may connect: this server, nothing else."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            "font-src 'self'",
            "img-src 'self'",
            f"connect-src 'self' {public.websocket_origin}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
            "report-uri /csp-report",
        ]
    )


def security_headers(public: PublicUrl, nonce: str) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(public, nonce),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
        "Server": SHOP_NAME,
    }
    if public.secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def _head(title: str, nonce: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="buynow-style-nonce" content="{escape(nonce)}">
<title>{escape(title)}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/xterm/xterm.css">
<link rel="stylesheet" href="/static/shop.css">
"""


def _header() -> str:
    return (
        f'<header class="bar"><span class="name">{SHOP_NAME}</span>'
        '<span class="tagline">electronics, in your terminal and here</span></header>\n'
    )


def shop_page(title: str, nonce: str) -> str:
    """The page with the terminal; `shop.js` connects it (the page's own path says which
    screen opens, checked again by the server)."""
    return (
        _head(title, nonce)
        + '<script src="/static/xterm/xterm.js"></script>\n'
        + '<script src="/static/xterm/addon-fit.js"></script>\n'
        + '<script src="/static/xterm/addon-unicode11.js"></script>\n'
        + '<script src="/static/shop.js" defer></script>\n'
        + "</head>\n<body>\n"
        + _header()
        + f'<noscript><p class="notice" id="noscript">{escape(MSG_NOSCRIPT)}</p></noscript>\n'
        + '<main id="terminal" aria-label="The BuyNow shop"></main>\n'
        + '<section id="ended" class="ended" hidden aria-live="assertive">\n'
        + '<h1 id="ended-title">Session ended</h1>\n'
        + '<p id="ended-detail">The shop closed. Reload to start again.</p>\n'
        + '<p><button type="button" id="reload">Reload</button></p>\n'
        + "</section>\n</body>\n</html>\n"
    )


def message_page(title: str, heading: str, detail: str, nonce: str) -> str:
    """A short page that says in words why there is no shop here."""
    return (
        _head(f"{title} · {SHOP_NAME}", nonce)
        + "</head>\n<body>\n"
        + _header()
        + '<section class="ended" id="message">\n'
        + f'<h1 id="message-title">{escape(heading)}</h1>\n'
        + f'<p id="message-detail">{escape(detail)}</p>\n'
        + '<p><a href="/" id="home">Go to the Shop</a></p>\n'
        + "</section>\n</body>\n</html>\n"
    )


#: Every error the server itself answers with, in words: (title, heading, detail).
ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("Bad request", "That request could not be read.", "Open the shop from its address."),
    403: (
        "Not allowed",
        "This connection is not allowed.",
        "The shop's terminal connects only from the shop's own page.",
    ),
    404: ("Not found", "There is nothing here.", "The shop is at the top of this site."),
    405: (
        "Not allowed",
        "This address only shows pages.",
        "The shop takes nothing sent to it except from its own terminal.",
    ),
    413: ("Too large", "That request is too large.", "The shop takes only small requests."),
    414: ("Too long", "That address is too long.", "Shop addresses are short: /cart, /product/12."),
    429: ("Busy", MSG_BUSY, "Too many connections came from your address at once."),
    431: ("Too large", "That request's headers are too large.", "Try again without them."),
    500: (
        "Something went wrong",
        "Something went wrong on the shop's side.",
        "It has been logged. Please try again in a minute.",
    ),
    503: ("Busy", MSG_BUSY, "Every place in the shop is taken for the moment."),
}


def error_page(status: int, nonce: str) -> str:
    title, heading, detail = ERRORS.get(status, ERRORS[400] if status < 500 else ERRORS[500])
    return message_page(title, heading, detail, nonce)
