"""`pip install .` (not editable) must ship every package of the shop: a package missing
from pyproject's list installs a shop that crashes at its first checkout."""

from __future__ import annotations

import tomllib

from tests.support.repo import ROOT


def test_every_package_of_the_shop_is_in_the_install_list() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "buynow_tui").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found - listed == set(), "packages missing from [tool.setuptools] packages"
    assert "buynow_tui.data" in listed  # the catalog and its pictures, from data/
