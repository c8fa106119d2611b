"""SARIF 2.1.0 for GitHub code scanning (docs/reports.md, "SARIF").

Decisions that keep alerts stable and honest on GitHub:

* A cloud resource is not a file. Each result points at a stable artifact URI derived from the
  lower-cased resource id (`azure/<subscription>/<resource group>/<provider>/<type>/<name>`,
  relative to the `AZURE_RESOURCES` base) at line 1, and carries the exact resource id as a logical
  location. Lower-casing matters: ARM ids are case-insensitive and collectors differ in casing.
* `partialFingerprints["bcdrScan/v1"]` hashes the check id and the lower-cased resource id and
  nothing else, so an alert survives scan time, resource order, message wording and severity
  changes, and closes when that check stops failing on that resource.
* `automationDetails.id` names the scanned scope (`bcdr-scan/<subscriptions>/`, or
  `--sarif-category`), so uploads for different subscriptions do not replace each other's alerts.
* Coverage gaps are not results: read errors and unknown verdicts are
  `invocations[0].toolExecutionNotifications`. `executionSuccessful` says whether the tool did
  its job (SARIF §3.20.14 is about the tool run, not the estate): it is false only when read errors
  left nothing at all to evaluate; partial coverage is reported by error-level notifications.
* Message texts are SARIF plain text built from untrusted data: `sarif_text` doubles `{`/`}` (no
  placeholders) and escapes square brackets (no embedded links), and shows control characters as
  escapes; no `message.markdown` is written for results. The serialized log is scrubbed of secrets.
* GitHub rejects a run with more than 25,000 results or a file above 10 MB gzip-compressed, and
  displays only the 5,000 most severe. Past a limit the least severe results are dropped
  (suppressed ones first) and a notification says how many; the JSON report still has them all.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from scanner import INFORMATION_URI, TOOL_NAME, __version__
from scanner.check import Check, Severity, Status
from scanner.docs import DOCS_URL, check_page
from scanner.engine import Outcome, ScanResult
from scanner.jsonwrite import indented_json
from scanner.model import ReadGap
from scanner.recovery.readiness import readiness_json
from scanner.reporters.base import (
    ReportOptions,
    active_findings,
    iso,
    plural,
    requirement_text,
    scanned_subscriptions,
    severity_counts,
    suppressed_findings,
    zone_summaries,
)
from scanner.reporters.json_report import jsonable, source_json
from scanner.sanitize import json_bytes, sarif_text, terminal_text

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "bcdrScan/v1"
URI_BASE_ID = "AZURE_RESOURCES"
SOURCE_BASE_ID = "%SRCROOT%"  # the repository root, as GitHub code scanning resolves relative URIs
CATEGORY_PREFIX = "bcdr-scan"
MAX_SUBSCRIPTIONS_IN_CATEGORY = 5
MAX_TAGS = 10  # GitHub keeps at most 10 tags per rule (20 accepted)
_URI_AS_IS = re.compile(r"[A-Za-z0-9_.~/-]*")

LEVELS = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
# GitHub ranks non-security alerts by `problem.severity` (error, warning, recommendation).
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


@dataclass(frozen=True)
class SarifLimits:
    """GitHub code scanning's upload limits (docs/reports.md lists the source)."""

    max_results: int = 25_000
    max_gzip_bytes: int = 10 * 1024 * 1024
    max_notifications: int = 1_000  # per kind; the rest are summarised in one notification


@dataclass(frozen=True)
class _Notice:
    id: str
    name: str
    text: str
    detail: str  # what it means and what to do: GitHub requires a fullDescription and help per descriptor


# Descriptors of the notifications this tool emits (tool.driver.notifications), in index order.
NOTICES = (
    _Notice("BCDR1001", "ReadError", "Part of the estate could not be read.",
            "A read failed (access denied, not found, throttled to exhaustion or a malformed payload). Every check "
            "that needed the data returns unknown, never pass. Grant the scanning identity Reader on the scope, "
            "or re-run when the service is available."),
    _Notice("BCDR1002", "UnknownVerdict", "A check could not judge a resource.",
            "Data the check needs is missing from the inventory, so the resource was neither passed nor failed. "
            "The verdict is a coverage gap, listed in the JSON report's coverage.unknown."),
    _Notice("BCDR1003", "ResultsTruncated", "Results were left out to stay within GitHub's upload limits.",
            "GitHub code scanning rejects a run above 25,000 results or a file above 10 MB compressed. The least "
            "severe results were dropped from this log; the JSON report lists every finding."),
    _Notice("BCDR2001", "AcceptedRiskExpired", "A baseline entry has expired.",
            "The accepted risk is past its expiry date and no longer suppresses findings. Fix the findings, or "
            "renew the entry with a new expiry date and a fresh justification."),
    _Notice("BCDR2002", "AcceptedRiskStale", "A baseline entry matches no finding.",
            "The risk the entry accepted is gone (the finding was fixed, or the resource removed). Remove the entry "
            "so the baseline does not silently accept the next problem of that resource."),
    _Notice("BCDR2003", "AcceptedRiskNotRun", "A baseline entry names checks that did not run.",
            "The checks the entry names were not selected in this scan (--check / --skip-check), so it could "
            "neither suppress nor be found stale."),
)
_NOTICE_INDEX = {n.id: i for i, n in enumerate(NOTICES)}


