"""Schemathesis against our OpenAPI schema, for every public route: no 5xx, every response matches the schema."""

from __future__ import annotations

import re

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from schemathesis import checks  # noqa: E402

PUBLIC = re.compile(r"^/(api/(chat|chat/stream|search|procedures|procedures/\{code\}|feedback|stats/public)|healthz|readyz)$")
EXAMPLES = 25
# every check except 'positive data acceptance': we refuse some schema-valid input on purpose
# (control characters, text with no letters), with a documented 422
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance, checks.response_schema_conformance]


def test_public_routes_never_fail_and_match_the_schema(client):
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    public = [op for op in operations if PUBLIC.match(op.path)]
    assert len(public) >= 9, [op.path for op in public]
    cases_run = 0
    for operation in public:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case) -> None:
            nonlocal cases_run
            cases_run += 1
            case.call_and_validate(checks=CHECKS)

        check()
    assert cases_run >= len(public) * 5
    print(f"schemathesis: {cases_run} cases over {len(public)} operations")
