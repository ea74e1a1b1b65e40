"""A category and a location have a Chinese name beside the English one; it travels with the
catalogue and the locations, and Chinese screens show it (English where none is given)."""

from __future__ import annotations

from models.catalog import Product, product_by_sku
from models.lookup import categories
from models.places import Location
from sync.catalogue import apply_products
from sync.local import upsert_locations
from sync.wire import location_doc, product_docs
from tests import factories as f
from tui.widgets.stock_format import unit_label


def test_category_and_location_names_in_chinese_travel_and_show(store):
    f.product("TEA1", category="Tea", category_zh="茶叶")
    f.product("TEA2", category="Tea", category_zh="茶叶")
    f.product("SOAP", category="Household")
    assert categories() == [("Household", ""), ("Tea", "茶叶")]
    tea = product_by_sku("TEA1")
    assert (tea.display_category("zh_CN"), tea.display_category("en")) == ("茶叶", "Tea")
    assert product_by_sku("SOAP").display_category("zh_CN") == "Household"  # none given: the English

    docs = product_docs(["TEA1"])
    shop = Location.create(code="STORE2", name="Second Street", name_zh="第二街店")
    place = location_doc(shop)
    assert docs[0]["category_zh"] == "茶叶" and place["name_zh"] == "第二街店"
    # A terminal applying them gets both names.
    Product.update(category_zh="").where(Product.sku == "TEA1").execute()
    Location.update(name_zh="").where(Location.code == "STORE2").execute()
    apply_products([{**docs[0], "updated_at": "2030-01-01T00:00:00+00:00"}])
    upsert_locations([place])
    assert product_by_sku("TEA1").category_zh == "茶叶"
    assert Location.get(Location.code == "STORE2").display_name("zh_CN") == "第二街店"


def test_units_are_written_in_the_screen_language():
    from tui import i18n

    i18n.set_language("zh_CN")
    try:
        assert (unit_label("pcs"), unit_label("kg"), unit_label("box")) == ("件", "公斤", "box")
    finally:
        i18n.set_language("en")
    assert unit_label("pcs") == "pcs"
