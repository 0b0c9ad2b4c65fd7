"""The backup file: compressed, encrypted and checksummed, written and read as a stream.

Layout::

    MAGIC | header length (4 bytes) | header (JSON) | record* | final record

Each record is ``kind (1 byte) | length (4 bytes) | AES-256-GCM ciphertext`` of up to 1 MiB of
zlib-compressed dump. The key comes from BACKUP_KEY through HKDF with a random salt per file, so
nonces (a record counter) never repeat under one key. Every record authenticates the header and
its own position, so records cannot be dropped, swapped or cut off unnoticed. The final record
holds the SHA-256 and size of the plaintext dump, checked again after decompression, and the
manifest: row counts and ledger sums read at the dump's moment (operations/figures.py), which
``verify_backup`` compares with a restored copy. It is encrypted like the dump: ledger sums are
stock values.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"BOTTLEWORKS-BACKUP/1\n"
CHUNK = 1024 * 1024
DATA, FINAL = 0, 1
MIN_KEY_LENGTH = 32
KEY_HELP = "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class BackupError(Exception):
    """A backup cannot be written or read; the message says what to do."""


class WrongKey(BackupError):
    pass


class CorruptBackup(BackupError):
    pass


def key_from_env() -> bytes:
    key = os.environ.get("BACKUP_KEY", "")
    if len(key) < MIN_KEY_LENGTH:
        raise BackupError(
            f"BACKUP_KEY must be set to a random string of at least {MIN_KEY_LENGTH} characters; "
            f"{KEY_HELP}. Keep it apart from the backups: without it they cannot be read."
        )
    return key.encode()


def _derive(key: bytes, salt: bytes) -> tuple[bytes, bytes]:
    material = HKDF(algorithm=hashes.SHA256(), length=48, salt=salt, info=b"bottleworks backup").derive(key)
    return material[:32], material[32:]  # the file key, and a check value that tells a wrong key


def _nonce(counter: int, kind: int) -> bytes:
    return counter.to_bytes(11, "big") + bytes([kind])


class BackupWriter:
    """Compress, encrypt and checksum a dump as it is written; ``close()`` seals the file."""

    def __init__(self, out: BinaryIO, *, key: bytes, vendor: str):
        salt = os.urandom(16)
        file_key, check = _derive(key, salt)
        self._aead = AESGCM(file_key)
        header = {
            "format": 1,
            "app": "bottleworks",
            "vendor": vendor,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "cipher": "AES-256-GCM",
            "compression": "zlib",
            "salt": base64.b64encode(salt).decode(),
            "check": base64.b64encode(check).decode(),
        }
        self._header = json.dumps(header, sort_keys=True).encode()
        self._out = out
        self._out.write(MAGIC + struct.pack(">I", len(self._header)) + self._header)
        self._compress = zlib.compressobj(6)
        self._pending = bytearray()
        self._sha = hashlib.sha256()
        self._size = 0
        self._counter = 0

    def write(self, data: bytes) -> None:
        self._sha.update(data)
        self._size += len(data)
        self._pending += self._compress.compress(data)
        while len(self._pending) >= CHUNK:
            self._record(DATA, bytes(self._pending[:CHUNK]))
            del self._pending[:CHUNK]

    def _record(self, kind: int, plaintext: bytes) -> None:
        sealed = self._aead.encrypt(_nonce(self._counter, kind), plaintext, self._header)
        self._out.write(struct.pack(">BI", kind, len(sealed)) + sealed)
        self._counter += 1

    def close(self, *, manifest: dict | None = None) -> str:
        """Write the last data and the checksum record (with the manifest, if given); return the
        SHA-256 of the plaintext."""
        self._pending += self._compress.flush()
        for start in range(0, len(self._pending), CHUNK):
            self._record(DATA, bytes(self._pending[start : start + CHUNK]))
        digest = self._sha.hexdigest()
        final = {"sha256": digest, "bytes": self._size}
        if manifest is not None:
            final["manifest"] = manifest
        self._record(FINAL, json.dumps(final, sort_keys=True).encode())
        self._out.flush()
        return digest


def read_header(inp: BinaryIO) -> tuple[dict, bytes]:
    if inp.read(len(MAGIC)) != MAGIC:
        raise CorruptBackup("This is not a Bottleworks backup file (or its first bytes are damaged).")
    try:
        (length,) = struct.unpack(">I", inp.read(4))
        raw = inp.read(length)
        header = json.loads(raw)
        salt = base64.b64decode(header["salt"])
        base64.b64decode(header["check"])
        header["vendor"]  # noqa: B018  (must be present)
    except (struct.error, ValueError, KeyError, TypeError) as error:
        raise CorruptBackup("The backup file's header is damaged; it cannot be read.") from error
    if len(salt) != 16 or len(raw) != length:
        raise CorruptBackup("The backup file's header is damaged; it cannot be read.")
    return header, raw


def check_key(header: dict, key: bytes) -> bytes:
    """Return the file key, or raise WrongKey when BACKUP_KEY is not the one the file was made with."""
    file_key, check = _derive(key, base64.b64decode(header["salt"]))
    if not hmac.compare_digest(check, base64.b64decode(header["check"])):
        raise WrongKey(
            "BACKUP_KEY does not match the key this backup was made with (wrong key, or a damaged "
            "header); nothing was restored."
        )
    return file_key


def opened_header(path: str, key: bytes) -> dict:
    """The header of the backup at ``path``, once it is known to be one made with ``key``: what a
    restore or a verification checks before it touches any database."""
    with open(path, "rb") as inp:
        header, _ = read_header(inp)
    check_key(header, key)
    return header


def read_backup(inp: BinaryIO, *, key: bytes, trailer: dict | None = None) -> Iterator[bytes]:
    """Yield the plaintext dump; raises WrongKey or CorruptBackup. Use the output only once the
    iterator is exhausted: the checksum is confirmed at the very end. ``trailer``, when given, is
    filled with the final record (checksum, size and manifest) once that check has passed."""
    header, raw = read_header(inp)
    aead = AESGCM(check_key(header, key))
    decompress = zlib.decompressobj()
    sha = hashlib.sha256()
    size = 0
    counter = 0
    while True:
        prefix = inp.read(5)
        if len(prefix) < 5:
            raise CorruptBackup("The backup file is cut short (no checksum record at its end).")
        kind, length = struct.unpack(">BI", prefix)
        sealed = inp.read(length)
        if kind not in (DATA, FINAL):
            raise CorruptBackup(f"The backup file is damaged at record {counter}.")
        if len(sealed) != length:
            raise CorruptBackup(f"The backup file is cut short (inside record {counter}).")
        try:
            plaintext = aead.decrypt(_nonce(counter, kind), sealed, raw)
        except InvalidTag as error:
            raise CorruptBackup(
                f"The backup file is damaged or was altered (record {counter} fails its check)."
            ) from error
        counter += 1
        if kind == FINAL:
            break
        try:
            data = decompress.decompress(plaintext)
        except zlib.error as error:
            raise CorruptBackup("The backup's compressed data is damaged.") from error
        sha.update(data)
        size += len(data)
        yield data
    tail = decompress.flush()
    if tail:
        sha.update(tail)
        size += len(tail)
        yield tail
    expected = json.loads(plaintext)
    if inp.read(1):
        raise CorruptBackup("The backup file has unexpected data after its checksum record.")
    if expected["bytes"] != size or not hmac.compare_digest(expected["sha256"], sha.hexdigest()):
        raise CorruptBackup("The restored data does not match the backup's SHA-256 checksum.")
    if trailer is not None:
        trailer.update(expected)
