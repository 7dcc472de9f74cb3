"""``python -m benchmarks [--smoke] [--only NAME] [--json PATH]``: run, print the table, write results.md.

A full run (no ``--smoke``, no ``--only``) rewrites ``benchmarks/results.md`` and the
copy of its table in README.md (between the ``benchmarks:begin/end`` markers);
a smoke run uses tiny sizes, checks that every benchmark still works and
writes nothing unless ``--json`` asks.  Goals are reported, never enforced:
the exit status is 1 only when a benchmark failed to run.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import shlex
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from .common import BenchResult, Row

#: Benchmark modules in running order; each has ``NAME`` and ``run(smoke) -> BenchResult``.
MODULES = (
    "client_cpu",
    "overhead",
    "decode",
    "token_expiry",
    "rate_limit",
    "limiter_scaling",
    "streaming",
    "import_time",
)
RESULTS_PATH = Path(__file__).with_name("results.md")
REPO_ROOT = Path(__file__).resolve().parents[1]
README_PATH = REPO_ROOT / "README.md"
#: The README's copy of the results table lives between these markers.
README_BEGIN, README_END = "<!-- benchmarks:begin -->", "<!-- benchmarks:end -->"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, correctness only; results.md untouched")
    parser.add_argument("--only", metavar="NAME", choices=MODULES, action="append", help="run only NAME (repeatable)")
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write the results as JSON to PATH")
    return parser


def _module(name: str) -> ModuleType:
    return importlib.import_module(f".{name}", __package__)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip()


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu": _cpu_model(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
    }


def _table(rows: Sequence[tuple[str, Row]]) -> list[str]:
    header = ("benchmark", "measured", "goal", "met?")
    cells = [(f"{name}: {row.metric}", row.measured, row.goal, row.verdict) for name, row in rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell) + " |" for cell in cells]
    return lines


def _markdown(results: Sequence[BenchResult], command: str, elapsed: float) -> str:
    info = machine()
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        "Written by the benchmark run itself; do not edit by hand.",
        "",
        f"- command: `{command}` (`make bench`), {elapsed:.0f} s, {now}, commit {_commit()}",
        f"- machine: {info['cpu_count']} CPUs ({info['cpu']}), {info['python']}, {info['platform']}",
        "",
        *_table([(result.name, row) for result in results for row in result.rows]),
        "",
        "## Details",
    ]
    for result in results:
        lines += ["", f"### {result.name}: {result.title}", "", f"ratio: {result.ratio}", "", "```"]
        lines += [*result.details, "```"]
    return "\n".join(lines) + "\n"


def results_summary(markdown: str) -> str:
    """The header lines and table of a results.md text: what the README shows."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("- command:"))
    end = lines.index("## Details")
    return "\n".join(lines[start:end]).strip() + "\n"


def update_readme(markdown: str, readme: Path = README_PATH) -> None:
    """Replace the README's results section with the summary of ``markdown`` (a results.md text)."""
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(f"{head}{README_BEGIN}\n{results_summary(markdown)}{README_END}{tail}", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = args.only or list(MODULES)
    command = shlex.join(["python", "-m", "benchmarks", *(sys.argv[1:] if argv is None else argv)])
    results: list[BenchResult] = []
    failed: list[str] = []
    started = time.perf_counter()
    for name in names:
        module = _module(name)
        print(f"== {name} ==", flush=True)
        began = time.perf_counter()
        try:
            result: BenchResult = module.run(args.smoke)
        except Exception:
            traceback.print_exc()
            print(f"[{name}] FAILED", flush=True)
            failed.append(name)
            continue
        results.append(result)
        print(f"   {result.title}")
        for line in result.details:
            print(f"   {line}")
        print(f"[{name}] ratio: {result.ratio}  ({time.perf_counter() - began:.1f} s)", flush=True)
    elapsed = time.perf_counter() - started
    print()
    print("\n".join(_table([(result.name, row) for result in results for row in result.rows])))
    if args.smoke:
        print("smoke run: tiny sizes, so the numbers say nothing about the goals; nothing judged or written")
    info = machine()
    print(f"\n{info['cpu_count']} CPUs ({info['cpu']}), {info['python']}; {command}; {elapsed:.1f} s")
    if args.json is not None:
        payload = {
            "command": command,
            "smoke": args.smoke,
            "machine": info,
            "elapsed_seconds": elapsed,
            "failed": failed,
            "results": [
                {
                    "name": result.name,
                    "title": result.title,
                    "ratio": result.ratio,
                    "rows": [vars(row) | {"met": row.met} for row in result.rows],
                    "details": result.details,
                }
                for result in results
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    if not args.smoke and not args.only and not failed:
        markdown = _markdown(results, command, elapsed)
        RESULTS_PATH.write_text(markdown, encoding="utf-8")
        update_readme(markdown)
        print(f"wrote {RESULTS_PATH.relative_to(REPO_ROOT)} and the table in README.md")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
