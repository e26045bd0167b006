"""The README screenshots (Common Settings, a filing page, Manage Contacts in Chinese) taken
in headless Chromium."""

# Run: .venv/bin/python bench/screenshots.py -> docs/screenshot-settings.png,
# docs/screenshot-filing.png and docs/screenshot-contacts-zh.png. Needs
# /usr/lib/chromium/chromium and a CJK font (make system-deps installs fonts-wqy-zenhei).

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.liveconsole import start_console  # noqa: E402

CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _demo(live: object) -> None:
    """A verified receiver, Email only for ICP filing, a filing awaiting SMS verification."""
    system = live.system  # type: ignore[attr-defined]
    for name, email in (("Wang Fang", "wang.fang@acme.example"),
                        ("Liu Yang", "liu.yang@acme.example")):
        system.contacts.add("acme", name=name, email=email, title="Technical Director",
                            actor="acme")
    live.run_jobs()  # type: ignore[attr-defined]
    mail = live.sink.to("wang.fang@acme.example")[-1]  # type: ignore[attr-defined]
    token = re.search(r"/verify/(\S+)", mail.text).group(1)
    contact = system.contacts.verify(token)
    system.settings.select_receivers("acme", "icp_filing", [contact.contact_id], actor="acme")
    system.settings.set_channels("acme", "icp_filing", ["email"], actor="acme")
    system.filings.create("acme", "ICP-2026-001", type="first_filing", domain="acme.cn",
                          website="Acme Shop", actor="acme")
    for trigger in ("submit", "start_review", "pass_review"):
        system.filings.fire("acme", "ICP-2026-001", trigger,
                            actor="reviewer" if trigger != "submit" else "acme")
    live.run_jobs()  # type: ignore[attr-defined]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        live = start_console(Path(tmp), reviewer_password="review",
                             accounts={"acme": ("Zhang Wei", "zhang.wei@acme.example",
                                                "acme-pass")})
        try:
            _demo(live)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                page.goto(live.url + "/signin")
                page.get_by_label("Account ID").fill("acme")
                page.get_by_label("Password").fill("acme-pass")
                page.get_by_role("button", name="Sign In").click()
                page.wait_for_selector("#row-icp_filing")
                page.screenshot(path=str(ROOT / "docs/screenshot-settings.png"), full_page=True)
                page.goto(live.url + "/filings/acme/ICP-2026-001")
                page.screenshot(path=str(ROOT / "docs/screenshot-filing.png"), full_page=True)
                page.goto(live.url + "/contacts/")
                page.get_by_role("button", name="中文").first.click()
                page.get_by_role("heading", name="联系人管理").wait_for()
                page.screenshot(path=str(ROOT / "docs/screenshot-contacts-zh.png"),
                                full_page=True)
                browser.close()
        finally:
            live.stop()
    print("wrote docs/screenshot-settings.png, docs/screenshot-filing.png and "
          "docs/screenshot-contacts-zh.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
