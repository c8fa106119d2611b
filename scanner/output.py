"""Where a report, diff or snapshot goes: the `--output` rules of `scan`, `diff` and `collect`.

- `-`, and any path naming the file standard output already is (`/dev/stdout`, `/proc/self/fd/1`,
  the file stdout is redirected to), mean standard output.
- Anything else must be a regular file, or not exist yet: a directory, a character or block
  device (`/dev/null` included, unless stdout is /dev/null), a FIFO or a socket is refused.
- A symlink is written through: its final target is replaced atomically and the link stays.
- The output may not be an input of the run: a snapshot file or a file in a snapshot directory,
  the policy, the baseline, a report `diff` reads.
- Files are written atomically (scanner/atomic.py): a new file gets 0666 less the umask, a
  replaced file keeps its permission bits.
- With no `--format`, the extension picks it (`format_from_name`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click

from scanner.atomic import atomic_write_bytes, atomic_write_text
from scanner.errors import InputError

STDOUT = "-"
_FORMAT_BY_SUFFIX = ((".sarif.json", "sarif"), (".sarif", "sarif"), (".json", "json"), (".md", "markdown"),
                     (".markdown", "markdown"), (".txt", "table"), (".html", "html"),
                     (".htm", "html"))
_REFUSED_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                  (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                  (stat.S_ISSOCK, "a socket"))


class StdoutClosed(Exception):
    """The reader of standard output went away (`bcdr-scan scan | head`)."""


@dataclass(frozen=True)
class Output:
    name: str  # as the user gave it
    target: Path | None  # the regular file to replace (symlinks resolved); None: standard output

    @property
    def to_stdout(self) -> bool:
        return self.target is None

    def write(self, text: str | bytes, what: str = "report") -> None:
        """Text is written UTF-8 encoded; bytes (the JSON report, the SARIF log, a snapshot: ASCII) as they are."""
        if self.target is None:
            try:
                click.echo(text, nl=False)
            except BrokenPipeError:
                raise StdoutClosed() from None
            return
        try:
            if isinstance(text, bytes):
                atomic_write_bytes(self.target, text)
            else:
                atomic_write_text(self.target, text)
        except OSError as exc:
            raise InputError(self.name, None, f"cannot write {what} ({exc.strerror or exc})") from None


def resolve_output(name: str | None, inputs: Mapping[str, str | Path | None] | None = None) -> Output:
    """The destination `name` stands for, checked against the rules above (`inputs`: option -> path
    of every file the run reads). A refused destination is an InputError naming --output."""
    if name is None or name == STDOUT or _is_stdout(name):
        return Output(name or STDOUT, None)
    if not name.strip():  # would resolve to the working directory
        raise InputError("--output", None, "an empty file name; name a file, or use - for standard output")
    target = Path(os.path.realpath(name))
    if target.is_symlink():
        raise InputError("--output", None, f"{name} is a symlink loop")
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise InputError("--output", None, f"cannot use {name} ({exc.strerror or exc})") from None
    kind = next((label for test, label in _REFUSED_KINDS if mode is not None and test(mode)), None)
    if kind:
        raise InputError("--output", None, f"{name} is {kind}; write to a regular file, or use - for standard "
                         "output")
    if not target.parent.is_dir():
        raise InputError("--output", None, f"cannot write {name}: the directory {target.parent} does not exist")
    for option, path in (inputs or {}).items():
        if path is not None:
            _refuse_input(name, target, option, Path(path))
    return Output(name, target)


def format_from_name(name: str) -> str | None:
    """The format a file name's extension asks for (.json, .sarif/.sarif.json, .md/.markdown, .txt
    for the table without colour), or None."""
    lowered = name.lower()
    return next((fmt for suffix, fmt in _FORMAT_BY_SUFFIX if lowered.endswith(suffix)), None)


def _is_stdout(name: str) -> bool:
    try:
        given, stdout = os.stat(name), os.fstat(1)
    except OSError:
        return False
    return (given.st_dev, given.st_ino) == (stdout.st_dev, stdout.st_ino)


def _refuse_input(name: str, target: Path, option: str, source: Path) -> None:
    try:
        is_dir = source.is_dir()
        same = target.exists() and source.exists() and os.path.samefile(target, source)
    except OSError:
        return  # an unreadable input is reported when it is read
    if is_dir and target.parent == Path(os.path.realpath(source)):
        raise InputError("--output", None, f"{name} is in the {option} directory, whose files are all read as "
                         "the snapshot; write it elsewhere")
    if same:
        raise InputError("--output", None, f"{name} is the {option} file this run reads; write elsewhere")

