"""Ed25519 signatures over a profile's canonical JSON, with key rotation.

Canonical JSON: the :class:`ProfileData` Struct encoded by msgspec with ``order="sorted"``
(fields and keys sorted, no whitespace, UTF-8). The exact bytes are stored next to the
signature, so verification never depends on re-encoding.

Keys and rotation
-----------------
* ``CHARTREADY_PROFILE_SIGNING_KEY``: ``[key_id:]base64`` of the raw 32-byte Ed25519 seed
  that signs new profiles (make one with :func:`generate_seed`). Unset: a seed is generated
  once and kept in ``CHARTREADY_DATA_DIR/profile-signing-key`` (:func:`load_or_create_seed`).
* ``CHARTREADY_PROFILE_VERIFY_KEYS``: comma-separated ``[key_id:]base64`` raw 32-byte public
  keys of *retired* signing keys. The current signing key's public key is always trusted.

Without an explicit ``key_id:`` prefix a key's id is the first 16 hex digits of the SHA-256
of its raw public key, so it can never disagree with the key. To rotate: generate a new seed,
put the old key's public half (:func:`public_key_entry` prints it with its id) into
``CHARTREADY_PROFILE_VERIFY_KEYS``, switch ``CHARTREADY_PROFILE_SIGNING_KEY`` to the new seed
and restart. New profiles carry the new key id; old profiles keep verifying under the key id
recorded with them. Removing a public key from the list deliberately revokes every profile
it signed (they then report ``unknown_key``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from service.profiles.data import ProfileData

ALGORITHM = "Ed25519"
_SEED_BYTES = 32


class KeyConfigError(ValueError):
    """A configured key is not valid base64 of 32 raw bytes."""


class SignedProfile(msgspec.Struct, frozen=True):
    """The signed form of a profile: canonical bytes, their digest and the signature."""

    canonical: bytes
    sha256: str
    signature: str  # base64 of the 64-byte Ed25519 signature
    key_id: str
    algorithm: str = ALGORITHM


class Verification(msgspec.Struct, frozen=True):
    """Outcome of checking a signature: whether it holds, under which key, and why not."""

    valid: bool
    key_id: str
    reason: Literal["ok", "unknown_key", "bad_signature", "digest_mismatch"]


class ProfileSigner:
    """Holds the active private key and every public key that may verify old profiles."""

    def __init__(
        self,
        private_key: Ed25519PrivateKey,
        *,
        key_id: str | None = None,
        retired: Mapping[str, Ed25519PublicKey] | None = None,
    ) -> None:
        self._private_key = private_key
        self.key_id = key_id or key_id_of(private_key.public_key())
        self.verify_keys: dict[str, Ed25519PublicKey] = dict(retired or {})
        self.verify_keys[self.key_id] = private_key.public_key()

    @classmethod
    def from_settings(cls, signing_key: str, verify_keys_csv: str | None = None) -> ProfileSigner:
        """Build from the two settings strings (see the module docstring)."""
        key_id, private_key = load_private_key(signing_key)
        return cls(private_key, key_id=key_id, retired=load_public_keys(verify_keys_csv or ""))

    def sign(self, data: ProfileData) -> SignedProfile:
        """Sign the canonical JSON of ``data`` with the active key."""
        canonical = canonical_json(data)
        signature = self._private_key.sign(canonical)
        return SignedProfile(
            canonical=canonical,
            sha256=hashlib.sha256(canonical).hexdigest(),
            signature=base64.b64encode(signature).decode("ascii"),
            key_id=self.key_id,
        )


def canonical_json(data: ProfileData) -> bytes:
    """Sorted-key, whitespace-free UTF-8 JSON of the profile: the bytes that are signed."""
    return msgspec.json.encode(data, order="sorted")


def verify(
    canonical: bytes,
    signature_b64: str,
    key_id: str,
    keys: Mapping[str, Ed25519PublicKey],
    *,
    expected_sha256: str | None = None,
) -> Verification:
    """Check ``signature_b64`` over ``canonical`` with the public key named ``key_id``."""
    if expected_sha256 is not None and hashlib.sha256(canonical).hexdigest() != expected_sha256:
        return Verification(valid=False, key_id=key_id, reason="digest_mismatch")
    public_key = keys.get(key_id)
    if public_key is None:
        return Verification(valid=False, key_id=key_id, reason="unknown_key")
    try:
        public_key.verify(base64.b64decode(signature_b64, validate=True), canonical)
    except (InvalidSignature, binascii.Error, ValueError):
        return Verification(valid=False, key_id=key_id, reason="bad_signature")
    return Verification(valid=True, key_id=key_id, reason="ok")


def key_id_of(public_key: Ed25519PublicKey) -> str:
    """Stable id of a public key: first 16 hex digits of SHA-256 of its raw bytes."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_seed() -> str:
    """A new random signing key, as the base64 seed the signing-key setting expects."""
    return base64.b64encode(secrets.token_bytes(_SEED_BYTES)).decode("ascii")


def load_or_create_seed(path: Path) -> str:
    """The seed stored at ``path``, creating it (mode 0600) on first use.

    Safe when several worker processes start at once: the seed is written to a private
    temporary file and hard-linked into place, which fails if another process won the race;
    everyone then reads the one file that exists.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(generate_seed() + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first; use theirs
        finally:
            temporary.unlink()
    return path.read_text(encoding="ascii").strip()


def public_key_entry(signing_key: str) -> str:
    """``key_id:base64`` of the public half of a signing key, for the verify-keys setting."""
    key_id, private_key = load_private_key(signing_key)
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return f"{key_id}:{base64.b64encode(raw).decode('ascii')}"


def load_private_key(entry: str) -> tuple[str, Ed25519PrivateKey]:
    """Decode ``[key_id:]base64-seed`` into its key id and private key."""
    given_id, encoded = _split_entry(entry)
    key = Ed25519PrivateKey.from_private_bytes(_decode_32(encoded, "signing key"))
    return given_id or key_id_of(key.public_key()), key


def load_public_keys(csv: str) -> dict[str, Ed25519PublicKey]:
    """Decode comma-separated ``[key_id:]base64`` public keys (blank entries ignored)."""
    keys: dict[str, Ed25519PublicKey] = {}
    for part in (p.strip() for p in csv.split(",")):
        if not part:
            continue
        given_id, encoded = _split_entry(part)
        key = Ed25519PublicKey.from_public_bytes(_decode_32(encoded, "verify key"))
        keys[given_id or key_id_of(key)] = key
    return keys


def _split_entry(entry: str) -> tuple[str | None, str]:
    key_id, sep, encoded = entry.strip().rpartition(":")
    if not sep:
        return None, encoded
    if not key_id:
        raise KeyConfigError("empty key id before ':'")
    return key_id, encoded


def _decode_32(value: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except binascii.Error as exc:
        raise KeyConfigError(f"{what} is not valid base64") from exc
    if len(raw) != _SEED_BYTES:
        raise KeyConfigError(f"{what} must decode to 32 bytes, got {len(raw)}")
    return raw
