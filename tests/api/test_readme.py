"""The README's SDK page: its actions table equals the registry and its example runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from web.rpc.registry import actions_table

from .served import Served

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_actions_table_is_the_registry():
    found = re.search(r"<!-- actions:start -->\n(.*?)\n<!-- actions:end -->", README, re.S)
    assert found is not None
    assert found.group(1) == actions_table()


def test_the_readme_example_runs_against_a_served_icpsim(tmp_path):
    page = README.split("## Use your Alibaba Cloud SDK code against icpsim", 1)[1]
    code = re.search(r"```python\n(.*?)```", page, re.S).group(1)
    (tmp_path / "example.py").write_text(code)
    served = Served(tmp_path / "instance")
    try:
        env = {**os.environ, "ICPSIM_URL": served.base, "ICPSIM_ADMIN_TOKEN": served.token}
        run = subprocess.run([sys.executable, str(tmp_path / "example.py")], env=env,
                             capture_output=True, text=True, timeout=120, cwd=tmp_path)
    finally:
        served.stop()
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("[ICP filing] Filing F-1 (acme.example)")
    assert "F-1" in lines[-1]  # the subscribed contact got the filing's email too