def render_sarif(scan: ScanResult, options: ReportOptions) -> bytes:
    """The log as the ASCII bytes written (as the JSON report is)."""
    return _fitted(scan, options, SarifLimits())[1]


def serialize(document: dict[str, Any]) -> bytes:
    """The log as written, ASCII bytes: secrets scrubbed here, so the size limits are judged on what is
    written."""
    return json_bytes(indented_json(document, jsonable))


def sarif_document(scan: ScanResult, options: ReportOptions, limits: SarifLimits | None = None) -> dict[str, Any]:
    return _fitted(scan, options, limits or SarifLimits())[0]


def _fitted(scan: ScanResult, options: ReportOptions, limits: SarifLimits) -> tuple[dict[str, Any], bytes]:
    """The log within GitHub's limits, and its text: each candidate built and serialized once (25,000
    results are a 60 MB log)."""
    ordered = active_findings(scan, options) + suppressed_findings(scan, options)
    kept = ordered[: limits.max_results]
    document = _document(scan, options, kept, len(ordered), limits)
    text = serialize(document)
    if len(text) > limits.max_gzip_bytes and not compressed_within(text, limits.max_gzip_bytes):
        return _fit_compressed_size(scan, options, kept, len(ordered), limits)
    return document, text


def _fit_compressed_size(scan: ScanResult, options: ReportOptions, kept: list[Outcome], total: int,
                         limits: SarifLimits) -> tuple[dict[str, Any], bytes]:
    """The largest prefix of `kept` (most severe first, all of it known not to fit) whose log fits GitHub's
    compressed-size limit."""
    low, high = 0, len(kept)
    best, best_text = _document(scan, options, [], total, limits), b""
    while low < high:
        middle = (low + high + 1) // 2
        candidate = _document(scan, options, kept[:middle], total, limits)
        text = serialize(candidate)
        if compressed_within(text, limits.max_gzip_bytes):
            best, best_text, low = candidate, text, middle
        else:
            high = middle - 1
    return best, best_text or serialize(best)


def compressed_within(text: bytes, limit: int) -> bool:
    """Whether the gzip-compressed log is at most `limit` bytes. Deflate's fastest level is tried first
    (a quarter of the time of level 9 on a 60 MB log): level 9 searches further for the same matches and
    on JSON logs always comes out smaller (3.3 MB against 1.9 MB for 25,000 results), so a log that fits
    at level 1 fits; one that does not is measured at level 9, as before."""
    return gzipped_size(text, level=1) <= limit or gzipped_size(text) <= limit


