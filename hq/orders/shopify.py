"""Shopify's `orders/create` webhook as an order document.

Shopify signs each webhook with the app's secret: `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256
of the raw body. The body is verified before it is read as JSON, in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

PAYMENT = {"paid": "captured", "partially_refunded": "captured", "pending": "pending", "partially_paid": "pending",
           "authorized": "authorized", "refunded": "refunded", "voided": "voided"}


def verify(secret: str, body: bytes, signature: str) -> bool:
    if not secret or not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature.strip())


def sign(secret: str, body: bytes) -> str:
    """What Shopify would send for `body` (tests and `counter hq` examples)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def order_document(payload: dict) -> dict:
    """The order document (hq/orders/document.py) for a Shopify order; read it with `read_document`."""
    customer = payload.get("customer") or {}
    address = payload.get("shipping_address") or {}
    name = " ".join(p for p in (_text(customer.get("first_name")), _text(customer.get("last_name"))) if p)
    shipping = (payload.get("shipping_lines") or [{}])[0] or {}
    service = "express" if "express" in (_text(shipping.get("code")) + _text(shipping.get("title"))).lower() \
        else "standard"
    ship_to = {"name": _text(address.get("name")), "street": _text(address.get("address1")),
               "street2": _text(address.get("address2")), "city": _text(address.get("city")),
               "postcode": _text(address.get("zip")), "country": _text(address.get("country_code")).upper(),
               "phone": _text(address.get("phone"))}
    for ours, theirs in (("lat", "latitude"), ("lon", "longitude")):
        if address.get(theirs) is not None:
            ship_to[ours] = address[theirs]
    return {
        "channel_order_id": _text(payload.get("id")),
        "currency": _text(payload.get("currency")).upper(),
        "placed_at": payload.get("created_at"),
        "payment_status": PAYMENT.get(_text(payload.get("financial_status")), "pending"),
        "service_level": service,
        "customer": {"name": name or ship_to["name"], "email": _text(payload.get("email") or customer.get("email")),
                     "phone": _text(payload.get("phone") or customer.get("phone"))},
        "ship_to": {k: v for k, v in ship_to.items() if v not in ("", None)},
        "lines": [{"sku": _text(item.get("sku")), "quantity": str(item.get("quantity")),
                   "unit_price": _text(item.get("price"))} for item in payload.get("line_items") or []],
    }
