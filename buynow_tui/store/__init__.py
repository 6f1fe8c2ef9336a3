"""The data layer: models, migrations and services. It never imports Textual.

`views`, `errors` and `validation` are plain Python (no peewee) so screens may use
them for types, formatting and live form checks; everything that touches the
database is reached through `buynow_tui.store.services.Services`.
"""
