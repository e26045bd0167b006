"""A non-editable install works: the wheel, installed in a fresh venv, runs the quick start."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from notify.mailsink import free_port

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("workflow", "notify", "scenarios", "web")


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with only the built wheel installed in it (not the source tree).

    The third-party dependencies come from this venv's site-packages through a .pth
    line (offline and quick); the project itself only from the wheel.
    """
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # build from a copy: an in-tree build would write into the checkout
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, src / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = tmp / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
          "-w", str(dist), str(src)])
    wheel = next(dist.glob("icpsim-*.whl"))
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
          str(wheel)])
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(purelib.stdout.strip()) / "icpsim-test-deps.pth").write_text("\n".join(deps) + "\n")
    return venv


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("ICPSIM_") and k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(ICPSIM_INSTANCE_PATH=str(tmp / "instance"), PYTHONUNBUFFERED="1")
    return env


def test_the_wheel_carries_the_code_and_the_migrations(installed, tmp_path):
    found = _run([str(installed / "bin" / "python"), "-c",
                  "import web.migrate as m; print(m.__file__); print(m.head_revision())"],
                 cwd=tmp_path, env=_env(tmp_path))
    where, head = found.stdout.split()
    assert Path(where).is_relative_to(installed)  # not the source tree
    assert head


def test_quick_start_from_the_wheel_upgrades_runs_a_scenario_and_serves(installed, tmp_path):
    icpsim = str(installed / "bin" / "icpsim")
    env = _env(tmp_path)
    upgraded = _run([icpsim, "db", "upgrade"], cwd=tmp_path, env=env)
    assert "is up to date" in upgraded.stdout
    scenario = shutil.copy(ROOT / "scenarios/library/01_approved_filing_reaches_receivers.yaml",
                           tmp_path)
    ran = _run([icpsim, "run", str(scenario)], cwd=tmp_path, env=env)
    assert "passed" in ran.stdout.lower()

    port = free_port()
    env["ICPSIM_MAIL_SINK_PORT"] = str(free_port())
    env["ICPSIM_SMS_GATEWAY_PORT"] = str(free_port())
    env["ICPSIM_WEBHOOK_SINK_PORT"] = str(free_port())
    proc = subprocess.Popen([icpsim, "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = _wait_for(f"http://127.0.0.1:{port}/health", proc)
        assert health == (200, b'{"status":"ok"}\n')
        status, body = _wait_for(f"http://127.0.0.1:{port}/ready", proc)
        assert status == 200
        assert b'"ready"' in body
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "Traceback" not in out


def _wait_for(url: str, proc: subprocess.Popen, timeout: float = 60) -> tuple[int, bytes]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                return answer.status, answer.read()
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None:
                raise AssertionError(f"serve stopped: {proc.stdout.read()}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
