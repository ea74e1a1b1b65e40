"""Errors in one shape: RFC 9457 problem details (`application/problem+json`).

Every refusal head office sends says `type`, `title`, `status` and `detail` (what is wrong and what
to do), plus `errors` (field and reason) when the request did not read, and the `server_time` every
answer carries. Nothing of the request is echoed beyond a short excerpt.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import Response

from sync.wire import dumps

PROBLEM_JSON = "application/problem+json"
TYPES = "https://counter-oms.org/problems/"


class FieldProblem(BaseModel):
    field: str = Field(description="Where in the request, e.g. body.items.3.payload.quantity or query.cursor.")
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="A URI naming the kind of problem.", examples=[TYPES + "unauthorized"])
    title: str = Field(examples=["Unauthorized"])
    status: int = Field(examples=[401])
    detail: str = Field(examples=["Unknown or revoked terminal credential: enrol the terminal again."])
    errors: list[FieldProblem] = Field(default_factory=list)
    server_time: str | None = None


def problem(status: int, detail: str, errors: list[dict] | None = None, server_time: str | None = None) -> dict:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {"type": TYPES + phrase.lower().replace(" ", "-").replace("'", ""), "title": phrase,
                            "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    if server_time:
        body["server_time"] = server_time
    return body


def problem_response(status: int, detail: str, *, errors: list[dict] | None = None, server_time: str | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(problem(status, detail, errors, server_time)), status_code=status,
                    media_type=PROBLEM_JSON, headers=headers)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of an endpoint: each status it may refuse with, as a Problem."""
    return {status: {"model": Problem, "description": HTTPStatus(status).phrase,
                     "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for status in statuses}