def gzipped_size(text: bytes, level: int = 9) -> int:
    """The size of the log gzip-compressed, a megabyte at a time (no second copy of a 60 MB log)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: a gzip header and trailer
    chunk = 1 << 20
    size = sum(len(compressor.compress(text[i : i + chunk])) for i in range(0, len(text), chunk))
    return size + len(compressor.flush())


def _document(scan: ScanResult, options: ReportOptions, outcomes: list[Outcome], total: int,
              limits: SarifLimits) -> dict[str, Any]:
    rule_index = {c.id: i for i, c in enumerate(scan.checks)}
    execution = _coverage_notifications(scan, rule_index, limits)
    if len(outcomes) < total:
        execution.append(_notification(
            "BCDR1003", "warning",
            f"{total - len(outcomes)} of {total} results were left out to stay within GitHub code scanning's "
            f"upload limits ({limits.max_results} results per run, {limits.max_gzip_bytes // (1024 * 1024)} MB "
            "compressed); the least severe went first. The JSON report lists every finding.",
            properties={"total": total, "kept": len(outcomes)}))
    invocation: dict[str, Any] = {
        "executionSuccessful": execution_successful(scan),
        "startTimeUtc": iso(scan.started_at),
        "endTimeUtc": iso(scan.finished_at),
        "toolExecutionNotifications": execution,
        "toolConfigurationNotifications": _baseline_notifications(options),
    }
    run: dict[str, Any] = {
        "tool": {"driver": _driver(scan.checks)},
        "automationDetails": {"id": automation_id(scan, options)},
        "originalUriBaseIds": _uri_bases(options),
        "invocations": [invocation],
        "results": [_result(o, rule_index[o.check.id], options) for o in outcomes],
        "properties": _run_properties(scan, options),
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _uri_bases(options: ReportOptions) -> dict[str, Any]:
    bases: dict[str, Any] = {URI_BASE_ID: {
        "description": {"text": "Azure Resource Manager resources, addressed as azure/<subscription>/"
                                "<resource group>/<provider>/<type>/<name> (lower case); not files."}}}
    if options.source_map is not None:
        bases[SOURCE_BASE_ID] = {"description": {"text": "The root of the repository holding the infrastructure-"
                                                         "as-code the findings are mapped to."}}
    return bases


def execution_successful(scan: ScanResult) -> bool:
    """False only when read errors left nothing to evaluate: the tool could not do its job at all."""
    return not (scan.inventory.gaps and not scan.outcomes)


# --- tool and rules ---------------------------------------------------------------------------
def _driver(checks: Sequence[Check]) -> dict[str, Any]:
    return {
        "name": TOOL_NAME,
        "fullName": f"{TOOL_NAME} {__version__}",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "rules": [rule(c) for c in checks],
        "notifications": [
            {"id": n.id, "name": n.name, "shortDescription": {"text": n.text}, "fullDescription": {"text": n.detail},
             "help": {"text": n.detail}, "helpUri": f"{INFORMATION_URI}/blob/main/docs/reports.md"}
            for n in NOTICES
        ],
    }


def rule(check: Check) -> dict[str, Any]:
    meta = check.metadata()
    level = LEVELS[check.severity]
    tags = list(dict.fromkeys(["reliability", "bcdr", *meta["tags"]]))[:MAX_TAGS]
    return {
        "id": check.id,
        "name": rule_name(check),
        "shortDescription": {"text": _sentence(check.title)},
        "fullDescription": {"text": _sentence(_flat(check.rationale))},
        "helpUri": DOCS_URL.format(id=check.id),
        "help": {"text": help_text(check), "markdown": check_page(check)},
        "defaultConfiguration": {"level": level},
        "properties": {
            "tags": tags,
            "precision": "very-high",  # configuration read from ARM, not inferred from code
            "problem.severity": PROBLEM_SEVERITY[level],
            "severity": str(check.severity),
            "service": check.service,
            "resourceTypes": list(check.resource_types()),
        },
    }


def rule_name(check: Check) -> str:
    """A PascalCase name, as SARIF recommends: the check's class name without `Check`."""
    name = type(check).__name__
    name = name[: -len("Check")] if name.endswith("Check") and len(name) > len("Check") else name
    return name if name != check.id else f"Check{re.sub(r'[^A-Za-z0-9]', '', check.id)}"


def help_text(check: Check) -> str:
    r = check.remediation
    lines = [_flat(check.rationale), "", "Guidance: " + _flat(check.guidance), "", "Requirement per strategy:"]
    lines += [f"- {strategy}: {verdict}" for strategy, verdict in check.logic.items()]
    lines += ["", "Remediation: " + _flat(r.summary)]
    lines += [f"{label}: {text.strip()}" for label, text in
              (("Portal", r.portal), ("Azure CLI", r.cli), ("Bicep / Terraform", r.iac)) if text]
    if check.references:
        lines += ["", "References:", *(f"- {ref}" for ref in check.references)]
    return "\n".join(lines)


