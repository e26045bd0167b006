"""Browser fixtures: Debian's Chromium through Playwright, a live console, failure shots."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ACCOUNTS = {"acme": ("Zhang Wei", "owner@acme.example", "acme-pass-1")}
REVIEWER_PASSWORD = "review-pass-1"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not os.access(CHROMIUM, os.X_OK):
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Any]:
    from tools.liveconsole import start_console

    console = start_console(tmp_path, accounts=ACCOUNTS, reviewer_password=REVIEWER_PASSWORD)
    yield console
    console.stop()


@pytest.fixture
def pages(browser: Any, request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """One browser context per person; every page is photographed if the test fails."""
    contexts: dict[str, Any] = {}

    def page_for(who: str) -> Any:
        if who not in contexts:
            contexts[who] = browser.new_context(viewport={"width": 1360, "height": 900})
            contexts[who].set_default_timeout(10_000)
            contexts[who].new_page()
        return contexts[who].pages[0]

    yield {"open": page_for}
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]", "_", request.node.nodeid.split("::")[-1])
        for who, context in contexts.items():
            for i, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{name}-{who}-{i}.png"), full_page=True)
    for context in contexts.values():
        context.close()
