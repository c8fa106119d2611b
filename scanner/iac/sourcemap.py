"""Findings to declarations: the file and line where a finding's resource is deployed from.

A finding's resource is matched by type and name (and resource group, where the declaration says
which) against every declaration of the index. Evidence has three strengths: the exact resource
id (a Terraform state), the exact name, and a name pattern (`*-raw` from `'${prefix}-raw'`); only
the strongest kind found counts. Exactly one declaration site with it: mapped. Several sites:
ambiguous, and the finding keeps its resource location: never a guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scanner.engine import Outcome
from scanner.iac.index import SourceIndex
from scanner.iac.judged import paths_for, split_path
from scanner.iac.model import Declaration, Loc
from scanner.iac.values import UNKNOWN, Pattern

MAPPED, AMBIGUOUS, UNMAPPED = "mapped", "ambiguous", "unmapped"
EXACT_ID, EXACT_NAME, NAME_PATTERN = 3, 2, 1
EVIDENCE = {EXACT_ID: "resource id", EXACT_NAME: "name", NAME_PATTERN: "name pattern"}


@dataclass(frozen=True)
class SourceLocation:
    """Where a finding's fix is written: `file` relative to the repository root, `line` of the judged
    property (or of the declaration), `declaration_line` where the resource is declared."""

    file: str
    line: int
    declaration_line: int
    language: str
    property: str | None  # the judged property found at `line`, None for the declaration's first line
    evidence: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "declaration_line": self.declaration_line,
                "language": self.language, "property": self.property, "matched_by": self.evidence}


@dataclass(frozen=True)
class Match:
    status: str
    location: SourceLocation | None = None
    candidates: int = 0


def resource_names(resource_id: str) -> tuple[str, str] | None:
    """(`Microsoft.Sql/servers/databases`, `server/db`) from an ARM id; None if it is not a resource id."""
    lowered = resource_id.lower()
    cut = lowered.rfind("/providers/")
    if cut < 0:
        return None
    namespace, *rest = resource_id[cut + len("/providers/"):].split("/")
    if len(rest) < 2 or len(rest) % 2:
        return None
    return "/".join([namespace, *rest[0::2]]), "/".join(rest[1::2])


def _name_strength(value: Any, name: str) -> int:
    if isinstance(value, str):
        return EXACT_NAME if value.lower() == name.lower() else 0
    if isinstance(value, Pattern) and value.evidence and value.matches(name):
        return NAME_PATTERN
    return 0


def _group_allows(value: Any, group: str | None) -> bool:
    if value is None or value is UNKNOWN or group is None:
        return True
    if isinstance(value, str):
        return value.lower() == group.lower()
    if isinstance(value, Pattern):
        return value.matches(group)
    return True


class SourceMap:
    def __init__(self, index: SourceIndex, prefix: str = "") -> None:
        self.index = index
        self.prefix = prefix  # the source root's path inside the repository ('' at its top), for SARIF URIs
        self.by_type: dict[str, list[Declaration]] = {}
        for declaration in index.declarations:
            self.by_type.setdefault(declaration.type.lower(), []).append(declaration)
        self._matches: dict[tuple[str, str], Match] = {}

    def candidates(self, resource_type: str, name: str, group: str | None,
                   resource_id: str | None = None) -> list[tuple[int, Declaration]]:
        """The declarations of the strongest evidence found for this resource."""
        found: list[tuple[int, Declaration]] = []
        for declaration in self.by_type.get(resource_type.lower(), ()):
            if resource_id and declaration.resource_id:
                strength = EXACT_ID if declaration.resource_id.lower() == resource_id.lower() else 0
            else:
                strength = _name_strength(declaration.name, name)
            if strength and _group_allows(declaration.resource_group, group):
                found.append((strength, declaration))
        if not found:
            return []
        best = max(s for s, _ in found)
        return [(s, d) for s, d in found if s == best]

    def match(self, outcome: Outcome) -> Match:
        key = (outcome.check.id, outcome.resource.key)
        if key not in self._matches:
            self._matches[key] = self._match(outcome)
        return self._matches[key]

    def _match(self, outcome: Outcome) -> Match:
        resource = outcome.resource
        names = resource_names(resource.id)
        if names is None:
            return Match(UNMAPPED)
        resource_type, name = names
        found = self.candidates(resource.type or resource_type, name, resource.resource_group, resource.id)
        sites = {d.site for _, d in found}
        if not sites:
            return Match(UNMAPPED)
        if len(sites) > 1:
            return Match(AMBIGUOUS, candidates=len(sites))
        strength = found[0][0]
        declarations = [d for _, d in found]
        line, judged = self._judged_line(outcome, declarations, resource_type, name, resource.resource_group)
        first = declarations[0]
        return Match(MAPPED, SourceLocation(self._uri(line.file), line.line, first.loc.line, first.language,
                                            judged, EVIDENCE[strength]), 1)

    def _judged_line(self, outcome: Outcome, declarations: list[Declaration], resource_type: str, name: str,
                     group: str | None) -> tuple[Loc, str | None]:
        """The line of the judged property when every instantiation of the declaration agrees on it."""
        paths = paths_for(outcome.check)
        language = declarations[0].language
        for path in paths.terraform if language == "terraform" else paths.arm:
            child, steps = split_path(path)
            targets = declarations
            if child is not None:
                child_type, child_name = child.split("/", 1)
                found = self.candidates(f"{resource_type}/{child_type}", f"{name}/{child_name}", group)
                if len({d.site for _, d in found}) != 1:
                    continue
                targets = [d for _, d in found]
            places = {_property_line(d, steps) for d in targets}
            if len(places) == 1 and None not in places:
                return places.pop(), path  # type: ignore[return-value]
            if child is not None and len({d.site for d in targets}) == 1:
                return targets[0].loc, child.split("/")[0]
        return declarations[0].loc, None

    def _uri(self, file: str) -> str:
        return f"{self.prefix}/{file}" if self.prefix else file

    def location(self, outcome: Outcome) -> SourceLocation | None:
        return self.match(outcome).location

    def counts(self, outcomes: Iterable[Outcome]) -> dict[str, int]:
        tally = Counter(self.match(o).status for o in outcomes)
        return {MAPPED: tally[MAPPED], AMBIGUOUS: tally[AMBIGUOUS], UNMAPPED: tally[UNMAPPED]}

    def summary(self, outcomes: Iterable[Outcome]) -> dict[str, Any]:
        return {"root": self.prefix or ".", **self.counts(outcomes), **self.index.summary()}


def _property_line(declaration: Declaration, steps: tuple[str, ...]) -> Loc | None:
    """Where `steps` is written in the declaration, or where a value computed as a whole sets it."""
    lowered = {tuple(s.lower() for s in path): loc for path, loc in declaration.properties.items()}
    target = tuple(s.lower() for s in steps)
    if target in lowered:
        return lowered[target]
    computed = {tuple(s.lower() for s in path) for path in declaration.computed}
    for length in range(len(target) - 1, 0, -1):
        prefix = target[:length]
        if prefix in computed and prefix in lowered:
            return lowered[prefix]
    return None
