"""End to end: the real `bcdr-scan` CLI in a subprocess, its SDK clients talking HTTPS to the ARM
emulator. Nothing is patched; the emulator is the only stand-in (for ARM itself)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.emulator import Emulator
from tests.helpers import REPO

SAMPLE_ESTATE = REPO / "fixtures" / "sample-estate"
SAMPLE_POLICY = REPO / "fixtures" / "policies" / "sample-policy.yaml"


def _part(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


# Shaped like a real ARM access token (a JWT), so that an accidental leak would look like one.
TOKEN = ".".join([_part({"alg": "RS256", "typ": "JWT"}),
                  _part({"aud": "https://management.azure.com", "exp": int(time.time()) + 7200,
                         "oid": "e2e-test-principal"}),
                  "c2lnbmF0dXJlLW5vdC1jaGVja2VkLWJ5LXRoZS1lbXVsYXRvcg"])


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def bcdr_scan(*args: str, env: dict[str, str] | None = None) -> Run:
    done = subprocess.run([sys.executable, "-m", "scanner", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **(env or {})}, timeout=120, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


def outcomes(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(check id, resource id, status) of every judged result the report lists."""
    listed = [*report["findings"], *report.get("passed", []), *report["coverage"]["unknown"]]
    return {(o["check_id"], o["resource"]["id"].lower(), o["status"]) for o in listed}


# GEN-004 weighs every Backup vault and every server of a zone that might hold a copy of a resource:
# with the sample estate's third subscription unread, a vault or replica there may protect these four,
# so their recovery estimate is unknown while every other verdict outside that subscription stands.
UNREAD_SUB3_MAKES_READINESS_UNKNOWN = frozenset(
    ("GEN-004", f"/subscriptions/6f1e2d3c-4b5a-4c6d-8e7f-0a1b2c3d4e0{n}/resourcegroups/{rest}")
    for n, rest in ((1, "rg-dmlz-shared/providers/microsoft.storage/storageaccounts/stdmlzrefdataweu"),
                    (2, "rg-sales-serving/providers/microsoft.dbforpostgresql/flexibleservers/psql-sales-pricing-weu"),
                    (2, "rg-sales-serving/providers/microsoft.storage/storageaccounts/stsalescuratedweu"),
                    (4, "rg-marketing-poc/providers/microsoft.dbformysql/flexibleservers/mysql-marketing-poc-weu")))


def with_sub3_unread(verdicts: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """The offline verdicts outside the third subscription as a scan that could not read it gives them."""
    kept = {v for v in verdicts if (v[0], v[1]) not in UNREAD_SUB3_MAKES_READINESS_UNKNOWN}
    return kept | {(check, resource, "unknown") for check, resource in UNREAD_SUB3_MAKES_READINESS_UNKNOWN}


def live_env(arm: Emulator) -> dict[str, str]:
    return {"BCDR_SCAN_TOKEN": arm.token, "REQUESTS_CA_BUNDLE": arm.ca_file}


def live_scan(arm: Emulator, *extra: str) -> Run:
    return bcdr_scan("scan", "--policy", str(SAMPLE_POLICY), "--arm-endpoint", arm.url, "--format", "json",
                     "--include-passed", *extra, env=live_env(arm))


def live_report(arm: Emulator, fmt: str, *extra: str) -> Run:
    """A live scan's report in `fmt` (table, markdown, sarif: --include-passed is the JSON report's)."""
    return bcdr_scan("scan", "--policy", str(SAMPLE_POLICY), "--arm-endpoint", arm.url, "--format", fmt, *extra,
                     env=live_env(arm))


@pytest.fixture(scope="session")
def offline() -> Run:
    """The offline scan of the sample estate: what every live scan of it must reproduce."""
    run = bcdr_scan("scan", "--sample", "--format", "json", "--include-passed")
    assert run.code in (0, 3), run.stderr
    return run


@pytest.fixture
def arm() -> Iterator[Emulator]:
    with Emulator(SAMPLE_ESTATE, token=TOKEN) as emulator:
        yield emulator
    # Read-only by construction: whatever the scan met, the emulator saw nothing but GETs.
    assert emulator.requests and {r.method for r in emulator.requests} == {"GET"}