# --- results ----------------------------------------------------------------------------------
def _result(outcome: Outcome, rule_index: int, options: ReportOptions) -> dict[str, Any]:
    r = outcome.resource
    level = LEVELS[outcome.severity]
    result: dict[str, Any] = {
        "ruleId": outcome.check.id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": level,
        "message": {"text": result_message(outcome)},
        "locations": [finding_location(outcome, options)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(outcome.check.id, r.id)},
        "properties": {
            "severity": str(outcome.severity),
            "zone": outcome.zone.name,
            "strategy": str(outcome.zone.strategy),
            "requirement": outcome.result.requirement,
            "resourceId": r.id,
            "resourceType": r.type,
            "subscriptionId": r.subscription_id,
            "resourceGroup": r.resource_group,
            "location": r.location,
            "evidence": dict(outcome.result.evidence),
        },
    }
    if options.source_map is not None:
        result["properties"]["source"] = source_json(options.source_map.match(outcome))
    if options.baseline is not None:
        entry = options.baseline.suppression_for(outcome)
        if entry is not None:
            result["suppressions"] = [{
                "kind": "external",
                "status": "accepted",
                "justification": terminal_text(f"{entry.justification} (owner {entry.owner}, accepted until "
                                               f"{entry.expires})"),
                "properties": {"baseline": options.baseline.source, "entry": entry.index, "owner": entry.owner,
                               "expires": entry.expires.isoformat()},
            }]
        elif (expired := options.baseline.expired_for(outcome)) is not None:
            result["properties"]["expiredAcceptance"] = {
                "baseline": options.baseline.source, "entry": expired.index, "owner": expired.owner,
                "expires": expired.expires.isoformat(), "justification": expired.justification}
    return result


def result_message(outcome: Outcome) -> str:
    r = outcome.resource
    where = ", ".join(p for p in (r.type, f"resource group {r.resource_group}" if r.resource_group else "",
                                  f"subscription {r.subscription_id}" if r.subscription_id else "") if p)
    text = f"{r.name} ({where}): {_flat(outcome.result.message).rstrip('.')}."
    requirement = requirement_text(outcome)
    if requirement:
        text += f" {requirement[0].upper()}{requirement[1:]}."
    return sarif_text(text)


def fingerprint(check_id: str, resource_id: str) -> str:
    """Stable alert identity: the same check failing on the same resource, whatever else changes."""
    return hashlib.sha256(f"{check_id}\n{resource_id.lower()}".encode()).hexdigest()


def artifact_uri(resource_id: str) -> str:
    """`/subscriptions/S/resourceGroups/G/providers/Microsoft.Sql/servers/a/databases/b` ->
    `azure/s/g/microsoft.sql/servers/a/databases/b`: readable, stable, relative, URI-safe."""
    parts = [p for p in resource_id.split("/") if p]
    out = ["azure"]
    i = 0
    while i < len(parts):
        marker = parts[i].lower()
        if marker in ("subscriptions", "resourcegroups", "providers") and i + 1 < len(parts):
            out.append(parts[i + 1])
            i += 2
        else:
            out.append(parts[i])
            i += 1
    segments = [segment.lower() for segment in out]
    uri = "/".join(segments)
    # quote() leaves these characters as they are: most ids need no call to it at all.
    return uri if _URI_AS_IS.fullmatch(uri) else "/".join(quote(segment, safe="-._~") for segment in segments)


def resource_location(resource_id: str, name: str | None = None) -> dict[str, Any]:
    logical: dict[str, Any] = {"fullyQualifiedName": resource_id, "kind": "resource"}
    if name:
        logical["name"] = name
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(resource_id), "uriBaseId": URI_BASE_ID},
            "region": {"startLine": 1},
        },
        "logicalLocations": [logical],
    }


def finding_location(outcome: Outcome, options: ReportOptions) -> dict[str, Any]:
    """The line of the IaC that declares the resource (relative to the repository root) when the source
    map places it, else the resource's own location; the resource id stays the logical location."""
    r = outcome.resource
    location = resource_location(r.id, r.name)
    source = options.source_map.location(outcome) if options.source_map is not None else None
    if source is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": quote(source.file, safe="/-._~"), "uriBaseId": SOURCE_BASE_ID},
            "region": {"startLine": max(source.line, 1)},
        }
    return location


def automation_id(scan: ScanResult, options: ReportOptions) -> str:
    """`bcdr-scan/<scope>/`: one GitHub analysis category per scanned scope.

    The trailing slash makes the whole id the category (SARIF: the part after the last slash is
    the run instance, left empty here so every nightly run replaces the previous one).
    """
    if options.sarif_category:
        category = options.sarif_category.strip()
        return category if category.endswith("/") else category + "/"
    subscriptions = scanned_subscriptions(scan, options)
    if not subscriptions:
        scope = "no-subscription"
    elif len(subscriptions) <= MAX_SUBSCRIPTIONS_IN_CATEGORY:
        scope = "+".join(subscriptions)
    else:  # keep the category short; the digest still tells different scopes apart
        digest = hashlib.sha256(",".join(subscriptions).encode()).hexdigest()[:12]
        scope = f"{len(subscriptions)}-subscriptions-{digest}"
    return f"{CATEGORY_PREFIX}/{scope}/"


