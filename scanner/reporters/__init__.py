"""Report formats. Each reporter turns a ScanResult into the text of one report (the JSON report: its ASCII
bytes, as written)."""

from __future__ import annotations

from collections.abc import Callable

from scanner.engine import ScanResult
from scanner.reporters.base import ReportOptions
from scanner.reporters.html import render_html
from scanner.reporters.json_report import render_json
from scanner.reporters.markdown import render_markdown
from scanner.reporters.sarif import render_sarif
from scanner.reporters.table import render_table

Renderer = Callable[[ScanResult, ReportOptions], str | bytes]

FORMATS: dict[str, Renderer] = {
    "html": render_html,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
    "table": render_table,
}

__all__ = ["FORMATS", "Renderer", "ReportOptions"]
