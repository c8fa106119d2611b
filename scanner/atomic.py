"""Atomic file output: a report or snapshot is either written whole or not at all.

The data goes to a temporary file beside the target, is flushed to disk, then renamed over the
target in one step. Whatever stops the write (an error, or SIGINT / SIGTERM, which the CLI turns
into exceptions) the temporary file is removed and the target keeps its old content. A new file
gets the usual permissions, 0666 less the umask; a file being replaced keeps its permission bits.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

# Temporary files that exist or are being created, named before they are created so that no
# interruption can leave one behind unnamed: `remove_leftovers` is the CLI's last resort.
_pending: set[Path] = set()
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    keep_mode = _permission_bits(path)
    tmp = directory / f".{path.name}.{secrets.token_hex(8)}.tmp"
    _pending.add(tmp)
    try:
        fd = os.open(tmp, _CREATE_FLAGS, 0o666)  # the kernel applies the umask
        with os.fdopen(fd, "wb") as handle:
            if keep_mode is not None:
                os.fchmod(handle.fileno(), keep_mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except FileExistsError:
        _pending.discard(tmp)  # not ours (a 64-bit random name taken): leave it alone
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        _pending.discard(tmp)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def remove_leftovers() -> None:
    """Remove temporary files an interrupted cleanup left (a second signal during the first's cleanup)."""
    for tmp in list(_pending):
        tmp.unlink(missing_ok=True)
        _pending.discard(tmp)


def _permission_bits(path: Path) -> int | None:
    """The permission bits of the regular file being replaced, or None for a new file."""
    try:
        status = path.stat()
    except OSError:
        return None
    return stat.S_IMODE(status.st_mode) & 0o777 if stat.S_ISREG(status.st_mode) else None
