"""Version 2 scenario files: new actions and checks are validated like the old ones, and
a failing sms/webhooks check says what the servers received."""

from __future__ import annotations

import io
import textwrap

import pytest

from scenarios.cli import run_command

HEADER = """\
name: v2
start: 2026-03-02T09:00:00+08:00
accounts:
  - id: acme
    owner: {name: Zhang Wei, email: owner@acme.example}
steps:
"""


def run(tmp_path, steps: str) -> tuple[int, str]:
    path = tmp_path / "s.yaml"
    path.write_text(HEADER + textwrap.dedent(steps), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = run_command([str(path)], report="text", junit=None, out=out, err=err)
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize(("step", "says"), [
    ("- add_webhook: {name: x, type: teams}", "type"),
    ("- set_receive_hours: {category: icp_filing, hours: [9, nine]}", "hours"),
    ("- set_limit: {category: icp_filing, channel: fax, per_day: 3}", "channel"),
    ("- sms_gateway: {mode: sideways}", "mode"),
    ("- expect:\n    webhooks: {webhook: x}", "count"),
    ("- expect:\n    sms: {count: 1, kind: other}", "kind"),
])
def test_bad_version_2_steps_are_refused_before_anything_runs(tmp_path, step, says):
    code, text = run(tmp_path, step + "\n")
    assert code == 2
    assert says in text


def test_a_failing_sms_check_shows_what_the_gateway_received(tmp_path):
    code, text = run(tmp_path, """\
        - add_contact: {name: Li Lei, email: li@acme.example, title: CEO, mobile: "13800138000"}
        - expect:
            sms: {to: "13800138000", kind: verification, count: 2}
        """)
    assert code == 1
    assert "1 matching; the gateway received: 13800138000:" in text


def test_version_1_files_still_run_unchanged(tmp_path):
    code, _ = run(tmp_path, """\
        - set_channels: {category: icp_filing, channels: [email]}
        - create_filing: {id: F1, type: first_filing, domain: acme.cn, website: Acme}
        - fire: {filing: F1, trigger: submit}
        - expect:
            emails: {to: owner@acme.example, count: 1}
            channels: {category: icp_filing, channels: [email]}
        """)
    assert code == 0
