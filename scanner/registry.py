"""Check discovery: every Check subclass under the `checks` package, plus third-party checks.

Adding a bundled check is one file under `checks/<service>/` (and its test); nothing else is
edited. Other packages register checks in the `bcdr_scan.checks` entry-point group, pointing
at a Check subclass or at a module that defines some.
"""

from __future__ import annotations

import fnmatch
import importlib
import inspect
import pkgutil
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType

from scanner.check import Check
from scanner.errors import InputError

ENTRY_POINT_GROUP = "bcdr_scan.checks"
_REQUIRED_METADATA = ("id", "title", "service", "resource_type", "severity", "rationale", "guidance",
                      "logic", "remediation")


def discover(include_plugins: bool = True) -> list[Check]:
    """All known checks, instantiated once, sorted by id."""
    import checks as bundled

    classes: dict[str, type[Check]] = {}
    for module in _walk(bundled):
        _collect(classes, _checks_in(module), module.__name__)
    if include_plugins:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            loaded = ep.load()
            found = _checks_in(loaded) if inspect.ismodule(loaded) else [loaded]
            _collect(classes, found, f"entry point {ep.name}")
    return [cls() for _, cls in sorted(classes.items())]


def select(checks: list[Check], include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[Check]:
    """Narrow the checks to `--check` ids and drop `--skip-check` ids. Both take globs (`STG-*`), all
    case-insensitive; an id or glob that matches no check is an error, and so is a selection that
    leaves no check to run."""
    include, exclude = list(include), list(exclude)
    chosen = _matching(checks, include, "--check") if include else list(checks)
    skipped = {c.id for c in _matching(checks, exclude, "--skip-check")}
    selected = sorted((c for c in chosen if c.id not in skipped), key=lambda c: c.id)
    if not selected:
        raise InputError("--skip-check", None, "skips every check selected; nothing would be judged")
    return selected


def _matching(checks: list[Check], patterns: list[str], option: str) -> list[Check]:
    found: dict[str, Check] = {}
    for pattern in patterns:
        wanted = pattern.upper()
        hits = [c for c in checks if fnmatch.fnmatchcase(c.id.upper(), wanted)]
        if not hits:
            what = "no check id matches" if any(ch in wanted for ch in "*?[") else "unknown check id"
            raise InputError(option, None, f"{what} {wanted!r}; 'bcdr-scan checks list' shows the known ids")
        found.update((c.id, c) for c in hits)
    return list(found.values())


def find(checks: list[Check], check_id: str) -> Check:
    for check in checks:
        if check.id.upper() == check_id.upper():
            return check
    raise InputError("check id", None, f"unknown check id {check_id!r}; 'bcdr-scan checks list' shows them")


def _walk(package: ModuleType) -> Iterable[ModuleType]:
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        yield importlib.import_module(info.name)


def _checks_in(module: ModuleType) -> list[type[Check]]:
    return [obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, Check) and obj is not Check
            and obj.__module__ == module.__name__ and "id" in vars(obj)]


def _collect(classes: dict[str, type[Check]], found: Iterable[object], origin: str) -> None:
    for cls in found:
        if not (inspect.isclass(cls) and issubclass(cls, Check)):
            raise TypeError(f"{origin}: {cls!r} is not a Check subclass")
        missing = [m for m in _REQUIRED_METADATA if not hasattr(cls, m)]
        if missing:
            raise TypeError(f"{origin}: check {cls.__name__} lacks metadata {', '.join(missing)}")
        if cls.id in classes and classes[cls.id] is not cls:
            raise TypeError(f"{origin}: check id {cls.id} is already defined by {classes[cls.id].__module__}")
        classes[cls.id] = cls
