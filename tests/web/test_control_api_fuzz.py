"""The control API fuzzed from its own OpenAPI document: no request gets a 5xx.

Schemathesis makes the requests from the document the app serves; hypothesis runs a
fixed budget of examples (derandomized, so every run tries the same requests).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notify.system import build_system
from web.app import create_app
from workflow.config import Config

TOKEN = "fuzz-admin-token"
EXAMPLES = 150


@pytest.fixture(scope="module")
def control_app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("fuzz")
    config = Config(instance_path=instance, secret_key="test", admin_token=TOKEN,
                    database_url=f"sqlite:///{instance / 'icpsim.db'}",
                    smtp_url="smtp://127.0.0.1:9")  # nothing listens: emails just wait
    system = build_system(config, create_tables=True)
    system.accounts.create("fuzz", owner_name="Fuzz Owner", owner_email="fuzz@fuzz.example")
    yield create_app(system=system)
    system.close()


def test_the_document_lists_every_operation(control_app):
    schema = schemathesis.openapi.from_wsgi("/_icpsim/openapi.json", control_app)
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert len(labels) == 12
    assert "POST /_icpsim/v1/clock/advance" in labels


def test_no_generated_request_gets_a_server_error(control_app):
    schema = schemathesis.openapi.from_wsgi("/_icpsim/openapi.json", control_app)
    cases = st.one_of([result.ok().as_strategy() for result in schema.get_all_operations()])
    seen: set[str] = set()

    @given(case=cases)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        token = TOKEN if len(seen) % 5 else "not-the-token"
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        seen.add(case.operation.label)
        assert response.status_code < 500, (case.method, case.formatted_path,
                                             case.body, response.text)
        content_type = {k.lower(): v for k, v in response.headers.items()}["content-type"]
        assert "application/json" in str(content_type)

    run()
    assert len(seen) >= 10  # the budget reached (nearly) every operation
