"""The console in Chinese: the Chinese console's own words, state names, flashes, no English."""

from __future__ import annotations

import re

from tests.web.conftest import text


def _visible(page: str) -> str:
    """The words a reader sees: the body without tags, scripts or the language switch."""
    body = page.split("<body>", 1)[1]
    body = re.sub(r'<form method="post" class="langswitch".*?</form>', "", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_common_settings_in_chinese_uses_the_chinese_consoles_words(owner):
    owner.post("/language/zh", {"next": "/settings/"})
    page = _visible(text(owner.get("/settings/")))
    for word in ("通用设置", "联系人管理", "站内信", "修改", "保存", "邮件"):
        assert word in page
    for word in ("Common Settings", "Manage Contacts", "Internal Messages", "Modify", "Save"):
        assert word not in page


def test_a_filing_in_chinese_names_its_state_type_and_actions(owner):
    owner.post("/filings/new", {"filing_id": "F1", "type": "first_filing",
                                "domain": "acme.cn", "website": "Acme"})
    owner.post("/language/zh", {"next": "/filings/"})
    page = _visible(text(owner.get("/filings/acme/F1")).split('id="actions"')[0])
    assert "草稿" in page  # the state, not "draft"
    assert "首次备案" in page  # the filing type, not "first_filing"
    assert "draft" not in page
    assert "first_filing" not in page
    actions = text(owner.get("/filings/acme/F1")).split('id="actions"')[1].split("</section>")[0]
    assert ">提交</button>" in actions  # Submit


def test_flashes_follow_the_console_language(owner):
    owner.post("/language/zh", {"next": "/filings/"})
    response = owner.post("/filings/new", {"filing_id": "F2", "type": "first_filing",
                                           "domain": "acme.cn", "website": "Acme"},
                          follow_redirects=True)
    assert "备案 F2 已创建为草稿。" in text(response)


def test_contact_titles_are_shown_by_their_chinese_names_and_kept_as_values(owner, system):
    owner.post("/contacts/new", {"name": "Wang Fang", "email": "wang@acme.example",
                                 "title": "Technical Director"})
    owner.post("/language/zh", {"next": "/contacts/"})
    page = text(owner.get("/contacts/"))
    assert "技术负责人" in _visible(page)
    assert "Technical Director" not in _visible(page)
    assert '<option value="Technical Director">技术负责人</option>' in text(
        owner.get("/contacts/new"))
    assert system.contacts.list("acme")[0].title == "Technical Director"
