"""The stylesheets parsed once in the fork server, for every session it starts.

A session's app parses every stylesheet it meets (the shop's `app.tcss`, and each
widget class's `DEFAULT_CSS` as the first one of the class mounts) with the theme's
variables: about a fifth of the CPU a session spends before its first frame, the same
work in every session. Textual keeps what it parsed in a cache of each `Stylesheet`'s
own, keyed by the CSS text, where it came from, its tie breaker and scope, and emptied
when the variables change (a new theme).

`warm` (called by the fork server, before it forks) parses every stylesheet of every
widget class imported so far, with the variables of each theme given, and `install`
makes `Stylesheet._parse_rules` look there first, by the same key plus the variables.
A child finds its rules already parsed, in pages it shares with every other session.
A key not there (a theme not warmed, a class imported later) is parsed as before.

Textual never changes parsed rules (`Stylesheet.parse` copies the lists into its own),
so one parse may serve any number of stylesheets. Warming is exact by construction: it
calls the same `_parse_rules` the app calls, through `DOMNode._get_default_css`, for
each class with each of its bases' tie breakers, so a session's keys match whatever
order its widgets mount in.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from textual._path import _css_path_type_as_list
from textual.app import App
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation
from textual.dom import DOMNode
from textual.theme import Theme

ParseKey = tuple[str, CSSLocation, bool, int, str]
#: Parsed rules by the theme's variables (sorted items), then by Textual's own key.
_shared: dict[tuple[tuple[str, str], ...], dict[ParseKey, list[RuleSet]]] = {}
_original: Callable[..., list[RuleSet]] | None = None


def install() -> None:
    """Make every `Stylesheet` in this process look in the shared parses first."""
    global _original
    if _original is not None:
        return
    _original = Stylesheet._parse_rules
    original = _original

    def _parse_rules(
        self: Stylesheet,
        css: str,
        read_from: CSSLocation,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        known = _known_for(self)
        if known is not None:
            rules = known.get((css, read_from, is_default_rules, tie_breaker, scope))
            if rules is not None:
                return rules
        return original(self, css, read_from, is_default_rules, tie_breaker, scope)

    Stylesheet._parse_rules = _parse_rules  # type: ignore[method-assign]


def uninstall() -> None:
    """Textual's own parsing again, and the shared parses dropped (for tests)."""
    global _original
    if _original is not None:
        Stylesheet._parse_rules = _original  # type: ignore[method-assign]
        _original = None
    _shared.clear()


def _known_for(sheet: Stylesheet) -> dict[ParseKey, list[RuleSet]] | None:
    """The shared parses for `sheet`'s variables now (looked up once per variables)."""
    variables = sheet._variables
    seen: tuple[dict[str, str], dict[ParseKey, list[RuleSet]] | None] | None
    seen = getattr(sheet, "_buynow_shared", None)
    if seen is None or seen[0] is not variables:
        seen = (variables, _shared.get(_variables_key(variables)))
        sheet._buynow_shared = seen  # type: ignore[attr-defined]
    return seen[1]


def _variables_key(variables: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(variables.items()))


def theme_variables(app_class: type[App[Any]], theme: Theme) -> dict[str, str]:
    """The CSS variables an app of `app_class` has under `theme` (`App.get_css_variables`,
    without an app: the theme's colour system, its own variables, the class's defaults)."""
    variables = {**theme.to_color_system().generate(), **theme.variables}
    defaults = app_class.get_theme_variable_defaults(SimpleNamespace())  # type: ignore[arg-type]
    return {**defaults, **variables}


def warm(app_class: type[App[Any]], themes: Iterable[Theme]) -> int:
    """Parse, with each theme's variables, the app's CSS files and the default CSS of
    every widget class imported now (each with the tie breaker of each class it can be
    mounted through); install the lookup. The number of stylesheets parsed."""
    install()
    sources = list(_sources(app_class))
    parsed = 0
    for theme in themes:
        variables = theme_variables(app_class, theme)
        sheet = Stylesheet(variables=variables)
        known = _shared.setdefault(_variables_key(variables), {})
        for key in sources:
            if key in known:
                continue
            css, read_from, is_default, tie_breaker, scope = key
            assert _original is not None
            known[key] = _original(sheet, css, read_from, is_default, tie_breaker, scope)
            parsed += 1
    return parsed


def _sources(app_class: type[App[Any]]) -> Iterator[ParseKey]:
    """Every (css, location, is_default, tie_breaker, scope) an app may parse."""
    folder = Path(inspect.getfile(app_class)).parent
    css_path = app_class.CSS_PATH
    for path in _css_path_type_as_list(css_path) if css_path is not None else []:
        resolved = os.path.abspath((folder / path).resolve())  # as `App` and `read` do
        yield (Path(resolved).read_text(encoding="utf-8"), (resolved, ""), False, 0, "")
    for node_class in _node_classes(DOMNode):
        node = SimpleNamespace(_node_bases=DOMNode._css_bases(node_class))
        for read_from, css, tie_breaker, scope in DOMNode._get_default_css(node):  # type: ignore[arg-type]
            yield (css, read_from, True, tie_breaker, scope)


def _node_classes(base: type[DOMNode]) -> Iterator[type[DOMNode]]:
    seen: set[type[DOMNode]] = set()
    stack = [base]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        stack.extend(cls.__subclasses__())
