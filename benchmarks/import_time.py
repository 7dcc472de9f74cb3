"""``import cliq_channels_client`` time vs ``import httpx`` (goal <= 1.3x), in fresh interpreters.

Each sample is a new subprocess timing only its import statement (interpreter
start-up excluded), the statements interleaved, the medians compared.  The
package's ``__init__`` is lazy, so the bare import costs httpx + attrs + the
generated client; what an application pays before its first call (the
factory and one endpoint module) is reported too, and ``-X importtime``
names the modules that cost the most beyond httpx.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

from .common import BenchResult, Row

NAME = "import_time"
GOAL = 1.3
STATEMENTS = {
    "import httpx": "import httpx",
    "import cliq_channels_client": "import cliq_channels_client",
    "first call's imports": (
        "from cliq_channels_client import create_client; from cliq_channels_client.api.channels import get_channel"
    ),
}
_TIMER = "import time; _t = time.perf_counter(); {statement}; print(time.perf_counter() - _t)"


def _time_once(statement: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _TIMER.format(statement=statement)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{statement!r} failed in a fresh interpreter:\n{done.stderr[-2000:]}")
    return float(done.stdout.strip())


def _import_times(statement: str, runs: int) -> dict[str, int]:
    """``-X importtime``: module -> its own import time in microseconds (the least of ``runs``: the least disturbed)."""
    times: dict[str, int] = {}
    for _ in range(runs):
        command = [sys.executable, "-X", "importtime", "-c", statement]
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
                continue
            own, _, module = line.removeprefix("import time:").split("|")
            name = module.strip()
            times[name] = min(int(own), times.get(name, int(own)))
    return times


def _beyond_httpx(statement: str, baseline: dict[str, int], top: int, runs: int) -> str:
    """The modules ``statement`` imports that ``import httpx`` does not, costliest (self time) first."""
    extra = {name: own for name, own in _import_times(statement, runs).items() if name not in baseline}
    ranked = sorted(extra.items(), key=lambda item: -item[1])[:top]
    total = sum(extra.values())
    return f"{len(extra)} modules, {total / 1000:.1f} ms self time; top: " + ", ".join(
        f"{name} {own / 1000:.1f} ms" for name, own in ranked
    )


def run(smoke: bool) -> BenchResult:
    repetitions = 2 if smoke else 40
    names = list(STATEMENTS)
    for name in names:  # warm the bytecode caches and the page cache
        _time_once(STATEMENTS[name])
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(repetitions):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(_time_once(STATEMENTS[name]))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    least = {name: min(values) for name, values in samples.items()}
    httpx_median = medians["import httpx"]
    ratio = medians["import cliq_channels_client"] / httpx_median
    first_call = medians["first call's imports"] / httpx_median

    result = BenchResult(NAME, f"import time in fresh interpreters, {repetitions} interleaved runs each (medians)")
    result.ratio = f"{ratio:.2f}x (import cliq_channels_client / import httpx)"
    result.rows += [
        Row("import cliq_channels_client / import httpx", f"{ratio:.2f}x", f"<= {GOAL}x", ratio <= GOAL),
        Row("create_client + get_channel imports / import httpx", f"{first_call:.2f}x"),
    ]
    for name in names:
        values = samples[name]
        result.details.append(
            f"{name:30s} median {medians[name] * 1e3:7.1f} ms   min {min(values) * 1e3:7.1f} ms"
            f"   max {max(values) * 1e3:7.1f} ms"
        )
    runs = 1 if smoke else 5
    baseline = _import_times(STATEMENTS["import httpx"], runs)
    for name in names[1:]:
        result.details.append(f"beyond httpx, {name}: {_beyond_httpx(STATEMENTS[name], baseline, 6, runs)}")
    result.details.append(
        f"ratios of the fastest runs (least disturbed): {least[names[1]] / least[names[0]]:.2f}x, "
        f"first call {least[names[2]] / least[names[0]]:.2f}x"
    )
    result.details.append(f"first call's imports: {STATEMENTS[names[2]]}")
    return result
