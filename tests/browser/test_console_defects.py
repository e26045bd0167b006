"""Console defects that need a browser: unsaved rows of Common Settings, and Delete in
Internal Messages asking first (script's confirm(); the page without script is in tests/web)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ACCOUNTS
from tests.browser.test_console import sign_in


def test_unsaved_rows_are_marked_and_leaving_asks_first(live: Any, pages: dict[str, Any]) -> None:
    page = pages["open"]("owner")
    sign_in(page, live.url, "acme", ACCOUNTS["acme"][2])
    note = page.locator("#unsaved-note")
    expect(note).to_be_hidden()
    page.locator("#row-icp_filing").get_by_label("Internal Messages").uncheck()
    expect(note).to_be_visible()
    expect(page.locator("#row-icp_filing")).to_have_class("unsaved")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.locator("#row-promotions").get_by_role("button", name="Save").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    expect(page.locator("#row-icp_filing").get_by_label("Internal Messages")).not_to_be_checked()
    # Saving the changed row itself asks nothing.
    page.locator("#row-icp_filing").get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Saved the channels")
    assert asked == ["beforeunload"]
    expect(page.locator("#unsaved-note")).to_be_hidden()


def test_delete_in_internal_messages_asks_before_deleting(live: Any,
                                                          pages: dict[str, Any]) -> None:
    system = live.system
    system.filings.create("acme", "F1", type="first_filing", domain="acme.cn",
                          website="Acme", actor="acme")
    system.filings.fire("acme", "F1", "submit", None, actor="acme")
    live.run_jobs()
    page = pages["open"]("owner")
    sign_in(page, live.url, "acme", ACCOUNTS["acme"][2])
    page.goto(live.url + "/messages/")
    rows = page.locator("tr[data-message-id]")
    expect(rows).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.dismiss())
    rows.first.get_by_role("button", name="Delete").click()
    page.wait_for_timeout(300)
    expect(rows).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    rows.first.get_by_role("button", name="Delete").click()
    expect(page.locator(".flash")).to_contain_text("deleted")
    expect(rows).to_have_count(0)
