"""The IaC source map: findings located in the Bicep, ARM JSON and Terraform that deploy their resources.

`scan --source-root DIR` (default: the git work tree of the current directory; off with
`--no-source-map`) indexes the tree (scanner.iac.index), then each finding is matched to the
declaration that deploys its resource (scanner.iac.sourcemap). Reporters ask the map for a
finding's location; a finding it cannot place keeps its resource location. docs/source-map.md.
"""

from __future__ import annotations

from pathlib import Path

import click

from scanner.errors import InputError, one_line
from scanner.iac.files import git_work_tree
from scanner.iac.index import SourceIndex, build_index
from scanner.iac.sourcemap import AMBIGUOUS, MAPPED, UNMAPPED, Match, SourceLocation, SourceMap


def check_source_options(source_root: str | None, plans: tuple[str, ...]) -> None:
    """Refuse a missing --source-root or --terraform-plan before anything slow runs."""
    if source_root is not None and not Path(source_root).is_dir():
        raise InputError(source_root, None, "--source-root must be a directory")
    for plan in plans:
        if not Path(plan).is_file():
            raise InputError(plan, None, "--terraform-plan must be a file (terraform show -json output)")


def source_map_for(source_root: str | None, *, disabled: bool, plans: tuple[str, ...] = (),
                   cwd: Path | None = None, uri_prefix: str | None = None) -> SourceMap | None:
    """The source map the scan options ask for, or None (off, or no git work tree to default to).

    URIs are relative to the repository root (the git work tree around the source root, if any),
    which is what GitHub code scanning resolves them against; `uri_prefix` says where the root is
    instead (the bundled sample, wherever the package is installed)."""
    if disabled:
        return None
    check_source_options(source_root, plans)
    if source_root is not None:
        root = Path(source_root)
    else:
        found = git_work_tree(cwd or Path.cwd())
        if found is None:
            return None
        root = found
    root = root.resolve()
    index = build_index(root, [Path(p) for p in plans])
    _say_where_bounds_stopped(index)
    if uri_prefix is not None:
        return SourceMap(index, uri_prefix)
    repository = git_work_tree(root) if source_root is not None else root
    prefix = ""
    if repository is not None and root.is_relative_to(repository.resolve()):
        prefix = root.relative_to(repository.resolve()).as_posix()
        prefix = "" if prefix == "." else prefix
    return SourceMap(index, prefix)


def _say_where_bounds_stopped(index: SourceIndex) -> None:
    """One stderr line when a bound left part of the tree unindexed (a scan run from a large unrelated
    repository): the findings there stay unmapped, and the user should know why."""
    stopped = [p for p in index.problems if p.bound]
    if stopped:
        click.echo(f"bcdr-scan: notice: the source map indexed part of {one_line(str(index.root))} only: "
                   f"{one_line(f'{stopped[0].file}: {stopped[0].reason}')}; give --source-root DIR (the "
                   "infrastructure-as-code) or --no-source-map", err=True)


__all__ = ["AMBIGUOUS", "MAPPED", "UNMAPPED", "Match", "SourceLocation", "SourceMap", "check_source_options",
           "source_map_for"]
