"""Which columns each kind of import reads, under which names (forgiving: case, spaces, aliases)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .reading import ImportFileError

PRODUCTS, PRICES, STOCK, CUSTOMERS = "products", "prices", "stock", "customers"
KINDS = (PRODUCTS, PRICES, STOCK, CUSTOMERS)

# Columns the import itself writes (the `reason` of a rejected-rows file): read back silently.
OWN_COLUMNS = frozenset({"reason"})


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


_SKU = Column("sku", ("item", "item_code", "item_no", "article", "article_no", "product_code", "商品编码",
                      "货号", "编码"), required=True)

SPECS: dict[str, tuple[Column, ...]] = {
    PRODUCTS: (
        _SKU,
        Column("name", ("product_name", "description", "name_en", "品名", "名称", "商品名称"), required=True),
        Column("name_zh", ("chinese_name", "name_cn", "中文名", "中文名称")),
        Column("category", ("group", "department", "category_en", "类别", "分类")),
        Column("category_zh", ("category_cn", "chinese_category", "中文类别", "中文分类")),
        Column("unit", ("uom", "单位")),
        Column("unit_precision", ("precision", "decimals", "小数位")),
        Column("barcode", ("barcodes", "ean", "gtin", "upc", "条码", "条形码")),
        Column("pack_barcode", ("case_barcode", "carton_barcode", "箱条码")),
        Column("pack_qty", ("pack_quantity", "case_qty", "pack_size", "箱规")),
        Column("weight_priced", ("by_weight", "weighed", "称重")),
        Column("track_lot", ("lot_tracked", "batch_tracked")),
        Column("track_serial", ("serial_tracked",)),
        Column("track_expiry", ("expiry_tracked",)),
        Column("tax_rate", ("tax", "vat", "vat_rate", "税率")),
        Column("active", ("enabled",)),
    ),
    PRICES: (
        _SKU,
        Column("price", ("amount", "unit_price", "retail_price", "sales_price", "售价", "价格", "单价"),
               required=True),
        Column("currency", ("cur", "ccy", "币种")),
        Column("valid_from", ("from", "start", "start_date", "effective", "effective_from", "生效日期")),
    ),
    STOCK: (
        Column("location", ("store", "warehouse", "site", "门店", "仓库")),
        _SKU,
        Column("quantity", ("qty", "on_hand", "onhand", "stock", "count", "数量", "库存")),
        Column("bin", ("shelf", "slot", "bin_location", "库位", "货位")),
        Column("lot", ("batch", "lot_no", "batch_no", "批号", "批次")),
    ),
    CUSTOMERS: (
        Column("code", ("customer", "customer_code", "customer_no", "customer_id", "member_no", "客户编码",
                        "会员号"), required=True),
        Column("name", ("customer_name", "full_name", "客户名称", "姓名"), required=True),
        Column("email", ("e_mail", "mail", "邮箱")),
        Column("phone", ("tel", "telephone", "mobile", "手机", "电话")),
        Column("segment", ("group", "tier", "level", "等级", "分组")),
    ),
}


def normalize(name: str) -> str:
    """`  Unit Precision ` and `unit-precision` are both `unit_precision`."""
    text = name.replace("\ufeff", "").replace("\u200b", "").strip().lower()
    return re.sub(r"[\s_\-./]+", "_", text).strip("_")


def _lookup(kind: str) -> dict[str, str]:
    table = {}
    for column in SPECS[kind]:
        for alias in (column.name, *column.aliases):
            table[normalize(alias)] = column.name
    return table


def canonical(kind: str):
    """Header name -> the column it means (or its normalised form if the import does not read it)."""
    known = _lookup(kind)
    return lambda name: known.get(normalize(name), normalize(name))


def recognizer(kind: str):
    known = _lookup(kind)
    return lambda name: normalize(name) in known or normalize(name) in OWN_COLUMNS


@dataclass(frozen=True)
class HeaderMap:
    index: dict[str, int]  # column name -> position in the row
    ignored: list[str]  # header names the import does not read

    def has(self, name: str) -> bool:
        return name in self.index


def map_header(kind: str, header: list[str], line: int) -> HeaderMap:
    known = _lookup(kind)
    index: dict[str, int] = {}
    ignored = []
    for position, raw in enumerate(header):
        key = normalize(raw)
        column = known.get(key)
        if column is None:
            if key and key not in OWN_COLUMNS:
                ignored.append(raw.strip())
            continue
        if column in index:
            first = header[index[column]].strip()
            raise ImportFileError(f"columns {first!r} and {raw.strip()!r} both mean {column!r}; keep one.", line)
        index[column] = position
    missing = [c for c in SPECS[kind] if c.required and c.name not in index]
    if missing:
        accepted = "; ".join(f"{c.name} (or {', '.join(c.aliases[:4])})" for c in missing)
        found = ", ".join(h.strip() for h in header if h.strip())
        raise ImportFileError(f"missing required column(s): {accepted}. The header has: {found}.", line)
    return HeaderMap(index=index, ignored=ignored)
