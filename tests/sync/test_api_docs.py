"""Head office's API documents itself without the internet, and says how a terminal authenticates."""

from __future__ import annotations

import re

import httpx


def test_docs_load_every_asset_from_head_office_itself(hq):
    page = httpx.get(hq.url + "/docs", timeout=10)
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert assets, page.text
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by head office"
        assert httpx.get(hq.url + asset, timeout=10).status_code == 200, asset
    assert "swagger-ui-bundle.js" in page.text


def test_the_openapi_document_declares_the_terminal_bearer_credential(hq):
    spec = httpx.get(hq.url + "/openapi.json", timeout=10).json()
    assert spec["components"]["securitySchemes"]["terminal"] == {
        "type": "http", "scheme": "bearer", "description": "The terminal's credential, from POST /v1/enroll."}
    for path, method in (("/v1/push", "post"), ("/v1/pull", "get")):
        assert spec["paths"][path][method]["security"] == [{"terminal": []}]
    assert "security" not in spec["paths"]["/v1/enroll"]["post"]
    assert httpx.get(hq.url + "/v1/pull", timeout=10).status_code == 401
