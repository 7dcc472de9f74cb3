"""``python -m benchmarks --smoke`` still runs every benchmark end to end (correctness only, no timing goals).

The benchmarks exercise the real paths (loopback emulator, token refresh,
pacing on a fake clock, pagination, fresh interpreters), so a change that
breaks one of them shows up here; their numbers are judged by ``make bench``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from benchmarks.__main__ import MODULES, RESULTS_PATH

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_smoke_run_prints_every_ratio_and_leaves_results_md_alone(tmp_path: Path) -> None:
    results_before = RESULTS_PATH.read_bytes() if RESULTS_PATH.exists() else None
    report = tmp_path / "smoke.json"

    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--json", str(report)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    for name in MODULES:
        assert re.search(rf"^\[{name}\] ratio: \S", completed.stdout, re.MULTILINE), f"no ratio line for {name}"
    assert "FAILED" not in completed.stdout
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["smoke"] is True
    assert data["failed"] == []
    assert [result["name"] for result in data["results"]] == list(MODULES)
    assert all(result["rows"] for result in data["results"])
    after = RESULTS_PATH.read_bytes() if RESULTS_PATH.exists() else None
    assert after == results_before, "a smoke run must not rewrite benchmarks/results.md"


def test_readme_shows_exactly_the_committed_benchmark_results() -> None:
    """Every number in the README's benchmark table comes from benchmarks/results.md (a `make bench` run)."""
    from benchmarks.__main__ import README_BEGIN, README_END, README_PATH, RESULTS_PATH, results_summary

    readme = README_PATH.read_text(encoding="utf-8")
    shown = readme.split(README_BEGIN, 1)[1].split(README_END, 1)[0].strip()
    assert shown == results_summary(RESULTS_PATH.read_text(encoding="utf-8")).strip()
    assert "| client_cpu: list_channels x100 async, client CPU full / raw (fast server) |" in shown
