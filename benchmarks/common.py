"""Helpers shared by the benchmark scripts: machine description and RESULTS.md sections."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared" / "corpus"
RESULTS = HERE / "RESULTS.md"


def machine() -> str:
    cpu, flags = platform.processor() or "unknown CPU", []
    try:
        info = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"model name\s*:\s*(.*)", info).group(1)
        have = set(re.search(r"flags\s*:\s*(.*)", info).group(1).split())
        flags = [f for f in ("avx2", "avx512f", "avx512_vnni", "amx_tile", "amx_bf16") if f in have]
    except (OSError, AttributeError):
        pass
    return f"{cpu}; {os.cpu_count()} cores; flags: {' '.join(flags) or 'n/a'}; Python {platform.python_version()}"


def commit() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=REPO, capture_output=True,
                               text=True, check=True).stdout.strip()
        return rev + (" (+ uncommitted changes in src/)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## title` section of RESULTS.md."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\nRun by hand; never in CI. Each section says how it was produced.\n"
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.M | re.S)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    RESULTS.write_text(text.rstrip() + "\n", encoding="utf-8")


def timed_run(cmd: list[str], cwd: Path | None = None, pss: list | None = None) -> tuple[float, float, str]:
    """Run `cmd`; return wall seconds, the peak summed RSS (MB) of it and all its descendants
    (sampled every 0.2 s with psutil) and its stdout. Raises SystemExit if it fails. Pass a
    list as `pss` to also get the peak summed PSS (MB) appended to it: forked workers share
    pages, which a sum of RSS counts once per process and PSS divides between them."""
    import psutil

    peak, peak_pss = 0.0, 0.0
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        root = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                procs = [p for p in (root, *root.children(recursive=True)) if p.is_running()]
                peak = max(peak, sum(p.memory_info().rss for p in procs) / 2**20)
                if pss is not None:
                    peak_pss = max(peak_pss, sum(p.memory_full_info().pss for p in procs) / 2**20)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    stop.set()
    thread.join()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed:\n{err[-3000:]}")
    if pss is not None:
        pss.append(peak_pss)
    return time.perf_counter() - t, peak, out
