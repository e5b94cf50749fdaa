"""Which new staff passwords are acceptable (NIST SP 800-63B, section 5.1.1.2).

No composition rules (they do not help); instead a minimum length, a maximum generous
enough for pass phrases, and a refusal of passwords that are commonly used, breached or
guessable from context. The guessability check is zxcvbn (the Dropbox estimator, from PyPI):
its dictionaries include the most common passwords of public breach corpora, English words,
names and keyboard patterns, and it is given the person's e-mail, name and organization as
context words. A password needs an estimated 10^10 guesses (zxcvbn's top score), which keeps
it out of reach of an offline attack on a leaked argon2id hash.
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_GUESSES = 1e10
_ESTIMATED_CHARS = 100  # zxcvbn's run time grows with length; longer passwords are strong
SERVICE_WORDS = ("chartready", "chart", "ready", "medical", "records", "clerk", "health")


class WeakPassword(ValueError):
    """The password is refused; the message says why in plain words."""


def check_new_password(password: str, *, context: tuple[str, ...] = ()) -> None:
    """Raise WeakPassword unless ``password`` may be set. ``context``: the account's e-mail,
    name and organization (their words may not carry the password)."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"the password must have at most {MAX_LENGTH} characters")
    whole = [t.lower() for text in context for t in (text, text.split("@", 1)[0]) if t]
    words = whole + [w for text in whole for w in re.split(r"[^a-z0-9]+", text) if w]
    result = zxcvbn(password[:_ESTIMATED_CHARS], user_inputs=[*SERVICE_WORDS, *words])
    if float(result["guesses"]) < MIN_GUESSES:
        hint = result["feedback"].get("warning") or "it is too easy to guess"
        raise WeakPassword(
            "this password is common, breached or too easy to guess "
            f"({hint.rstrip('.').lower()}); a pass phrase of four or more unrelated words works"
        )
