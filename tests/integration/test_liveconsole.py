"""The live console the browser tests and screenshots drive: a development tool, not shipped."""

from __future__ import annotations

import tomllib
import urllib.request
from pathlib import Path

from setuptools import find_packages

from tools.liveconsole import start_console

ROOT = Path(__file__).resolve().parents[2]


def test_the_live_console_serves_sign_in_and_delivers_its_mail(tmp_path):
    console = start_console(tmp_path, accounts={"acme": ("Zhang Wei", "owner@acme.example",
                                                         "acme-pass-1")},
                            reviewer_password="review-pass-1")
    try:
        with urllib.request.urlopen(f"{console.url}/signin", timeout=10) as answer:
            assert answer.status == 200
            assert "Sign in" in answer.read().decode()
        console.system.contacts.add("acme", name="Li Lei", email="lilei@acme.example",
                                    title="CEO", actor="acme")
        console.run_jobs()
        assert len(console.sink.to("lilei@acme.example")) == 1
    finally:
        console.stop()


def test_the_installed_packages_hold_no_development_helpers():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = find_packages(str(ROOT), include=include)
    assert {"workflow", "notify", "scenarios", "web"} <= set(packages)
    assert not [p for p in packages if p.split(".")[0] in ("tools", "tests", "bench")]
    shipped = {path.stem for p in packages for path in (ROOT / p.replace(".", "/")).glob("*.py")}
    assert not {"liveserver", "liveconsole"} & shipped
