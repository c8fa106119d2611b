"""Run the real `bcdr-scan` command line (a subprocess, as a user or CI would) and read its reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from tests.helpers import REPO, TEST_DATA
from tests.reporters.estate import POLICY

SARIF_SCHEMA = TEST_DATA / "schemas" / "sarif-2.1.0.json"
REPORT_SCHEMA = REPO / "scanner" / "schemas" / "report.schema.json"


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def bcdr(*args: object, env: dict[str, str] | None = None, cwd: Path = REPO) -> Run:
    proc = subprocess.run([sys.executable, "-m", "scanner", *(str(a) for a in args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300, env={**os.environ, "NO_COLOR": "1", **(env or {})})
    return Run(proc.returncode, proc.stdout, proc.stderr)


def scan(snapshot: Path, *args: object, fmt: str = "json") -> Run:
    """`bcdr-scan scan` of a snapshot under the sample policy; a crash or input error fails the test."""
    run = bcdr("scan", "--snapshot", snapshot, "--policy", POLICY, "--format", fmt, *args)
    assert run.code in (0, 1, 3), f"exit {run.code}: {run.err}"
    if fmt == "sarif":
        validate_sarif(run.json())
    if fmt == "json":
        validate_report(run.json())
    return run


def sarif(snapshot: Path, *args: object) -> dict[str, Any]:
    return scan(snapshot, *args, fmt="sarif").json()


def report(snapshot: Path, *args: object) -> dict[str, Any]:
    return scan(snapshot, *args, fmt="json").json()


@cache
def _validator(path: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(path.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _validate(document: Any, schema: Path) -> None:
    errors = sorted(_validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:10])


def validate_sarif(document: Any) -> None:
    """Every SARIF log the suite produces goes through here: the official SARIF 2.1.0 schema."""
    _validate(document, SARIF_SCHEMA)


def validate_report(document: Any) -> None:
    _validate(document, REPORT_SCHEMA)


def results(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document["runs"][0]["results"]


def resource_of(result: dict[str, Any]) -> str:
    return result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
