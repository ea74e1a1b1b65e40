"""Fuzzing the doors: arbitrary JSON in every field of every endpoint's request. Head office never
answers 5xx, and a request it refuses (or an item it rejects) changes nothing."""

from __future__ import annotations

import copy
import json

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.wire import API
from tests.sync.test_hostile import digest, event, order, shop  # noqa: F401 - shop is a fixture

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
    | st.sampled_from(["NaN", "1e30", "-1", "0.0001", "9999-12-31T00:00:00", "\x00", "STORE2", "T09", "", " "]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)

TEMPLATES = {
    "stock_event": lambda: event(),
    "order": lambda: order(),
    "transfer": lambda: {"number": "TR-9", "source": "STORE1", "destination": "WH1", "status": "sent",
                         "lines": [{"sku": "P1", "quantity": "1"}]},
    "product": lambda: {"sku": "NEW9", "name": "New", "barcodes": [{"code": "00000000000017"}],
                        "prices": [{"amount": "1.00", "currency": "EUR"}]},
}


def paths(doc: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix] if prefix else []
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            out += paths(value, (*prefix, index))
    return out


def replaced(doc: dict, path: tuple, value: object) -> dict:
    doc = copy.deepcopy(doc)
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return doc


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def test_any_json_in_any_field_of_a_pushed_item(shop):  # noqa: F811
    hq, client = shop

    @SETTINGS
    @given(kind=st.sampled_from(sorted(TEMPLATES)), data=st.data(), value=JSON)
    def push(kind: str, data: st.DataObject, value: object) -> None:
        item = {"kind": kind, "ref": "fuzz", "payload": TEMPLATES[kind]()}
        path = data.draw(st.sampled_from(paths(item)))
        item = replaced(item, path, value)
        before = digest(hq)
        response = client.post(f"{API}/push", content=json.dumps({"items": [item]}),
                               headers={"Content-Type": "application/json"})
        assert response.status_code < 500, (path, value, response.text[:300])
        if response.status_code != 200 or response.json()["rejected"]:
            assert digest(hq) == before, (path, value)

    push()


def test_any_json_as_a_push_body_enrolment_or_query(shop):  # noqa: F811
    hq, client = shop

    @SETTINGS
    @given(body=JSON, text=st.text(max_size=30))
    def requests(body: object, text: str) -> None:
        before = digest(hq)
        answers = [
            client.post(f"{API}/push", content=json.dumps(body), headers={"Content-Type": "application/json"}),
            client.post(f"{API}/push", content=json.dumps({"items": body}), headers={"Content-Type": "application/json"}),
            client.post(f"{API}/enroll", content=json.dumps({"token": body})),
            client.get(f"{API}/pull", params={"cursor": text}),
            client.get(f"{API}/pull", params={"limit": text}),
            client.post(f"{API}/push", params={"pull_cursor": text}, json={"items": []}),
        ]
        for response in answers:
            assert response.status_code < 500, (body, text, response.request.url, response.text[:300])
        if not any(r.status_code == 200 and r.request.url.path.endswith("/push") and r.json()["accepted"]
                   for r in answers):
            assert digest(hq) == before

    requests()


def test_unauthenticated_requests_never_reach_the_database(shop):  # noqa: F811
    hq, _ = shop
    with httpx.Client(base_url=hq.url, timeout=30) as stranger:
        before = digest(hq)
        for headers in ({}, {"Authorization": "Bearer x"}, {"Authorization": "Basic eDp5"},
                        {"Authorization": "Bearer " + "a" * 5000}):
            response = stranger.post(f"{API}/push", json={"items": [{"kind": "stock_event", "ref": "x",
                                                                      "payload": event()}]}, headers=headers)
            assert response.status_code == 401
        assert digest(hq) == before
