"""The "did you mean" hint that spec, policy and edit diagnostics give."""

from __future__ import annotations

import difflib
from typing import Any


def closest(word: str, candidates: list[str] | Any, cutoff: float = 0.6) -> str:
    """A 'did you mean' hint, or an empty string."""
    match = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=cutoff)
    return f"did you mean {match[0]!r}?" if match else ""
