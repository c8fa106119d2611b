"""The contract every check implements: metadata beside code, and one verdict per resource.

A check looks at one ARM resource in the light of the landing zone it belongs to and returns
pass, fail (with evidence: observed vs required), not-applicable or unknown (data missing).
Unknown is never folded into pass: the report lists it as a coverage gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar

from scanner.model import Inventory, ReadGap, Resource
from scanner.policy import Policy, Zone


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not-applicable"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe: critical=4 ... info=0."""
        return SEVERITY_RANK[self]


SEVERITY_RANK = {severity: rank for rank, severity in enumerate(reversed(Severity))}


# What a verdict without evidence holds (most not-applicable ones): one shared, read-only empty mapping
# rather than 150,000 empty dicts at 100,000 resources.
NO_EVIDENCE: Mapping[str, Any] = MappingProxyType({})

# Not frozen: a scan makes one Result and one Outcome per check and resource (259,000 of each at 100,000
# resources), and a frozen dataclass's __init__ costs five times a plain one (bench/bench_evaluate.py).
# Nothing changes them once made. Slots: a third of the memory.
@dataclass(slots=True)
class Result:
    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=lambda: NO_EVIDENCE)
    severity: Severity | None = None
    requirement: str | None = None
    gap: ReadGap | None = None
    # A failure that is the same gap as these checks' failures (`CHECK-ID` on the same resource, or
    # `CHECK-ID@<resource id>` on another, such as a database's instance): where one of them fails in the
    # same scan, the engine reports the gap there and this result becomes not-applicable (no duplicate).
    defer_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Remediation:
    summary: str
    portal: str = ""
    cli: str = ""
    iac: str = ""  # the Bicep / Terraform property to set

    def to_json(self) -> dict[str, str]:
        return {"summary": self.summary, "portal": self.portal, "cli": self.cli, "iac": self.iac}


@dataclass(frozen=True)
class EvaluationContext:
    inventory: Inventory
    zone: Zone
    policy: Policy
    scan_time: datetime


class Check:
    """Base class of all checks. Subclasses set the metadata and implement `evaluate`."""

    id: ClassVar[str]
    title: ClassVar[str]
    service: ClassVar[str]
    resource_type: ClassVar[str | tuple[str, ...]]  # one ARM type, or several for estate-wide checks
    severity: ClassVar[Severity]
    rationale: ClassVar[str]
    guidance: ClassVar[str]  # the guidance section (quoted) the check turns into a verdict
    logic: ClassVar[Mapping[str, str]]  # what is required under each strategy
    remediation: ClassVar[Remediation]
    references: ClassVar[tuple[str, ...]] = ()
    tags: ClassVar[tuple[str, ...]] = ()

    def evaluate(self, resource: Resource, ctx: EvaluationContext) -> Result:
        raise NotImplementedError

    @classmethod
    def resource_types(cls) -> tuple[str, ...]:
        types = cls.resource_type
        return (types,) if isinstance(types, str) else tuple(types)

    def applies_to(self, resource: Resource) -> bool:
        """Narrow further than the resource type (e.g. skip system databases). Default: every resource."""
        return True

    # --- verdict helpers: keep evidence uniform across checks ------------------------------
    def passed(self, message: str, **evidence: Any) -> Result:
        return Result(Status.PASS, message, evidence)

    def failed(self, message: str, *, observed: Any, required: Any, requirement: str | None = None,
               severity: Severity | None = None, **extra: Any) -> Result:
        evidence = {"observed": observed, "required": required, **extra}
        return Result(Status.FAIL, message, evidence, severity or self.severity, requirement)

    def not_applicable(self, reason: str) -> Result:
        return Result(Status.NOT_APPLICABLE, reason)

    def unknown(self, missing: str, gap: ReadGap | None = None) -> Result:
        evidence: dict[str, Any] = {"missing": missing}
        if gap:
            evidence["read_error"] = gap.error
        return Result(Status.UNKNOWN, f"cannot judge: {missing} was not read", evidence, gap=gap)

    @classmethod
    def metadata(cls) -> dict[str, Any]:
        return {
            "id": cls.id,
            "title": cls.title,
            "service": cls.service,
            "resource_type": ", ".join(cls.resource_types()),
            "severity": str(cls.severity),
            "rationale": cls.rationale,
            "guidance": cls.guidance,
            "logic": dict(cls.logic),
            "remediation": cls.remediation.to_json(),
            "references": list(cls.references),
            "tags": ["bcdr", "reliability", cls.service.lower(), *cls.tags],
        }
