"""Headless Chromium for the HTML report's browser tests: the DOM after the page's script ran, a screenshot.

The Debian package's `/usr/bin/chromium` (or BCDR_SCAN_CHROMIUM). Without it a browser test is skipped and
says why; in CI (CI=true), where .ci/run installs it, it fails instead. Every run has its own profile
directory (no state shared between tests or with a person's browser) and a timeout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

TIMEOUT = 120  # seconds per Chromium run; a 25,000-finding page loads in a few
# Scripts run until the page is idle or this much virtual time has passed, whichever comes first.
VIRTUAL_TIME_BUDGET_MS = 5000


def find_chromium() -> str | None:
    """BCDR_SCAN_CHROMIUM, else `chromium` (or `chromium-browser`) on the PATH; None if there is none."""
    found = os.environ.get("BCDR_SCAN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return found if found and Path(found).exists() else None


def chromium() -> str:
    """The browser for a test: skip without one, fail in CI (where .ci/run installs it)."""
    found = find_chromium()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium missing in CI (.ci/run installs the Debian package `chromium`)")
        pytest.skip("Chromium not installed (apt-get install chromium, or set BCDR_SCAN_CHROMIUM)")
    return found


@dataclass(frozen=True)
class Loaded:
    dom: str  # document.documentElement.outerHTML once the scripts ran
    stderr: str
    seconds: float  # wall time of the whole Chromium run: start, load, script, serialise


def run_chromium(binary: str, page: Path, fragment: str, profile: Path,
                 *options: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on `page#fragment` with its own profile directory (bench/bench_reports.py too)."""
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
               "--disable-background-networking", "--disable-sync", "--mute-audio",
               "--enable-logging=stderr",  # console messages (CSP violations, uncaught errors) on stderr
               f"--user-data-dir={profile}", f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}", *options, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)


def dump_dom(page: Path, profile: Path, fragment: str = "", binary: str | None = None) -> Loaded:
    """The page's DOM as Chromium serialises it after loading `page#fragment` and running its scripts."""
    started = time.perf_counter()
    done = run_chromium(binary or chromium(), page, fragment, profile, "--dump-dom")
    seconds = time.perf_counter() - started
    assert done.returncode == 0 and "<html" in done.stdout, f"chromium exit {done.returncode}: {done.stderr[-2000:]}"
    return Loaded(done.stdout, done.stderr, seconds)


def screenshot(page: Path, profile: Path, out: Path, fragment: str = "", size: str = "1280,2000") -> Path:
    done = run_chromium(chromium(), page, fragment, profile, f"--screenshot={out}", f"--window-size={size}")
    assert done.returncode == 0 and out.exists(), f"chromium exit {done.returncode}: {done.stderr[-2000:]}"
    return out
