"""The delivery log says why in plain words: the SMTP reply, or a reason, never an exception."""

from __future__ import annotations

import re

from tests.web.conftest import text
from web.delivery_reasons import plain_reason


def _deliveries(owner) -> str:
    page = text(owner.get("/filings/acme/F1"))
    return page[page.index('id="deliveries"'):]


def _submit(owner) -> None:
    owner.post("/filings/new", {"filing_id": "F1", "type": "first_filing",
                                "domain": "acme.cn", "website": "Acme Shop"})
    page = text(owner.get("/filings/acme/F1"))
    version = re.search(r'name="expected_version" type="hidden" value="(\d+)"', page).group(1)
    owner.post("/filings/acme/F1/fire", {"trigger": "submit", "expected_version": version})


def test_a_mail_server_that_is_down_is_said_in_plain_words(owner, system, mail_sink):
    mail_sink.set_mode("down")
    _submit(owner)
    system.run_due()
    section = _deliveries(owner)
    assert "The server refused the connection: it may be down." in section
    assert "Error" not in section  # no ConnectionRefusedError, no errno
    assert "Errno" not in section
    owner.post("/language/zh", {"next": "/filings/"})
    assert "服务器拒绝连接" in _deliveries(owner)


def test_a_refusal_by_the_mail_server_shows_its_reply(owner, system, mail_sink):
    mail_sink.set_mode("reject", code=550)
    _submit(owner)
    system.run_due()
    assert re.search(r"The mail server replied: 550 \S", _deliveries(owner))


def test_exception_names_become_reasons_and_replies_stay_as_given():
    assert plain_reason("SMTPServerDisconnected: Connection unexpectedly closed") == \
        "The mail server closed the connection before the message was accepted."
    assert plain_reason("timeout: ReadTimeout", "zh") == "服务器未及时响应。"
    assert plain_reason("HTTP 502: bad gateway", channel="webhook") == \
        "The server replied: HTTP 502: bad gateway"
    assert plain_reason("SomethingNewError: boom") == "The connection to the server failed."
    assert plain_reason("contact is pending verification", "zh") == "联系人尚未验证邮箱地址。"
