"""State shared by the IaC readers while one source root is indexed: files, caches, bounds, findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.iac.files import SourceFiles
from scanner.iac.model import Declaration, Loc, ReadProblem

MAX_INSTANTIATIONS = 20_000  # template evaluations (a module called in a loop counts once per item)
MAX_DECLARATIONS = 200_000
MAX_MODULE_DEPTH = 16


class BudgetExceeded(Exception):
    """The repository asks for more evaluation than the bounds allow; what was read so far is kept."""


@dataclass
class IndexContext:
    files: SourceFiles
    declarations: list[Declaration] = field(default_factory=list)
    cache: dict[tuple[str, str], Any] = field(default_factory=dict)  # (reader, file) -> parsed file
    instantiations: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # files read per language

    @property
    def problems(self) -> list[ReadProblem]:
        return self.files.problems

    def problem(self, file: str, reason: str, bound: bool = False) -> None:
        if not any(p.file == file and p.reason == reason for p in self.files.problems[-50:]):
            self.files.problems.append(ReadProblem(file, reason, bound))

    def begin_instantiation(self) -> None:
        self.instantiations += 1
        if self.instantiations > MAX_INSTANTIATIONS:
            raise BudgetExceeded(f"more than {MAX_INSTANTIATIONS} template evaluations")

    def declare(self, declaration: Declaration) -> None:
        if len(self.declarations) >= MAX_DECLARATIONS:
            raise BudgetExceeded(f"more than {MAX_DECLARATIONS} resource declarations")
        self.declarations.append(declaration)

    def loc(self, file: str, line: int) -> Loc:
        return Loc(file, max(int(line), 1))
