"""Wall time of the scenario library: the whole run, each file, and the longest one.

The baseline is a scenario with no step (a fresh database, clock and SMTP server), measured
in the same run, so the figures read as ratios whatever the machine. CPU time (this
process, SMTP server thread included) is printed too: on a loaded machine it is the
steadier figure. Floor: a draft left 45 simulated days runs in under FLOOR_SECONDS of wall
time, and every scenario passes; the script exits 1 otherwise.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLOOR_SECONDS = 1.0
sys.path.insert(0, str(ROOT))

from scenarios.runner import run_scenario  # noqa: E402
from scenarios.validate import load_scenario  # noqa: E402

EMPTY = """\
name: baseline
start: 2026-03-02T09:00:00+08:00
accounts:
  - id: acme
    owner: {name: Zhang Wei, email: owner@acme.example}
steps: []
"""
FORTY_FIVE_DAYS = EMPTY.replace("name: baseline", "name: 45 days").replace("steps: []", """\
steps:
  - create_filing: {id: F1, type: first_filing, domain: acme.cn, website: Acme Shop}
  - advance: 45d
  - expect:
      filing: {id: F1, state: expired}
      emails: {to: owner@acme.example, filing: F1, count: 3}
""")


def timed(path: Path) -> tuple[float, bool, float, float]:
    """(wall seconds, passed, simulated days, CPU seconds) of one scenario file."""
    scenario = load_scenario(path)
    started, cpu = time.perf_counter(), time.process_time()
    result = run_scenario(scenario)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    days = (result.ended_at - scenario.start).total_seconds() / 86400
    return wall, result.passed, days, cpu


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.yaml"
        empty.write_text(EMPTY, encoding="utf-8")
        baseline = statistics.median(timed(empty)[0] for _ in range(5))
        long = Path(tmp) / "forty_five_days.yaml"
        long.write_text(FORTY_FIVE_DAYS, encoding="utf-8")
        runs = [timed(long) for _ in range(5)]
        wall45 = statistics.median(r[0] for r in runs)
        cpu45 = statistics.median(r[3] for r in runs)
        passed45 = all(r[1] for r in runs)
    files = sorted((ROOT / "scenarios" / "library").glob("*.y*ml"))
    started = time.perf_counter()
    rows = [(path.name, *timed(path)) for path in files]
    total = time.perf_counter() - started
    print(f"baseline (empty scenario: fresh database + SMTP server): {baseline * 1000:.1f} ms")
    print(f"a draft left 45 simulated days (2 reminders, expiry, 3 emails): "
          f"{wall45 * 1000:.1f} ms wall, {cpu45 * 1000:.1f} ms CPU, "
          f"{(wall45 - baseline) * 1000:.1f} ms over baseline "
          f"({'passed' if passed45 else 'FAILED'}; floor: under {FLOOR_SECONDS:g} s "
          f"{'OK' if wall45 < FLOOR_SECONDS else 'BELOW FLOOR'})")
    print(f"{'scenario':<52} {'wall ms':>8} {'cpu ms':>7} {'x base':>7} {'sim days':>9}"
          "  verdict")
    for name, wall, passed, days, cpu in rows:
        print(f"{name:<52} {wall * 1000:8.1f} {cpu * 1000:7.1f} {wall / baseline:7.1f} "
              f"{days:9.1f}  {'passed' if passed else 'FAILED'}")
    name, wall, _, days, cpu = max(rows, key=lambda r: r[1])
    print(f"whole library: {len(rows)} scenarios in {total:.2f} s wall, "
          f"{sum(r[4] for r in rows):.2f} s CPU ({total / baseline:.0f}x baseline)")
    print(f"slowest: {name} {wall * 1000:.0f} ms wall ({cpu * 1000:.0f} ms CPU) for "
          f"{days:.1f} simulated days")
    name, wall, _, days, cpu = max(rows, key=lambda r: r[3])
    print(f"longest simulated: {name} {days:.1f} days in {wall * 1000:.0f} ms wall, "
          f"{cpu * 1000:.0f} ms CPU ({'under' if wall < 1 else 'OVER'} one second)")
    return 0 if passed45 and wall45 < FLOOR_SECONDS and all(r[2] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
