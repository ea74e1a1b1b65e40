"""Contract test: schemathesis generates requests from head office's own OpenAPI document and sends
them to a live head office on loopback, with a terminal's credential (and a channel's key for the order endpoints). Nothing may answer 5xx, and
every answer must match what the document says of it (status, headers, body schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from hq import auth
from hq.orders import channels
from hq.server import serve_in_thread
from models.db import bind
from tests import factories


@pytest.fixture
def live_head_office(tmp_path):
    hq = serve_in_thread(str(tmp_path / "hq.db"))
    with bind(hq.database), hq.database.connection_context():
        factories.product("P1")
        token = auth.add_terminal("STORE1", "T01", create_location=True).enroll_token
        _cred, credential = auth.enroll(token)
        channel_key = channels.add_channel("WEB").key
    yield hq, {"terminal": credential, "channel": channel_key}
    hq.stop()


@pytest.fixture
def head_office_schema(live_head_office):
    hq, _ = live_head_office
    return schemathesis.openapi.from_url(hq.url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("head_office_schema")
CHANNEL_PATHS = ("/v1/orders", "/v1/availability", "/v1/channels/")


@schema.parametrize()
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_head_office_keeps_its_contract(case, live_head_office):
    hq, credentials = live_head_office
    # A case that carries a well-formed bearer header gets the real credential of the door it calls
    # (a channel's key for the order endpoints, a terminal's for sync); one that schemathesis made
    # without it, or with a broken one (to see it refused), is sent as it was made.
    given = (case.headers or {}).get("Authorization", "")
    door = "channel" if case.operation.path.startswith(CHANNEL_PATHS) else "terminal"
    real = {"Authorization": f"Bearer {credentials[door]}"} if given.startswith("Bearer ") else {}
    # An order that reads can still be refused for what the document cannot say (an unknown SKU, a
    # line with neither SKU nor GTIN, a currency without a rate): 422 is the right answer to it.
    excluded = [positive_data_acceptance] if case.operation.path.startswith(CHANNEL_PATHS) else []
    case.call_and_validate(base_url=hq.url, headers=real, excluded_checks=excluded)
