"""Bulk simulation cost: wall time, CPU time and peak memory (RSS) for 1k, 10k and 100k
filings over one simulated year (2025, inside chinese-calendar's years) with the busy
model, and the growth ratio between sizes.

Each size runs `icpsim simulate` in its own process (so each peak RSS is its own), timed
in wall and CPU seconds (CPU is the steadier figure on a shared machine). The baseline,
measured in the same run, is the smallest size: the larger ones print as ratios to it.
Floors (the issue's): 10k filings under 20 s, 100k under 200 s, peak RSS under 500 MB at
100k, 100k/10k time ratio under 12. Exits 1 when a floor is missed.

    .venv/bin/python bench/bench_simulate.py [--sizes 1000,10000,100000] [--step 6h]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUSY = (ROOT / "simulations" / "busy-quarter.yaml").read_text(encoding="utf-8")
FLOORS_S = {10_000: 20.0, 100_000: 200.0}
RSS_FLOOR_MB = 500.0
GROWTH_FLOOR = 12.0


def year_model(filings: int) -> str:
    """The busy model over 2025: same behaviour and population, ``filings`` arrivals."""
    text = BUSY.replace("start: 2026-09-01T09:00:00+08:00", "start: 2025-01-01T09:00:00+08:00")
    text = text.replace("duration: 90d", "duration: 364d").replace("count: 600",
                                                                   f"count: {filings}")
    return text.replace("2026-10-09T02:00:00+08:00", "2025-10-09T02:00:00+08:00").replace(
        "name: busy-quarter", f"name: busy-year-{filings}")


def run(filings: int, step: str, folder: Path) -> dict[str, float]:
    model = folder / f"busy-{filings}.yaml"
    model.write_text(year_model(filings), encoding="utf-8")
    started, before = time.perf_counter(), _children_cpu()
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "icpsim"), "simulate", str(model),
                           "--out", str(folder / f"out-{filings}"), "--report", "json",
                           "--step", step], capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - started, _children_cpu() - before
    if done.returncode != 0:
        raise SystemExit(f"{filings} filings: exit {done.returncode}\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    return {"filings": filings, "wall_s": wall, "cpu_s": cpu,
            "run_s": report["run"]["wall_seconds"], "rss_mb": report["run"]["peak_rss_mb"]}


def _children_cpu() -> float:
    """CPU seconds of finished child processes: steadier than wall time on a shared machine."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--step", default="6h")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-simulate-") as tmp:
        for n in sizes:
            r = run(n, args.step, Path(tmp))
            results.append(r)
            print(f"{n:>7} filings: {r['wall_s']:7.1f} s wall ({r['run_s']:.1f} s in the run), "
                  f"{r['cpu_s']:.1f} s CPU, peak RSS {r['rss_mb']:.0f} MB", flush=True)
    base = results[0]
    failed = []
    for r in results[1:]:
        growth, cpu = r["wall_s"] / base["wall_s"], r["cpu_s"] / base["cpu_s"]
        print(f"{r['filings']} / {base['filings']}: wall time x{growth:.2f}, CPU time "
              f"x{cpu:.2f} for x{r['filings'] / base['filings']:g} filings")
    by = {r["filings"]: r for r in results}
    if 10_000 in by and 100_000 in by:
        ratio = by[100_000]["wall_s"] / by[10_000]["wall_s"]
        print(f"100k / 10k time ratio: {ratio:.2f} (floor: under {GROWTH_FLOOR:g})")
        if ratio >= GROWTH_FLOOR:
            failed.append(f"growth {ratio:.2f}")
    for n, floor in FLOORS_S.items():
        if n in by and by[n]["wall_s"] >= floor:
            failed.append(f"{n} filings took {by[n]['wall_s']:.1f} s (floor {floor:g} s)")
    if 100_000 in by and by[100_000]["rss_mb"] >= RSS_FLOOR_MB:
        failed.append(f"peak RSS {by[100_000]['rss_mb']:.0f} MB (floor {RSS_FLOOR_MB:g} MB)")
    for f in failed:
        print(f"BELOW FLOOR: {f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
