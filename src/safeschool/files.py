"""Writing a file so that a full disk or a killed process never leaves a truncated one: the bytes go to a temporary
name beside the target, which is renamed over it only when every byte is written (a rename within a folder is
atomic). On failure the temporary file is removed and the target is as it was (absent, or the previous file)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path | str, data: bytes | str, *, encoding: str = "utf-8") -> None:
    """Write `data` (text in `encoding`) to `path` all at once or not at all; OSError (e.g. ENOSPC) when it cannot."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode(encoding) if isinstance(data, str) else data)
        os.chmod(temporary, 0o666 & ~_umask())  # as an ordinary new file (mkstemp makes it 0600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
