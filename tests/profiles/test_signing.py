"""Ed25519 signing over canonical JSON: verification, tampering, rotation, key settings."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.profiles.data import ProfileData
from service.profiles.sample import sample_profile
from service.profiles.signing import (
    KeyConfigError,
    ProfileSigner,
    canonical_json,
    generate_seed,
    load_or_create_seed,
    load_private_key,
    public_key_entry,
    verify,
)

SIGNER = ProfileSigner.from_settings(generate_seed())
SIGNED = SIGNER.sign(sample_profile())


def test_canonical_json_is_sorted_compact_and_round_trips() -> None:
    raw = canonical_json(sample_profile())
    as_python = json.loads(raw)
    assert raw == json.dumps(
        as_python, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert msgspec.json.decode(raw, type=ProfileData) == sample_profile()


def test_signature_verifies_with_the_signing_key() -> None:
    outcome = verify(
        SIGNED.canonical,
        SIGNED.signature,
        SIGNED.key_id,
        SIGNER.verify_keys,
        expected_sha256=SIGNED.sha256,
    )
    assert outcome.valid
    assert outcome.reason == "ok"


@settings(max_examples=60, deadline=None)
@given(index=st.integers(min_value=0), delta=st.integers(min_value=1, max_value=255))
def test_any_changed_byte_breaks_the_signature(index: int, delta: int) -> None:
    data = bytearray(SIGNED.canonical)
    position = index % len(data)
    data[position] = (data[position] + delta) % 256
    outcome = verify(bytes(data), SIGNED.signature, SIGNED.key_id, SIGNER.verify_keys)
    assert not outcome.valid
    assert outcome.reason == "bad_signature"


def test_digest_mismatch_is_reported_before_the_signature() -> None:
    outcome = verify(
        SIGNED.canonical + b" ",
        SIGNED.signature,
        SIGNED.key_id,
        SIGNER.verify_keys,
        expected_sha256=SIGNED.sha256,
    )
    assert outcome.reason == "digest_mismatch"


def test_garbage_signature_is_bad_not_an_exception() -> None:
    outcome = verify(SIGNED.canonical, "not base64!", SIGNED.key_id, SIGNER.verify_keys)
    assert outcome.reason == "bad_signature"


def test_rotation_keeps_old_profiles_verifying_and_signs_with_the_new_key() -> None:
    old_seed, new_seed = generate_seed(), generate_seed()
    old = ProfileSigner.from_settings(old_seed)
    old_signed = old.sign(sample_profile())
    rotated = ProfileSigner.from_settings(new_seed, public_key_entry(old_seed))
    new_signed = rotated.sign(sample_profile())
    assert new_signed.key_id != old_signed.key_id
    for signed in (old_signed, new_signed):
        assert verify(signed.canonical, signed.signature, signed.key_id, rotated.verify_keys).valid
    revoked = ProfileSigner.from_settings(new_seed)
    outcome = verify(
        old_signed.canonical, old_signed.signature, old_signed.key_id, revoked.verify_keys
    )
    assert outcome.reason == "unknown_key"


def test_explicit_key_ids_are_honoured() -> None:
    seed = generate_seed()
    signer = ProfileSigner.from_settings(f"2026-11:{seed}")
    assert signer.key_id == "2026-11"
    assert public_key_entry(f"2026-11:{seed}").startswith("2026-11:")
    assert load_private_key(seed)[0] != "2026-11"


@pytest.mark.parametrize("bad", ["", "!!!", base64.b64encode(b"short").decode(), ":" + "A" * 44])
def test_malformed_keys_are_rejected_with_a_clear_error(bad: str) -> None:
    with pytest.raises(KeyConfigError):
        ProfileSigner.from_settings(bad)


def test_seed_file_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "profile-signing-key"
    first = load_or_create_seed(path)
    assert load_or_create_seed(path) == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(base64.b64decode(first)) == 32
