"""JUnit XML stays well-formed whatever the text; `deliveries` counts by kind like `emails`."""

from __future__ import annotations

import xml.etree.ElementTree as ET

CONTACT = """\
  - add_contact: {name: Li Lei, email: lilei@acme.example, title: CEO}
  - create_filing: {id: F1, type: first_filing, domain: acme.cn, website: Acme Shop}
  - fire: {filing: F1, trigger: submit}
"""


def test_junit_is_well_formed_with_control_characters_in_every_text(write, icpsim_run,
                                                                     tmp_path):
    path = write(raw="""\
        name: "bell \\a escape \\e nul \\0 end"
        description: "start of heading \\x01 here"
        start: 2026-03-02T09:00:00+08:00
        accounts:
          - id: acme
            owner: {name: Zhang Wei, email: owner@acme.example}
        steps:
          - create_filing: {id: F1, type: first_filing, domain: acme.cn, website: "Shop \\x02"}
            expect_error: invalid_data
          - fire: {filing: F1, trigger: submit, reason: "why \\x03"}
        """)
    junit = tmp_path / "junit.xml"
    result = icpsim_run(path, junit=junit)
    assert result.code == 1
    root = ET.parse(junit).getroot()  # raises on malformed XML
    (case,) = root.iter("testcase")
    assert case.get("name") == "bell \\x07 escape \\x1b nul \\x00 end"
    out = case.find("system-out")
    assert out is not None
    assert "start of heading \\x01 here" in (out.text or "")
    failure = case.find("failure")
    assert failure is not None


def test_deliveries_count_notifications_unless_verification_is_asked_for(write, icpsim_run):
    path = write(CONTACT + """\
  - expect:
      deliveries:
        - {to: lilei@acme.example, count: 0}
        - {to: lilei@acme.example, kind: verification, count: 1}
        - {to: owner@acme.example, count: 1}
        - {to: owner@acme.example, kind: notification, count: 1}
        - {kind: verification, count: 1}
        - {count: 2}
""")
    result = icpsim_run(path)
    assert result.code == 0, result.out


def test_a_verification_email_is_no_notification_delivery(write, icpsim_run):
    path = write(CONTACT + """\
  - expect:
      deliveries: {to: lilei@acme.example, count: 1}
""")
    result = icpsim_run(path)
    assert result.code == 1
    assert "expected: deliveries {to: lilei@acme.example, count: 1}" in result.out
    assert "found:    0 matching" in result.out


def test_deliveries_kind_must_be_notification_or_verification(write, icpsim_run):
    path = write("  - expect:\n      deliveries: {kind: reminder, count: 0}\n")
    result = icpsim_run(path)
    assert result.code == 2
    assert f"{path}:8: " in result.err
    assert "field 'kind': expected one of notification, verification" in result.err
