"""The shop's own themes, beside Textual's built-in ones.

The stylesheet uses theme variables only, so a theme is the one place colours live.
"""

from __future__ import annotations

from textual.theme import Theme

DEFAULT_THEME = "textual-dark"
HIGH_CONTRAST_THEME = "buynow-high-contrast"

HIGH_CONTRAST = Theme(
    name=HIGH_CONTRAST_THEME,
    primary="#FFD700",
    secondary="#00E5FF",
    accent="#00E5FF",
    warning="#FFD700",
    error="#FF6B6B",
    success="#7CFC00",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1C1C1C",
    boost="#FFFFFF10",
    dark=True,
    luminosity_spread=0.1,
    text_alpha=1.0,
    variables={
        "border": "#FFFFFF",
        "border-blurred": "#9E9E9E",
        "text-muted": "#D0D0D0",
        "footer-key-foreground": "#FFD700",
        "footer-description-foreground": "#FFFFFF",
        "input-selection-background": "#00E5FF 50%",
        "block-cursor-background": "#FFD700",
        "block-cursor-foreground": "#000000",
    },
)

THEMES = (HIGH_CONTRAST,)


def theme_names() -> list[str]:
    """Every theme the shop can show: Textual's own and the shop's."""
    from textual.theme import BUILTIN_THEMES

    return sorted({*BUILTIN_THEMES, *(theme.name for theme in THEMES)})


def check_theme(name: str) -> str:
    """`name` if the shop has that theme, else `ValueError` naming the ones it has."""
    names = theme_names()
    if name not in names:
        raise ValueError(f"unknown theme {name!r}; use one of: {', '.join(names)}")
    return name
