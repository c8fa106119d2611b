"""What the IaC readers produce: resource declarations, with where each of their properties is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A property path in ARM terms, e.g. ("sku", "name") or ("properties", "enablePurgeProtection").
PropertyPath = tuple[str, ...]


@dataclass(frozen=True, order=True)
class Loc:
    """A place in a file of the source root: a POSIX path relative to the root, and a line (1-based)."""

    file: str
    line: int


@dataclass
class Declaration:
    """One resource a template declares, as one instantiation of the template evaluates it.

    `name` and `resource_group` are values (scanner.iac.values): text, a Pattern or UNKNOWN; the
    name of a child resource is its full slash-separated path (`server/database`). `properties`
    maps ARM property paths to where they are written; a path whose value is an expression rather
    than an object literal is in `computed` (the properties below it are set there, as a whole).
    """

    language: str  # bicep | arm | terraform
    type: str  # ARM resource type, e.g. Microsoft.Storage/storageAccounts
    name: Any
    loc: Loc
    resource_group: Any = None  # None: the deployment's scope decides, the template does not say
    resource_id: str | None = None  # known exactly (Terraform state)
    properties: dict[PropertyPath, Loc] = field(default_factory=dict)
    computed: set[PropertyPath] = field(default_factory=set)
    symbol: str = ""  # the template's own name for it (Bicep symbol, Terraform address)

    @property
    def site(self) -> Loc:
        return self.loc


@dataclass
class ReadProblem:
    """A file the index skipped or could only partly read, and why (shown in the reports)."""

    file: str
    reason: str
    bound: bool = False  # a bound of files.py / context.py stopped indexing here (said on stderr too)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "reason": self.reason, **({"bound": True} if self.bound else {})}
