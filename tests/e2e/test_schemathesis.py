"""Schemathesis against the running server's own OpenAPI: a bounded number of generated
requests per operation, signed in as an admin (every route reachable). None may answer 5xx,
and every error must be in the spec's format {"error": {"code", "message"}}.

Left out of the generation: the manual clock (a random jump would expire the very token the
run uses), logging out everywhere and changing the password (they end that session)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .conftest import Admin, Server

EXAMPLES = 8
SKIPPED = ("/api/v1/admin/clock", "/api/v1/auth/logout-all", "/api/v1/auth/password")


@pytest.fixture(scope="module")
def signed_in(server: Server, admin_name: str) -> dict[str, str]:
    admin = Admin(server, admin_name, "")
    return {"Authorization": f"Bearer {admin.access_token}"}


def check(case: Any, server: Server, headers: dict[str, str]) -> None:
    response = case.call(base_url=server.base_url, headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert isinstance(body["error"].get("code"), str), body
        assert body["error"].get("message"), body


def test_no_server_errors_and_every_error_in_the_spec_format(
    server: Server, signed_in: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    tried = [op for op in operations if op.path not in SKIPPED]
    assert len(tried) >= 40, [op.path for op in tried]
    failures = []
    for operation in tried:

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=operation.as_strategy())
        def generated(case: Any) -> None:
            check(case, server, signed_in)

        try:
            generated()
        except AssertionError as failure:
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    assert failures == []
