"""The console procedure in real headless Chromium, as a new user would follow it."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import ACCOUNTS, REVIEWER_PASSWORD


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Account ID").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def press(page: Page, button: str, **fields: str) -> None:
    """Fill an action's data and press its button on the filing page."""
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".flash")).to_contain_text(button)


def test_message_center_and_filing_procedure(live: Any, pages: dict[str, Any]) -> None:
    owner = pages["open"]("owner")
    sign_in(owner, live.url, "acme", ACCOUNTS["acme"][2])

    # Common Settings: ICP filing notifications by Email only.
    expect(owner.get_by_role("heading", name="Common Settings")).to_be_visible()
    row = owner.locator("#row-icp_filing")
    row.get_by_label("Internal Messages").uncheck()
    row.get_by_role("button", name="Save").click()
    expect(owner.locator(".flash")).to_contain_text("Saved the channels")
    expect(owner.locator("#row-icp_filing").get_by_label("Email")).to_be_checked()
    expect(owner.locator("#row-icp_filing").get_by_label("Internal Messages")).not_to_be_checked()

    # Modify > the Modify Contact dialog > Add Receiver.
    owner.locator("#row-icp_filing").get_by_role("link", name="Modify").click()
    dialog = owner.get_by_role("dialog", name=re.compile("Modify Contact"))
    expect(dialog).to_be_visible()
    dialog.get_by_label("Name").fill("Wang Fang")
    dialog.get_by_label("Email").fill("wang@acme.example")
    dialog.get_by_label("Title").select_option("Technical Director")
    dialog.get_by_role("button", name="OK").click()
    expect(owner.locator(".flash")).to_contain_text("verification email is being sent")
    checkbox = dialog.get_by_role("checkbox", name="Wang Fang")
    expect(checkbox).to_be_disabled()
    expect(dialog.get_by_text("Cannot be selected until the email address is verified")) \
        .to_be_visible()
    modify_url = owner.url

    # The verification email arrives in the Mailbox; its link verifies the contact.
    live.run_jobs()
    owner.keyboard.press("Escape")
    owner.get_by_role("link", name="Mailbox").click()
    owner.get_by_role("link", name=re.compile("[Vv]erif")).first.click()
    owner.get_by_role("link", name=re.compile(r"http.*verify")).click()
    expect(owner.get_by_role("heading", name="Email address verified")).to_be_visible()

    # Back to the dialog and Refresh: verified, can be checked and saved.
    owner.goto(modify_url)
    dialog.get_by_role("button", name="Refresh").click()
    row = dialog.locator("tr", has_text="Wang Fang")
    expect(row).to_contain_text("Verified")
    dialog.get_by_role("checkbox", name="Wang Fang").check()
    dialog.get_by_role("button", name="Save").click()
    expect(owner.locator(".flash")).to_contain_text("Saved the receivers")
    expect(owner.locator("#row-icp_filing .receivers")).to_contain_text("Wang Fang")

    # A filing: the owner creates and submits it (Email only: no internal message).
    owner.get_by_role("link", name="Filings").click()
    owner.get_by_role("link", name="Create Filing").click()
    owner.get_by_label("Order ID").fill("ICP-2026-001")
    owner.get_by_label("Domain").fill("acme.cn")
    owner.get_by_label("Website name").fill("Acme Shop")
    owner.get_by_role("button", name="OK").click()
    expect(owner.get_by_test_id("state")).to_have_text("Draft")
    press(owner, "Submit")
    live.run_jobs()
    owner.reload()
    expect(owner.get_by_test_id("unread-badge")).to_have_count(0)

    # Internal Messages back on for the rest of the lifecycle.
    owner.get_by_role("link", name="Common Settings").click()
    owner.locator("#row-icp_filing").get_by_label("Internal Messages").check()
    owner.locator("#row-icp_filing").get_by_role("button", name="Save").click()
    expect(owner.locator(".flash")).to_contain_text("Saved the channels")

    # The reviewer reviews; the owner answers the SMS; the reviewer approves.
    reviewer = pages["open"]("reviewer")
    sign_in(reviewer, live.url, "reviewer", REVIEWER_PASSWORD)
    reviewer.get_by_role("link", name="ICP-2026-001").click()
    press(reviewer, "Start Review")
    press(reviewer, "Pass Review")
    owner.goto(f"{live.url}/filings/acme/ICP-2026-001")
    expect(owner.get_by_test_id("state")).to_have_text("SMS verification")
    press(owner, "Verify SMS")
    reviewer.reload()
    press(reviewer, "Approve", **{"ICP number": "京ICP备2026000001号-1"})
    expect(reviewer.locator('g.state.current[data-state="approved"]')).to_have_count(1)
    live.run_jobs()

    # The owner sees the unread badge, opens the message, and finds the email.
    owner.reload()
    badge = owner.get_by_test_id("unread-badge")
    expect(badge).to_be_visible()
    unread = int(badge.inner_text())
    assert unread >= 1
    expect(owner.locator("#deliveries")).to_contain_text("Sent")
    owner.get_by_role("link", name=re.compile("^Messages")).click()
    expect(owner.get_by_role("heading", name="Internal Messages")).to_be_visible()
    owner.locator("tr.unread a").first.click()
    expect(owner.locator("pre.mail")).to_contain_text("ICP-2026-001")
    if unread == 1:
        expect(owner.get_by_test_id("unread-badge")).to_have_count(0)
    else:
        expect(owner.get_by_test_id("unread-badge")).to_have_text(str(unread - 1))
    owner.get_by_role("link", name="Mailbox").click()
    emails = owner.locator("tbody tr", has_text="owner@acme.example")
    expect(emails.first).to_be_visible()
    assert emails.count() >= 2  # submit (Email only) and later events
    expect(owner.locator("tbody tr", has_text="wang@acme.example").first).to_be_visible()