# --- notifications ----------------------------------------------------------------------------
def _notification(notice_id: str, level: str, text: str, *, location: dict[str, Any] | None = None,
                  associated: tuple[str, int] | None = None,
                  properties: dict[str, Any] | None = None) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "descriptor": {"id": notice_id, "index": _NOTICE_INDEX[notice_id]},
        "level": level,
        "message": {"text": sarif_text(text)},
    }
    if location:
        notification["locations"] = [location]
    if associated:
        notification["associatedRule"] = {"id": associated[0], "index": associated[1]}
    if properties:
        notification["properties"] = properties
    return notification


def _coverage_notifications(scan: ScanResult, rule_index: dict[str, int], limits: SarifLimits) -> list[dict[str, Any]]:
    gaps = sorted(scan.inventory.gaps, key=lambda g: (g.scope.lower(), g.data.lower(), g.error))
    notes = [_read_error(g) for g in gaps[: limits.max_notifications]]
    if len(gaps) > limits.max_notifications:
        more = plural(len(gaps) - limits.max_notifications, "more read error")
        notes.append(_notification("BCDR1001", "error", f"{more}; the JSON report's coverage.read_errors lists them "
                                   "all."))
    unknown = scan.with_status(Status.UNKNOWN)
    for outcome in unknown[: limits.max_notifications]:
        r = outcome.resource
        notes.append(_notification(
            "BCDR1002", "warning",
            f"{outcome.check.id} could not judge {r.name} ({r.type}) in zone {outcome.zone.name}: "
            f"{_flat(outcome.result.message).removeprefix('cannot judge: ').rstrip('.')}.",
            location=resource_location(r.id, r.name), associated=(outcome.check.id, rule_index[outcome.check.id]),
            properties={"evidence": dict(outcome.result.evidence)}))
    if len(unknown) > limits.max_notifications:
        more = plural(len(unknown) - limits.max_notifications, "more unknown verdict")
        notes.append(_notification("BCDR1002", "warning", f"{more}; the JSON report's coverage.unknown lists them "
                                   "all."))
    return notes


def _read_error(gap: ReadGap) -> dict[str, Any]:
    status = f" (HTTP {gap.status})" if gap.status else ""
    what = "everything" if gap.data == "*" else gap.data
    return _notification(
        "BCDR1001", "error", f"Could not read {what} under {gap.scope}{status}: {_flat(gap.error).rstrip('.')}.",
        location={"logicalLocations": [{"fullyQualifiedName": gap.scope, "kind": "resource"}]},
        properties={"scope": gap.scope, "data": gap.data, "status": gap.status})


def _baseline_notifications(options: ReportOptions) -> list[dict[str, Any]]:
    applied = options.baseline
    if applied is None:
        return []
    notes = []
    for entry in applied.entries:
        status = str(applied.status(entry))
        subject = (f"Baseline {applied.source}, accepted_risks entry {entry.index} "
                   f"({entry.check} on {entry.resource}, owner {entry.owner})")
        props = {"baseline": applied.source, **entry.to_json()}
        if status == "expired":
            notes.append(_notification("BCDR2001", "warning", f"{subject} expired on {entry.expires}; it no longer "
                                       f"suppresses its {plural(applied.matched.get(entry.index, 0), 'finding')}.",
                                       properties=props))
        elif status == "stale":
            notes.append(_notification("BCDR2002", "warning", f"{subject} matches no finding; remove it.",
                                       properties=props))
        elif status == "not-run":
            notes.append(_notification("BCDR2003", "note", f"{subject} names no check that ran in this scan.",
                                       properties=props))
    return notes


def _run_properties(scan: ScanResult, options: ReportOptions) -> dict[str, Any]:
    active = active_findings(scan, options)
    return {
        "mode": options.mode,
        "snapshot": options.snapshot,
        "policy": scan.policy.source,
        "baseline": options.baseline.source if options.baseline else None,
        "collectedAt": iso(scan.inventory.collected_at),
        "scanTime": iso(scan.scan_time),
        "subscriptions": scanned_subscriptions(scan, options),
        "coverageComplete": scan.coverage_complete,
        "findings": len(active),
        "findingsBySeverity": severity_counts(active),
        "suppressed": len(suppressed_findings(scan, options)),
        "results": scan.counts(),
        "zones": zone_summaries(scan, options),
        "readiness": readiness_json(scan),
        **({"sourceMap": options.source_map.summary(scan.findings)} if options.source_map else {}),
    }


def _flat(text: str) -> str:
    return " ".join(text.split())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
