"""One screen per module. Screens never import peewee: they call `app.services`."""
