"""Schemathesis against the running server's own OpenAPI, signed in as an admin (every route
reachable). None may answer 5xx, and every error must be in the spec's format
{"error": {"code", "message"}}. Three passes over every operation:

1. the cases schemathesis generates from the schema (a bounded number per operation);
2. a grid: one generated case cut to its required fields, then each declared field (body
   property, query or path parameter) in turn set to each of EXTREME_VALUES: numbers past
   Decimal's range as text and as raw JSON literals (1e999999999), integers past 64 bits,
   other notations (1_000, full-width digits), times outside the calendar in UTC or years
   away, and strings that are not Unicode text (lone surrogates, sent as JSON's `\ud800`
   escape, and NUL). The schema declares decimals as strings, so schemathesis alone never
   sends these; the other fields keep their generated values, so an extreme value meets the
   code past validation (the year-9999 clock did);
3. random: a few fields of a generated case set to arbitrary Unicode (every code point),
   huge exponents and integers (Hypothesis).

About 6,200 requests over 107 operations, some 55 s on a quiet machine. Left out of the
first pass: the manual clock (a random jump would expire the very token the run uses),
logging out everywhere and changing the password (they end that session). The others take
the clock and the password change too: with an extreme field they cannot succeed. Logging
out everywhere has no field to make extreme."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .conftest import DATABASES, Admin, Server, module_server


@pytest.fixture(scope="module", params=DATABASES)
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Any:
    """This module's server on SQLite, then on PostgreSQL."""
    yield from module_server(tmp_path_factory, request, request.param)


EXAMPLES = 8
RANDOM_EXTREME_EXAMPLES = 10
SKIPPED = ("/api/v1/admin/clock", "/api/v1/auth/logout-all", "/api/v1/auth/password")
EXTREME_SKIPPED = ("/api/v1/auth/logout-all",)

# Each of these goes into every declared field of every operation (the grid pass).
EXTREME_VALUES: list[Any] = [
    # numbers past Decimal's context, as text and as raw JSON literals (see as_json)
    "1e999999999",
    "-1E1000000",
    "1e-999999999",
    "0e999999999",
    "1e400",
    "9" * 400,
    Decimal("1e999999999"),
    Decimal("-1E1000000"),
    Decimal("1e-999999999"),
    # integers past 64 bits, and other notations
    2**64,
    -(2**63) - 1,
    10**30,
    "1_000",
    "\uff15",
    " 5",
    "NaN",
    "-Infinity",
    # times outside the calendar in UTC, or years away
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+01:00",
    # strings that are not Unicode text
    "\ud800",
    "a\udfffb",
    "x\x00y",
    ["\udc00"],
]
# Every code point, surrogates and NUL included (Hypothesis leaves out surrogates unless
# told otherwise), for the random pass.
ANY_VALUE = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=12),
    st.from_regex(r"-?[0-9]{1,3}(\.[0-9]{1,3})?[eE][+-]?[0-9]{6,10}", fullmatch=True),
    st.integers(min_value=2**63, max_value=2**80) | st.integers(max_value=-(2**63) - 1),
    st.sampled_from(EXTREME_VALUES),
)

Place = tuple[str, str]  # ("body", property), ("query", name) or ("path", name)


@pytest.fixture(scope="module")
def signed_in(server: Server, admin_name: str) -> dict[str, str]:
    admin = Admin(server, admin_name, "")
    return {"Authorization": f"Bearer {admin.access_token}"}


