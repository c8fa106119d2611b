"""Accepted risks (`--baseline FILE`): findings a team has decided to live with for a while.

A baseline entry names a check id and a resource id (both may be globs, matched
case-insensitively, as ARM compares ids), who accepted the risk, why, and until when. A matching
finding is *suppressed*: it stays in every report, marked with the acceptance, but no longer
counts for `--fail-on`. Acceptances are temporary by design: an expired entry stops suppressing
and the report says so, and an entry that matches no finding is reported as stale so the file
does not silently accumulate permissions nobody needs any more.

    version: 1
    accepted_risks:
      - check: STG-001
        resource: /subscriptions/<id>/resourceGroups/rg-research-sandbox/providers/Microsoft.Storage/*
        justification: Sandbox data is synthetic and rebuilt from code every night.
        owner: research-platform@contoso.com
        expires: 2027-06-30
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from scanner.engine import Outcome, ScanResult
from scanner.errors import InputError, shown
from scanner.user_yaml import read_yaml

BASELINE_VERSION = 1
_ENTRY_FIELDS = ("check", "resource", "justification", "owner", "expires")
_GLOB_CHARS = frozenset("*?[")


class EntryStatus(StrEnum):
    ACTIVE = "active"  # suppresses at least one finding of this scan
    EXPIRED = "expired"  # past its expiry date: suppresses nothing any more
    STALE = "stale"  # its check ran but it matched no finding: the risk is gone, remove the entry
    NOT_RUN = "not-run"  # no check it names ran in this scan (--check / --skip-check): nothing to judge


@dataclass(frozen=True)
class Entry:
    """One accepted risk. `index` is its position in the file, so reports can point back to it."""

    index: int
    check: str
    resource: str
    justification: str
    owner: str
    expires: date
    _check_re: re.Pattern[str] = field(repr=False, compare=False, default=re.compile(""))
    _resource_re: re.Pattern[str] = field(repr=False, compare=False, default=re.compile(""))

    @classmethod
    def create(cls, index: int, check: str, resource: str, justification: str, owner: str,
               expires: date) -> Entry:
        return cls(index, check, resource, justification, owner, expires,
                   _compile(check), _compile(resource))

    def matches(self, check_id: str, resource_id: str) -> bool:
        return bool(self._check_re.match(check_id.lower()) and self._resource_re.match(resource_id.lower()))

    def covers_check(self, check_id: str) -> bool:
        return bool(self._check_re.match(check_id.lower()))

    def expired_on(self, day: date) -> bool:
        """An entry is valid through its expiry date, and expired from the day after."""
        return day > self.expires

    def to_json(self) -> dict[str, Any]:
        return {"entry": self.index, "check": self.check, "resource": self.resource,
                "justification": self.justification, "owner": self.owner, "expires": self.expires.isoformat()}


@dataclass(frozen=True)
class Baseline:
    source: str
    entries: tuple[Entry, ...]


@dataclass
class AppliedBaseline:
    """A baseline judged against one scan: which finding each entry suppresses, and each entry's state."""

    baseline: Baseline
    scan_date: date
    suppressing: dict[tuple[str, str], Entry] = field(default_factory=dict)
    expired_matches: dict[tuple[str, str], Entry] = field(default_factory=dict)
    matched: dict[int, int] = field(default_factory=dict)
    statuses: dict[int, EntryStatus] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.baseline.source

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self.baseline.entries

    def suppression_for(self, outcome: Outcome) -> Entry | None:
        return self.suppressing.get(outcome.key)

    def expired_for(self, outcome: Outcome) -> Entry | None:
        """The expired entry that would have suppressed this finding, so the report can say why it is back."""
        return self.expired_matches.get(outcome.key)

    def is_suppressed(self, outcome: Outcome) -> bool:
        return outcome.key in self.suppressing

    def status(self, entry: Entry) -> EntryStatus:
        return self.statuses[entry.index]

    def with_status(self, status: EntryStatus) -> list[Entry]:
        return [e for e in self.entries if self.statuses[e.index] == status]

    def entry_json(self, entry: Entry) -> dict[str, Any]:
        return {**entry.to_json(), "status": str(self.status(entry)), "matched": self.matched.get(entry.index, 0)}

    def suppression_json(self, outcome: Outcome) -> dict[str, Any] | None:
        """The `suppression` object of a finding's JSON: accepted, expired, or None when no entry matches."""
        entry = self.suppression_for(outcome)
        status = "accepted"
        if entry is None:
            entry, status = self.expired_for(outcome), "expired"
        if entry is None:
            return None
        return {"kind": "external", "status": status, "baseline": self.source, **entry.to_json()}


def load_baseline(path: str | Path, known_checks: Iterable[str] = ()) -> Baseline:
    """Read and validate a baseline file. Any defect is an InputError naming the file and the field."""
    document = read_yaml(path, "baseline")
    return parse_baseline(document, str(path), known_checks)


