"""BuyNow's tests: a package, so that every helper is imported under one name
(`tests.support.*`); the fixtures are in `tests/conftest.py`."""
