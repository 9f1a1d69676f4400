"""Pseudonymisation of source identifiers with a keyed hash (HMAC-SHA256).

The key lives outside the database (environment variable or a key file); without it, pseudonyms cannot be
linked back to source ids, and with the same key the same source id always gets the same pseudonym, so
re-importing a file is idempotent.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

PSEUDONYM_LENGTH = 20  # hex characters = 80 bits; collisions are negligible at national scale


class PseudonymKeyError(RuntimeError):
    """The pseudonymisation key is missing or unusable."""


def load_key(*, value: str = "", path: str | Path | None = None, create: bool = True) -> bytes:
    """Return the key from `value` (hex or text) or from the key file at `path`, creating it if asked."""
    if value:
        return value.encode()
    if path is None:
        raise PseudonymKeyError("no pseudonymisation key: set SAFESCHOOL_PSEUDONYM_KEY or a key file")
    path = Path(path)
    if path.exists():
        key = path.read_text().strip()
        if len(key) < 32:
            raise PseudonymKeyError(f"pseudonymisation key in {path} is shorter than 32 characters")
        return key.encode()
    if not create:
        raise PseudonymKeyError(f"pseudonymisation key file {path} does not exist")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key.encode()


class Pseudonymiser:
    def __init__(self, key: bytes, *, namespace: str = ""):
        if len(key) < 16:
            raise PseudonymKeyError("pseudonymisation key must be at least 16 bytes")
        self._key = key
        self._namespace = namespace

    def __call__(self, source_id: str) -> str:
        message = f"{self._namespace}:{source_id}".encode()
        return hmac.digest(self._key, message, "sha256").hex()[:PSEUDONYM_LENGTH]  # hmac.new's, in one C call

    def __repr__(self) -> str:  # never print the key
        return f"Pseudonymiser(namespace={self._namespace!r})"
