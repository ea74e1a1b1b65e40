"""The order management rules head office runs, as pure functions over plain data.

* `lifecycle`: the order header's states, each allocation's states, the legal moves between them,
  and the status an order shows (derived from its lines, never stored on its own).
* `review`: the hold rules an operator configures, evaluated against an order's facts.
* `brokering`: which locations fulfil which lines, by ranked rules.
* `availability`: available-to-promise from on hand, reservations, safety stock and buffers.

No table and no transaction lives here (head office's tables and the transactions that use these
rules are in `hq/orders/`): every rule is tested with plain values, without a database or HTTP.
"""