def parse_baseline(document: Any, source: str, known_checks: Iterable[str] = ()) -> Baseline:
    if not isinstance(document, Mapping):
        raise InputError(source, None, "expected a mapping with an 'accepted_risks' list at the top level")
    unknown = sorted(str(k) for k in document if k not in ("version", "accepted_risks"))
    if unknown:
        raise InputError(source, unknown[0][:80], "unknown field; expected version and accepted_risks")
    version = document.get("version", BASELINE_VERSION)
    if type(version) is not int or version != BASELINE_VERSION:
        raise InputError(source, "version", f"expected {BASELINE_VERSION}, got {shown(version)}")
    if "accepted_risks" not in document:
        raise InputError(source, "accepted_risks", "missing; expected a list of accepted risks (may be empty)")
    items = document["accepted_risks"] or []
    if not isinstance(items, list):
        raise InputError(source, "accepted_risks", "expected a list of accepted risks")
    known = {c.lower() for c in known_checks}
    entries = tuple(_parse_entry(item, i, source, known) for i, item in enumerate(items))
    _reject_duplicates(entries, source)
    return Baseline(source, entries)


def apply_baseline(baseline: Baseline, scan: ScanResult) -> AppliedBaseline:
    """Decide, for every failing finding, whether an unexpired entry suppresses it.

    Expiry is judged on the scan date (the day the estate was collected), so re-evaluating an old
    snapshot gives the verdicts its scan gave; the first unexpired matching entry wins.
    """
    day = scan.scan_time.astimezone(UTC).date() if scan.scan_time.tzinfo else scan.scan_time.date()
    applied = AppliedBaseline(baseline, day)
    for outcome in scan.findings:
        matching = [e for e in baseline.entries if e.matches(outcome.check.id, outcome.resource.id)]
        for entry in matching:
            applied.matched[entry.index] = applied.matched.get(entry.index, 0) + 1
        live = [e for e in matching if not e.expired_on(day)]
        if live:
            applied.suppressing[outcome.key] = live[0]
        elif matching:
            applied.expired_matches[outcome.key] = matching[0]
    ran = [c.id for c in scan.checks]
    for entry in baseline.entries:
        applied.statuses[entry.index] = _status(entry, applied, day, ran)
    return applied


def _status(entry: Entry, applied: AppliedBaseline, day: date, ran: list[str]) -> EntryStatus:
    if entry.expired_on(day):
        return EntryStatus.EXPIRED
    if not any(entry.covers_check(c) for c in ran):
        return EntryStatus.NOT_RUN
    return EntryStatus.ACTIVE if applied.matched.get(entry.index) else EntryStatus.STALE


def _parse_entry(item: Any, index: int, source: str, known: set[str]) -> Entry:
    where = f"accepted_risks[{index}]"
    if not isinstance(item, Mapping):
        raise InputError(source, where, f"expected a mapping with {', '.join(_ENTRY_FIELDS)}")
    unknown = sorted(str(k) for k in item if k not in _ENTRY_FIELDS)
    if unknown:
        raise InputError(source, f"{where}.{unknown[0][:80]}",
                         f"unknown field; expected one of {', '.join(_ENTRY_FIELDS)}")
    text = {name: _text(item, name, where, source) for name in ("check", "resource", "justification", "owner")}
    check = text["check"]
    if known and not _has_glob(check) and check.lower() not in known:
        raise InputError(source, f"{where}.check",
                         f"unknown check id {shown(check)}; 'bcdr-scan checks list' shows them")
    resource = text["resource"]
    if not (resource.lower().startswith("/subscriptions/") or resource[0] in _GLOB_CHARS):
        raise InputError(source, f"{where}.resource", "expected a full resource id (/subscriptions/...) or a glob "
                         f"starting with '*', got {shown(resource)}")
    expires = _date(item.get("expires"), f"{where}.expires", source)
    return Entry.create(index, check, resource, text["justification"], text["owner"], expires)


def _text(item: Mapping[str, Any], name: str, where: str, source: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        what = "missing" if value is None else f"got {shown(value)}"
        raise InputError(source, f"{where}.{name}", f"{what}; expected a non-empty string")
    return value.strip()


def _date(value: Any, where: str, source: str) -> date:
    """An ISO 8601 date (`2027-06-30`), or a timestamp read as its UTC date. The YAML loader leaves
    dates as text, so an impossible one (`2027-02-30`) is reported here, not by a crash in YAML."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    expected = "expected an expiry date like 2027-06-30"
    if not isinstance(value, str):
        what = "missing" if value is None else f"got {shown(value)}"
        raise InputError(source, where, f"{what}; {expected}")
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:  # "day is out of range for month" is worth saying; "Invalid isoformat" is not
        reason = "" if str(exc).startswith("Invalid isoformat") else f" ({exc})"
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(source, where, f"got {shown(value)}; {expected}{reason}") from None
    return (stamp.astimezone(UTC) if stamp.tzinfo else stamp).date()


def _reject_duplicates(entries: tuple[Entry, ...], source: str) -> None:
    seen: dict[tuple[str, str], int] = {}
    for entry in entries:
        key = (entry.check.lower(), entry.resource.lower())
        if key in seen:
            raise InputError(source, f"accepted_risks[{entry.index}]",
                             f"repeats accepted_risks[{seen[key]}] (same check and resource)")
        seen[key] = entry.index


def _has_glob(text: str) -> bool:
    return any(c in _GLOB_CHARS for c in text)


def _compile(pattern: str) -> re.Pattern[str]:
    # Compiled once per entry: a large estate is matched against every entry.
    return re.compile(fnmatch.translate(pattern.lower()))