def test_refusals_are_shown_next_to_the_field_in_the_browser(live: Any,
                                                            pages: dict[str, Any]) -> None:
    owner = pages["open"]("owner")
    sign_in(owner, live.url, "acme", ACCOUNTS["acme"][2])
    owner.get_by_test_id("manage-contacts").click()
    owner.get_by_role("link", name="Add Receiver").click()
    owner.get_by_label("Name").fill("W")
    owner.get_by_label("Email").fill("not-an-email")
    owner.get_by_label("Title").select_option("CEO")
    owner.get_by_role("button", name="OK").click()
    expect(owner.locator('p.error[data-field="name"]')).to_contain_text(
        "2 to 12 Chinese characters")
    owner.get_by_label("Name").fill("Wang Fang")
    owner.get_by_role("button", name="OK").click()
    expect(owner.locator('p.error[data-field="email"]')).to_contain_text(
        "Enter a valid email address")
    assert live.system.contacts.list("acme") == []


def test_manage_contacts_modify_resend_and_delete(live: Any, pages: dict[str, Any]) -> None:
    owner = pages["open"]("owner")
    sign_in(owner, live.url, "acme", ACCOUNTS["acme"][2])
    owner.get_by_test_id("manage-contacts").click()
    owner.get_by_role("link", name="Add Receiver").click()
    owner.get_by_label("Name").fill("Li Lei")
    owner.get_by_label("Email").fill("li.lei@acme.example")
    owner.get_by_label("Title").select_option("Project Director")
    owner.get_by_label("Mobile").fill("13800138000")
    owner.get_by_role("button", name="OK").click()
    row = owner.locator("tr[data-contact-id]", has_text="li.lei@acme.example")
    expect(row).to_contain_text("Pending")
    row.get_by_role("button", name="Resend verification").click()
    expect(owner.locator(".flash")).to_contain_text("older links no longer work")

    # Verify through the Mailbox, then modify: the contact must verify again.
    live.run_jobs()
    owner.get_by_role("link", name="Mailbox").click()
    owner.get_by_role("link", name=re.compile("Verify your email")).first.click()
    owner.get_by_role("link", name=re.compile(r"http.*verify")).click()
    expect(owner.get_by_role("heading", name="Email address verified")).to_be_visible()
    owner.goto(live.url + "/contacts/")
    row = owner.locator("tr[data-contact-id]", has_text="li.lei@acme.example")
    expect(row).to_contain_text("Verified")
    row.get_by_role("link", name="Modify").click()
    expect(owner.get_by_text("must verify again")).to_be_visible()
    owner.get_by_label("Title").select_option("CEO")
    owner.get_by_role("button", name="OK").click()
    expect(owner.locator(".flash")).to_contain_text("must verify again")
    expect(owner.locator("tr[data-contact-id]", has_text="li.lei@acme.example")) \
        .to_contain_text("Pending")

    # Delete asks to confirm first.
    owner.locator("tr[data-contact-id]", has_text="li.lei@acme.example") \
        .get_by_role("link", name="Delete").click()
    expect(owner.get_by_role("heading", name="Delete contact")).to_be_visible()
    owner.get_by_role("button", name="Delete").click()
    expect(owner.locator(".flash")).to_contain_text("was deleted")
    expect(owner.locator("tr[data-contact-id]", has_text="li.lei@acme.example")).to_have_count(0)
    assert live.system.contacts.list("acme") == []