def check(response: httpx.Response, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, (what, body)
        assert isinstance(body["error"].get("code"), str), (what, body)
        assert body["error"].get("message"), (what, body)


def as_json(body: Any) -> bytes:
    """JSON with Decimals written as raw number literals (json.dumps has no way to) and every
    lone surrogate as its `\\uXXXX` escape (ensure_ascii)."""
    literals: dict[str, str] = {}

    def placeholder(value: Any) -> str:
        if isinstance(value, Decimal):
            key = f"@@{len(literals)}@@"
            literals[f'"{key}"'] = str(value)
            return key
        raise TypeError(f"{value!r} is not JSON")

    text = json.dumps(body, default=placeholder)
    for key, literal in literals.items():
        text = text.replace(key, literal)
    return text.encode()


@dataclass
class Request:
    """A request as parts, so any value can go anywhere (schemathesis' own call would refuse
    to encode a lone surrogate)."""

    method: str
    path: str  # the template: /api/v1/orders/{order_id}
    path_parameters: dict[str, Any]
    query: dict[str, Any]
    body: dict[str, Any] | None

    def with_value(self, place: Place, value: Any) -> Request:
        where, name = place
        changed = replace(
            self,
            path_parameters=dict(self.path_parameters),
            query=dict(self.query),
            body=dict(self.body or {}),
        )
        {"path": changed.path_parameters, "query": changed.query, "body": changed.body}[where][
            name
        ] = value
        return changed

    def send(self, client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
        path = self.path
        for name, value in self.path_parameters.items():
            text = quote(str(value), safe="", errors="surrogatepass")
            path = path.replace(f"{{{name}}}", text)
        query = urlencode(
            {
                name: value if isinstance(value, list) else str(value)
                for name, value in self.query.items()
            },
            doseq=True,
            errors="surrogatepass",
        )
        return client.request(
            self.method,
            f"{path}?{query}" if query else path,
            content=None if self.body is None else as_json(self.body),
            headers={**headers, "content-type": "application/json"},
        )

    def __str__(self) -> str:
        return ascii((self.method, self.path, self.path_parameters, self.query, self.body))


@dataclass
class Declared:
    """What the OpenAPI document declares of an operation's input."""

    places: list[Place]
    required: set[Place]

    @classmethod
    def of(cls, document: dict[str, Any], operation: Any) -> Declared:
        definition = document["paths"][operation.path][operation.method.lower()]
        parameters = [p for p in definition.get("parameters", []) if p["in"] in ("query", "path")]
        places: list[Place] = [(p["in"], p["name"]) for p in parameters]
        required = {(p["in"], p["name"]) for p in parameters if p.get("required")}
        content = definition.get("requestBody", {}).get("content", {})
        body = content.get("application/json", {}).get("schema", {})
        if "$ref" in body:
            body = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        places += [("body", name) for name in body.get("properties", {})]
        required |= {("body", name) for name in body.get("required", [])}
        return cls(places, required)


def base_request(case: Any, declared: Declared) -> Request:
    """The generated case with only its required values: an extreme value in one field then
    meets the code past validation, not a complaint about another field."""
    body = case.body if isinstance(case.body, dict) else None
    keep = declared.required
    return Request(
        method=case.method,
        path=case.operation.path,
        path_parameters=dict(case.path_parameters or {}),
        query={k: v for k, v in (case.query or {}).items() if ("query", k) in keep},
        body=None if body is None else {k: v for k, v in body.items() if ("body", k) in keep},
    )


def run(strategy: Any, examples: int, test: Any) -> None:
    # No shrinking: a failing grid would be sent again and again; the message says it all.
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def generated(case: Any) -> None:
        test(case)

    generated()


def test_no_server_errors_and_every_error_in_the_spec_format(
    server: Server, signed_in: dict[str, str]
) -> None:
    schema = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len([op for op in operations if op.path not in SKIPPED]) >= 40
    failures: list[str] = []
    # No keep-alive: a server that dies or drops the connection on one request must not
    # turn the next into a transport error.
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=server.base_url, timeout=5, limits=no_reuse) as client:

        def sent(request: Request) -> None:
            check(request.send(client, signed_in), str(request))

        for operation in operations:
            label = f"{operation.method.upper()} {operation.path}"
            declared = Declared.of(schema.raw_schema, operation)

            def as_generated(case: Any, label: str = label) -> None:
                check(case.call(base_url=server.base_url, headers=signed_in), label)

            def every_extreme_value(case: Any, declared: Declared = declared) -> None:
                base = base_request(case, declared)
                for place in declared.places:
                    for value in EXTREME_VALUES:
                        sent(base.with_value(place, value))

            def random_extremes(
                data: Any, declared: Declared = declared, op: Any = operation
            ) -> None:
                base = base_request(data.draw(op.as_strategy()), declared)
                chosen = data.draw(
                    st.lists(st.sampled_from(declared.places), min_size=1, max_size=3, unique=True)
                )
                for place in chosen:
                    base = base.with_value(place, data.draw(ANY_VALUE))
                sent(base)

            passes = []
            if operation.path not in SKIPPED:
                passes.append((operation.as_strategy(), EXAMPLES, as_generated))
            if operation.path not in EXTREME_SKIPPED and declared.places:
                passes.append((operation.as_strategy(), 1, every_extreme_value))
                passes.append((st.data(), RANDOM_EXTREME_EXAMPLES, random_extremes))
            for strategy, examples, test in passes:
                try:
                    run(strategy, examples, test)
                except Exception as failure:  # noted; the other operations still run
                    failures.append(f"{label}: {failure!r}"[:2000])
    assert failures == [], "\n".join(failures)
    assert server.process.poll() is None, "the server died"
