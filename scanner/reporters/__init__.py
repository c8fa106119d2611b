"""Report formats. Each reporter turns a ScanResult into the text of one report."""

from __future__ import annotations

from collections.abc import Callable

from scanner.engine import ScanResult
from scanner.reporters.base import ReportOptions
from scanner.reporters.json_report import render_json

Renderer = Callable[[ScanResult, ReportOptions], str]

FORMATS: dict[str, Renderer] = {
    "json": render_json,
}

__all__ = ["FORMATS", "Renderer", "ReportOptions"]
