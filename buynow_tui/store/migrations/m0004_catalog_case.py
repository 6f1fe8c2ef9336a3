"""0004: one category per name and one SKU regardless of case.

Before this, `mobiles` beside `Mobiles` made a second category in the Shop and `T-1`
beside `t-1` two products. Going up, existing data is folded first so the unique index
can be built:

- every category takes the spelling of its oldest product (lowest id) among those that
  differ only in case: the first spelling wins, as it does for new products;
- a SKU that differs only in case from an older product's gets `-DUP<id>` appended
  (cut to fit 64 characters), so no product is lost and the admin can see and rename
  it (`buynow products list`); orders and carts refer to products by id, not SKU.

Then the unique index on lower(sku). Going down drops the index; the folded spellings
stay (they lose nothing).
"""

from __future__ import annotations

_FOLD_CATEGORIES = (
    'UPDATE "product" SET "category" = ('
    'SELECT "first"."category" FROM "product" AS "first" '
    'WHERE lower("first"."category") = lower("product"."category") '
    'ORDER BY "first"."id" LIMIT 1) '
    'WHERE EXISTS (SELECT 1 FROM "product" AS "older" '
    'WHERE lower("older"."category") = lower("product"."category") '
    'AND "older"."id" < "product"."id" AND "older"."category" <> "product"."category")'
)

_RENAME_DUPLICATE_SKUS = (
    'UPDATE "product" SET "sku" = substr("sku", 1, 40) || \'-DUP\' || CAST("id" AS TEXT) '
    'WHERE EXISTS (SELECT 1 FROM "product" AS "older" '
    'WHERE lower("older"."sku") = lower("product"."sku") AND "older"."id" < "product"."id")'
)

_INDEX = 'CREATE UNIQUE INDEX "product_sku_lower" ON "product" (lower("sku"))'


def up(dialect: str) -> list[str]:
    return [_FOLD_CATEGORIES, _RENAME_DUPLICATE_SKUS, _INDEX]


def down(dialect: str) -> list[str]:
    return ['DROP INDEX IF EXISTS "product_sku_lower"']
