"""Every page of the console at 1366, 900 and 390 px, as the owner and as the reviewer, in
English and Chinese: every navigation target is reachable (a visible link, or through the
header menu on small screens) and nothing scrolls sideways; then accessibility checks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ACCOUNTS, REVIEWER_PASSWORD

WIDTHS = (1366, 900, 390)
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
# Links the walk does not follow: they act (sign out, switch language) or spend a token.
NOT_FOLLOWED = re.compile(r"^/(signout|language/|verify/|static/|favicon)")
MOST_PAGES = 40
LONG_NAME = "W" * 300


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url + "/signin")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit], form button:not([type])").last.click()
    page.wait_for_load_state()
    assert "/signin" not in page.url, "sign-in failed"


def seed(live: Any) -> None:
    """Something on every page: a filing with history, a contact, mail, a message."""
    system = live.system
    system.contacts.add("acme", name="Wang Fang", email="wang@acme.example", title="CEO",
                        actor="acme")
    system.filings.create("acme", "ICP-2026-001", type="first_filing", domain="acme.cn",
                          website="Acme Shop", actor="acme")
    system.filings.fire("acme", "ICP-2026-001", "submit", actor="acme")
    system.settings.set_channels("acme", "promotions", ["email"], actor="acme")
    live.run_jobs()


def local_path(url: str, base: str) -> str | None:
    parts = urlsplit(url)
    if url.startswith(base) or not parts.netloc:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return None if NOT_FOLLOWED.match(path) else path
    return None


def walk(page: Page, base: str, first: tuple[str, ...] = ()) -> list[str]:
    """Every console page reachable by links from the home page (GET only), in order."""
    seen: list[str] = []
    shapes: set[str] = set()  # one page of each shape: /mailbox/3 stands for every mail
    queue = ["/", *first]
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        if _shape(path) in shapes:
            continue
        response = page.goto(base + path)
        final = local_path(page.url, base)
        if final is None or final in seen or _shape(final) in shapes - {_shape(path)}:
            continue
        assert response is not None, path
        assert response.status < 500, f"{path}: {response.status}"
        seen.append(final)
        shapes.add(_shape(final))
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            found = local_path(href.split("#")[0], base)
            if found and found not in queue and _shape(found) not in shapes:
                queue.append(found)
    return seen


def _shape(path: str) -> str:
    """Pages of one shape: the same first and last path words (ids and names vary)."""
    parts = urlsplit(path)
    segs = [s for s in parts.path.split("/") if s]
    last = segs[-1] if len(segs) > 1 and re.fullmatch(r"[a-z-]+", segs[-1]) else "*"
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return f"{segs[0] if segs else ''}/{len(segs)}/{last}?{'&'.join(keys)}"


def nav_targets(page: Page) -> list[str]:
    return sorted(set(page.eval_on_selector_all(
        ".sidebar nav a[href]", "as => as.map(a => a.getAttribute('href'))")))


def reachable(page: Page, href: str) -> bool:
    """A visible link to ``href``, else one in the opened header menu (closed again)."""
    visible = page.locator(f'a[href="{href}"]:visible')
    if visible.count():
        return True
    menu = page.locator("details.menu")
    if not menu.is_visible():
        return False
    menu.locator("summary").click()
    found = menu.locator(f'.menu-panel a[href="{href}"]').is_visible()
    assert_no_sideways_scroll(page, "with the menu open")
    menu.locator("summary").click()
    return found


def assert_no_sideways_scroll(page: Page, where: str) -> None:
    wide, inner = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= inner, f"{where}: the page is {wide} px wide in a {inner} px window"


def switch_language(page: Page, code: str) -> None:
    label = {"en": "English", "zh": "中文"}[code]
    page.locator(".langswitch").get_by_role("button", name=label).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if code == "zh" else "en")


@pytest.mark.parametrize("who", ["owner", "reviewer"])
def test_every_page_fits_and_every_target_is_reachable_at_three_widths(
        live: Any, browser: Any, who: str) -> None:
    seed(live)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        if who == "owner":
            sign_in(page, live.url, "acme", ACCOUNTS["acme"][2])
        else:
            sign_in(page, live.url, "reviewer", REVIEWER_PASSWORD)
        paths = walk(page, live.url, ("/settings/icp_filing/receivers",) if who == "owner"
                     else ())
        page.goto(live.url + "/")
        targets = nav_targets(page)
        if who == "owner":
            assert {"/settings/", "/contacts/", "/filings/", "/mailbox/",
                    "/account/history", "/account/message-language"} <= set(targets)
            assert "/account/history" in paths
            assert "/filings/acme/ICP-2026-001" in paths
        else:
            assert "/filings/" in targets
            assert "/contacts/" not in targets
        for lang in ("en", "zh"):
            page.set_viewport_size({"width": 1366, "height": 900})
            page.goto(live.url + "/")
            switch_language(page, lang)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                for path in paths:
                    page.goto(live.url + path)
                    assert_no_sideways_scroll(page, f"{path} at {width} px ({lang})")
                page.goto(live.url + "/")
                missing = [t for t in targets if not reachable(page, t)]
                assert not missing, f"not reachable at {width} px ({lang}): {missing}"
            # on a phone the menu takes the reader to a target, without any script
            page.set_viewport_size({"width": 390, "height": 800})
            page.goto(live.url + "/")
            expect(page.locator(".sidebar")).to_be_hidden()
            page.locator("details.menu summary").click()
            page.locator(".menu-panel").get_by_role(
                "link", name=re.compile("Filings|备案")).first.click()
            assert urlsplit(page.url).path == "/filings/"
        page.set_viewport_size({"width": 1366, "height": 900})
        switch_language(page, "en")
    finally:
        context.close()


def test_a_refusal_quoting_a_long_value_wraps_on_a_phone(live: Any, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live.url, "acme", ACCOUNTS["acme"][2])
        page.goto(live.url + "/contacts/new")
        page.locator("input[name=name]").fill(LONG_NAME)
        page.locator("input[name=email]").fill("x" * 200 + "@acme.example")
        page.locator("select[name=title]").select_option(index=1)
        page.locator("form button[type=submit]").last.click()
        expect(page.locator("p.error").first).to_be_visible()
        assert_no_sideways_scroll(page, "the refused contact form at 390 px")
        assert live.system.contacts.list("acme") == []
    finally:
        context.close()




# --- accessibility ------------------------------------------------------------------------
AXE_TAGS = ["wcag2a", "wcag2aa"]
_AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => v.id + ': ' + v.help + ' -> ' +
    v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' (' + n.failureSummary + ')').join('; '));
}"""
_UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && e.type !== 'submit' && e.type !== 'button')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML.slice(0, 120))"""
_HEADINGS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter(h => h.getClientRects().length).map(h => Number(h.tagName[1]))"""
_FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
               || s.boxShadow !== 'none';
  return {ring, what: e.outerHTML.slice(0, 100), inDialog: !!e.closest('dialog[open]')};
}"""
_DIALOG_TRIGGERS = """() => [...document.querySelectorAll(
    '[aria-haspopup=dialog], [aria-controls], [data-dialog], [commandfor]')]
  .filter(e => e.getClientRects().length)
  .filter(e => {
    const id = e.getAttribute('aria-controls') || e.getAttribute('data-dialog')
               || e.getAttribute('commandfor');
    const target = id && document.getElementById(id);
    return e.getAttribute('aria-haspopup') === 'dialog'
           || (target && target.tagName === 'DIALOG');
  }).map((e, i) => { e.setAttribute('data-a11y-trigger', i); return i; })"""


def heading_problems(levels: list[int]) -> list[str]:
    problems = [] if levels[:1] == [1] else [f"the first heading is h{levels[:1]}, not h1"]
    problems += [f"h{a} is followed by h{b}" for a, b in zip(levels, levels[1:], strict=False)
                 if b > a + 1]
    return problems


def check_focus_visible(page: Page, where: str, presses: int = 12) -> None:
    page.locator("body").focus()
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS)
        if focused is not None:
            assert focused["ring"], f"{where}: no visible focus on {focused['what']}"


def check_dialogs(page: Page, where: str) -> int:
    """Every dialog the page opens takes the focus, keeps it inside, and gives it back."""
    opened = 0
    for index in page.evaluate(_DIALOG_TRIGGERS):
        trigger = page.locator(f'[data-a11y-trigger="{index}"]')
        trigger.focus()
        trigger.press("Enter")
        dialog = page.locator("dialog[open]")
        expect(dialog).to_have_count(1)
        opened += 1
        for _ in range(20):
            focused = page.evaluate(_FOCUS)
            assert focused is not None, f"{where}: the dialog has no focus"
            assert focused["inDialog"], f"{where}: focus left the dialog: {focused['what']}"
            page.keyboard.press("Tab")
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        back = page.evaluate("() => document.activeElement.getAttribute('data-a11y-trigger')")
        assert back == str(index), f"{where}: closing the dialog did not restore the focus"
    return opened


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make axe)")
def test_every_page_passes_the_accessibility_checks(live: Any, browser: Any) -> None:
    seed(live)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        for who, password in (("acme", ACCOUNTS["acme"][2]), ("reviewer", REVIEWER_PASSWORD)):
            sign_in(page, live.url, who, password)
            paths = walk(page, live.url, ("/settings/icp_filing/receivers",) if who == "acme"
                         else ())
            for path in paths:
                page.goto(live.url + path)
                where = f"{path} ({who})"
                page.add_script_tag(path=str(AXE))
                problems += [f"{where}: {v}" for v in page.evaluate(_AXE_RUN, AXE_TAGS)]
                problems += [f"{where}: no label: {e}" for e in page.evaluate(_UNLABELLED)]
                problems += [f"{where}: {p}" for p in heading_problems(page.evaluate(_HEADINGS))]
                check_focus_visible(page, where)
                opened = check_dialogs(page, where)
                if page.locator("dialog").count() and not opened:
                    problems.append(f"{where}: a <dialog> that no control declares it opens "
                                    "(aria-haspopup=dialog or aria-controls)")
            page.context.clear_cookies()
        # the small-screen menu, open
        sign_in(page, live.url, "acme", ACCOUNTS["acme"][2])
        page.set_viewport_size({"width": 390, "height": 800})
        page.locator("details.menu summary").click()
        page.add_script_tag(path=str(AXE))
        problems += [f"menu at 390 px: {v}" for v in page.evaluate(_AXE_RUN, AXE_TAGS)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)
