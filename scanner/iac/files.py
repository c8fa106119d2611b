"""Reading the source root safely: its files are untrusted input.

Bounded (files, bytes, directory depth), no symlink is followed out of the root, a module or
linked-template path that leaves the root is refused, and nothing is executed.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from scanner.iac.model import ReadProblem

MAX_FILE_BYTES = 2 * 1024 * 1024  # the largest template read (a generated ARM template of a big estate is ~1 MB)
MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_FILES = 5_000  # IaC files indexed; the rest are reported as skipped
MAX_DEPTH = 24
MAX_DIRECTORIES = 20_000
SKIPPED_DIRECTORIES = {"node_modules", "__pycache__", "venv", "site-packages", "bin", "obj"}
IAC_SUFFIXES = (".bicep", ".bicepparam", ".json", ".tf", ".tfvars", ".tfstate")
JSON_SNIFF_BYTES = 4096  # a JSON file is read whole only when its start looks like a template, parameters or plan


@dataclass
class SourceFiles:
    """The IaC files of a source root (POSIX paths relative to it) and what was skipped, with why."""

    root: Path
    files: list[str] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    total_bytes: int = 0

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str | None:
        """The file's text, or None (and a problem recorded) when it is too large, unreadable or not UTF-8."""
        path = self.path(relative)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            self.problems.append(ReadProblem(relative, f"cannot be read ({exc.strerror or exc})"))
            return None
        if len(data) > MAX_FILE_BYTES:
            self.problems.append(ReadProblem(relative, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB",
                                             bound=True))
            return None
        if self.total_bytes + len(data) > MAX_TOTAL_BYTES:
            self.problems.append(ReadProblem(relative, f"over the {MAX_TOTAL_BYTES // (1024 * 1024)} MiB read in "
                                                       "all; not read", bound=True))
            return None
        self.total_bytes += len(data)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.problems.append(ReadProblem(relative, "not UTF-8 text"))
            return None

    def sniff(self, relative: str) -> str:
        """The first bytes of a file (to tell a template from any other JSON without reading it all)."""
        try:
            with self.path(relative).open("rb") as handle:
                return handle.read(JSON_SNIFF_BYTES).decode("utf-8", "replace")
        except OSError:
            return ""

    def inside(self, base: str, reference: str) -> str | None:
        """`reference` (a module or linked-template path) relative to the file `base`, as a root-relative
        path; None when it is absolute, leaves the root (`../..`, a symlink out) or is not a file."""
        if not reference or reference.startswith(("/", "\\")) or ":" in reference.split("/")[0]:
            return None
        candidate = (self.root / base).parent / reference
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not resolved.is_relative_to(self.root) or not (resolved.is_file() or resolved.is_dir()):
            return None
        return resolved.relative_to(self.root).as_posix()


def git_work_tree(start: Path) -> Path | None:
    """The top of the git work tree `start` is in, or None (no git, or not in a work tree)."""
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start, capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    top = done.stdout.strip()
    return Path(top) if done.returncode == 0 and top else None


def list_source_files(root: Path) -> SourceFiles:
    """Every IaC-looking file under `root`, in a stable order, within the bounds."""
    root = root.resolve()
    found = SourceFiles(root)
    stack: list[tuple[Path, int]] = [(root, 0)]
    directories = 0
    while stack:
        directory, depth = stack.pop()
        directories += 1
        if directories > MAX_DIRECTORIES:
            found.problems.append(ReadProblem(_relative(root, directory), f"more than {MAX_DIRECTORIES} directories; "
                                                                          "the rest were not searched", bound=True))
            break
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            found.problems.append(ReadProblem(_relative(root, directory), f"cannot be listed ({exc.strerror or exc})"))
            continue
        subdirectories = []
        for entry in entries:
            if entry.name.startswith("."):
                continue  # .git, .terraform, .venv, editor state: never infrastructure to map
            relative = _relative(root, Path(entry.path))
            if entry.is_symlink() and not _stays_inside(root, Path(entry.path)):
                found.problems.append(ReadProblem(relative, "a symlink out of the source root; not followed"))
                continue
            if entry.is_dir():
                if entry.name in SKIPPED_DIRECTORIES:
                    continue
                if depth + 1 > MAX_DEPTH:
                    found.problems.append(ReadProblem(relative, f"deeper than {MAX_DEPTH} directories; not searched",
                                                      bound=True))
                    continue
                subdirectories.append(Path(entry.path))
            elif entry.is_file() and entry.name.lower().endswith(IAC_SUFFIXES):
                if len(found.files) >= MAX_FILES:
                    found.problems.append(ReadProblem(relative, f"more than {MAX_FILES} IaC-looking files (.bicep, "
                                                                ".json, .tf...); this one and the rest were not "
                                                                "indexed", bound=True))
                    found.files.sort()
                    return found
                found.files.append(relative)
        stack.extend((d, depth + 1) for d in reversed(subdirectories))
    found.files.sort()
    return found


def _stays_inside(root: Path, path: Path) -> bool:
    try:
        return path.resolve(strict=True).is_relative_to(root)
    except (OSError, RuntimeError):
        return False


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()
