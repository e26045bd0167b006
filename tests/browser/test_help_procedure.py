"""The Message Center help page, followed by its words in real Chromium, in English and
Chinese: Common Settings, the upper-right Manage Contacts, the Modify Contact dialog, Add
Receiver and OK, the verification link from the Mailbox, refresh, check and Save, clearing a
pending receiver, and Modify and Delete in the Action column.

The whole walk runs at 1366 px in both languages; the dialog part also at 900 and 390 px.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ACCOUNTS

CATALOG = Path(__file__).resolve().parents[2] / "web/translations/zh/LC_MESSAGES/messages.po"

# The words a reader follows, as each console shows them.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "common_settings": "Common Settings", "manage_contacts": "Manage Contacts",
        "modify": "Modify", "modify_contact": "Modify Contact", "add_receiver": "Add Receiver",
        "ok": "OK", "save": "Save", "delete": "Delete", "refresh": "Refresh",
        "name": "Name", "email": "Email", "title": "Title", "mailbox": "Mailbox",
        "verified": "Verified", "pending": "Pending",
        "email_verified": "Email address verified",
    },
    "zh": {
        "common_settings": "通用设置", "manage_contacts": "联系人管理",
        "modify": "修改", "modify_contact": "修改联系人", "add_receiver": "添加接收人",
        "ok": "确定", "save": "保存", "delete": "删除", "refresh": "刷新",
        "name": "姓名", "email": "邮件", "title": "职位", "mailbox": "邮箱",
        "verified": "已验证", "pending": "待验证",
        "email_verified": "邮箱地址已验证",
    },
}
ZH_MISSING = pytest.mark.xfail(
    not CATALOG.exists(), strict=True,
    reason="the Chinese console catalog (web/translations/zh) is not on this branch yet")
LANGUAGES = [pytest.param("en", id="en"), pytest.param("zh", id="zh", marks=ZH_MISSING)]


def open_console(browser: Any, width: int) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 860})
    context.set_default_timeout(10_000)
    return context


def sign_in_and_choose(page: Page, url: str, lang: str) -> dict[str, str]:
    """Sign in, then pick the console language with the switch in the page header."""
    page.goto(url + "/signin")
    page.get_by_label("Account ID").fill("acme")
    page.get_by_label("Password").fill(ACCOUNTS["acme"][2])
    page.get_by_role("button", name="Sign In").click()
    if lang != "en":
        page.locator("header").get_by_role("button", name="中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    return WORDS[lang]


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth"
                             " - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls {overflow} px sideways"


def go_common_settings(page: Page, w: dict[str, str]) -> None:
    page.locator("aside").get_by_role("link", name=w["common_settings"], exact=True).click()
    expect(page.get_by_role("heading", level=1, name=w["common_settings"])).to_be_visible()


def open_modify_dialog(page: Page, w: dict[str, str], category: str = "icp_filing") -> Locator:
    """'Click Modify in the Contact column. The Modify Contact dialog box appears.'"""
    row = page.locator(f"#row-{category}")
    row.get_by_role("link", name=w["modify"], exact=True).click()
    dialog = page.get_by_role("dialog", name=re.compile(w["modify_contact"]))
    expect(dialog).to_be_visible()
    return dialog


def add_receiver(scope: Locator | Page, w: dict[str, str], name: str, email: str) -> None:
    scope.get_by_label(w["name"], exact=True).fill(name)
    scope.get_by_label(w["email"], exact=True).fill(email)
    scope.get_by_label(w["title"], exact=True).select_option("Technical Director")
    scope.get_by_role("button", name=w["ok"], exact=True).click()


def receiver_box(dialog: Locator, name: str) -> Locator:
    return dialog.get_by_role("checkbox", name=name, exact=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_help_page_procedure_word_for_word(browser: Any, live: Any, lang: str) -> None:
    context = open_console(browser, 1366)
    page = context.new_page()
    try:
        w = sign_in_and_choose(page, live.url, lang)
        expect(page.get_by_role("heading", level=1, name=w["common_settings"])).to_be_visible()
        no_sideways_scroll(page)

        # "Click Manage Contacts in the upper-right corner" of Common Settings.
        heading = page.get_by_role("heading", level=1, name=w["common_settings"])
        button = page.locator("main").get_by_role("link", name=w["manage_contacts"],
                                                  exact=True)
        box, top = button.bounding_box(), heading.bounding_box()
        assert box is not None
        assert top is not None
        main = page.locator("main").bounding_box()
        assert main is not None
        assert box["x"] + box["width"] > main["x"] + main["width"] * 0.75  # right-hand side
        assert abs((box["y"] + box["height"] / 2) - (top["y"] + top["height"] / 2)) < 24
        button.click()
        expect(page.get_by_role("heading", level=1, name=w["manage_contacts"])).to_be_visible()

        # Add a contact there.
        page.locator("main").get_by_role("link", name=w["add_receiver"], exact=True).click()
        add_receiver(page.locator("main"), w, "Li Lei", "li@acme.example")
        expect(page.locator("tr[data-contact-id]", has_text="Li Lei")).to_contain_text(w["pending"])
        no_sideways_scroll(page)

        # Back to Common Settings: Modify in the Contact column opens the dialog.
        go_common_settings(page, w)
        dialog = open_modify_dialog(page, w)
        expect(dialog.get_by_role("heading", name=w["add_receiver"])).to_be_visible()
        expect(receiver_box(dialog, "Li Lei")).to_be_disabled()  # not verified yet
        add_receiver(dialog, w, "Wang Fang", "wang@acme.example")
        dialog = page.get_by_role("dialog", name=re.compile(w["modify_contact"]))
        expect(dialog).to_be_visible()  # it stays open on the new contact
        expect(dialog.locator("tr", has_text="Wang Fang")).to_contain_text(w["pending"])
        expect(receiver_box(dialog, "Wang Fang")).to_be_disabled()

        # The verification link from the Mailbox.
        live.run_jobs()
        page.keyboard.press("Escape")
        page.locator("aside").get_by_role("link", name=w["mailbox"], exact=True).click()
        page.locator("tr", has_text="wang@acme.example").get_by_role("link").first.click()
        page.get_by_role("link", name=re.compile(r"http.*verify")).click()
        expect(page.get_by_role("heading", name=w["email_verified"])).to_be_visible()

        # Refresh: Wang Fang is verified; check the box and Save.
        go_common_settings(page, w)
        dialog = open_modify_dialog(page, w)
        dialog.get_by_role("button", name=w["refresh"], exact=True).click()
        dialog = page.get_by_role("dialog", name=re.compile(w["modify_contact"]))
        expect(dialog.locator("tr", has_text="Wang Fang")).to_contain_text(w["verified"])
        receiver_box(dialog, "Wang Fang").check()
        dialog.get_by_role("button", name=w["save"], exact=True).click()
        expect(page.locator("#row-icp_filing .receivers")).to_contain_text("Wang Fang")
        no_sideways_scroll(page)

        # Modify in the Action column of Manage Contacts: a new address, verified again.
        page.locator("aside").get_by_role("link", name=w["manage_contacts"], exact=True).click()
        row = page.locator("tr[data-contact-id]", has_text="Wang Fang")
        row.get_by_role("link", name=w["modify"], exact=True).click()
        page.get_by_label(w["email"], exact=True).fill("fang@acme.example")
        page.get_by_role("button", name=w["ok"], exact=True).click()
        expect(page.locator("tr[data-contact-id]", has_text="Wang Fang")).to_contain_text(
            w["pending"])

        # Clear the pending receiver's check box and Save.
        go_common_settings(page, w)
        expect(page.locator("#row-icp_filing .receivers")).to_contain_text("Wang Fang")
        dialog = open_modify_dialog(page, w)
        box_ = receiver_box(dialog, "Wang Fang")
        expect(box_).to_be_checked()
        expect(box_).to_be_enabled()
        box_.uncheck()
        dialog.get_by_role("button", name=w["save"], exact=True).click()
        expect(page.locator("#row-icp_filing .receivers")).not_to_contain_text("Wang Fang")

        # Delete in the Action column.
        page.locator("aside").get_by_role("link", name=w["manage_contacts"], exact=True).click()
        page.locator("tr[data-contact-id]", has_text="Wang Fang").get_by_role(
            "link", name=w["delete"], exact=True).click()
        page.locator("main").get_by_role("button", name=w["delete"], exact=True).click()
        expect(page.locator("main table").first).not_to_contain_text("Wang Fang")
        expect(page.locator("main table").first).to_contain_text("Li Lei")
        no_sideways_scroll(page)
    finally:
        context.close()


@pytest.mark.parametrize("width", [900, 390])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_modify_contact_dialog_at_small_widths(browser: Any, live: Any, lang: str,
                                                   width: int) -> None:
    context = open_console(browser, width)
    page = context.new_page()
    try:
        w = sign_in_and_choose(page, live.url, lang)
        modify = page.locator("#row-icp_filing").get_by_role("link", name=w["modify"],
                                                              exact=True)
        dialog = open_modify_dialog(page, w)
        frame = dialog.bounding_box()
        assert frame is not None
        assert frame["x"] >= 0
        assert frame["x"] + frame["width"] <= width
        # A refused, very long address: the error wraps inside the dialog.
        add_receiver(dialog, w, "Wang Fang", "w" * 200 + "@")
        dialog = page.get_by_role("dialog", name=re.compile(w["modify_contact"]))
        error = dialog.locator(".error")
        expect(error).to_be_visible()
        assert len(error.inner_text()) < 200
        assert dialog.evaluate("d => d.scrollWidth - d.clientWidth") <= 0
        frame = dialog.bounding_box()
        assert frame is not None
        assert frame["x"] + frame["width"] <= width
        add_receiver(dialog, w, "Wang Fang", "wang@acme.example")
        dialog = page.get_by_role("dialog", name=re.compile(w["modify_contact"]))
        expect(dialog.locator("tr", has_text="Wang Fang")).to_contain_text(w["pending"])
        # Escape closes it and focus returns to Modify.
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(modify).to_be_focused()
    finally:
        context.close()
