"""The words a writer reads for each problem pydantic finds: what was expected and what was found.

pydantic's own messages speak of Python types (`Input should be a valid string`); a writer wrote
YAML, so these say `expected text, got true (a YAML boolean: put it in quotes)` instead, and guess
the key or value that was meant when one is close.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import BaseModel
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.question_bank.locations import Loc


def _known_keys(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(model.model_fields)


# A bound pydantic checked: its error type -> how the message says it, and its key in `ctx`.
_BOUNDS: dict[str, tuple[str, str]] = {
    "greater_than": ("more than", "gt"),
    "greater_than_equal": ("at least", "ge"),
    "less_than_equal": ("at most", "le"),
}


def describe(value: Any) -> str:
    """What a YAML value is, for a message: `nothing`, `a list`, `'heavy'`, `true`."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def describe_for_text(value: Any) -> str:
    """As `describe`, saying how to write text that YAML read as something else."""
    if isinstance(value, bool):
        return f"{describe(value)} (a YAML boolean: put it in quotes)"
    if isinstance(value, int | float):
        return f"{describe(value)} (a number: put it in quotes to mean text)"
    return describe(value)


def message_for(error: Any, owner: type[BaseModel]) -> str:
    """The message for one pydantic error; an unknown key is compared with `owner`'s keys."""
    kind = error["type"]
    loc: Loc = tuple(error["loc"])
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        known = _known_keys(owner)
        guess = process.extractOne(key, known, scorer=Levenshtein.normalized_similarity)
        hint = f" (did you mean '{guess[0]}'?)" if guess and guess[1] >= 0.5 else ""
        return f"unknown key '{key}'{hint}; allowed: {', '.join(known)}"
    if kind == "string_too_short" and loc and loc[-1] in {"zh", "en"}:
        return "empty text"
    if kind == "string_too_short":
        return "empty"
    if kind == "string_pattern_mismatch":
        return f"{describe(value)} is not a valid id: lower-case letters, digits and '-'"
    if kind == "string_too_long":
        return f"longer than {ctx.get('max_length')} characters"
    if kind == "string_type":
        return f"expected text, got {describe_for_text(value)}"
    if kind in {"int_type", "int_from_float"}:
        return f"expected a whole number, got {describe(value)}"
    if kind in {"float_type", "int_parsing", "float_parsing"}:
        return f"expected a number, got {describe(value)}"
    if kind == "finite_number" or (isinstance(value, float) and not math.isfinite(value)):
        return f"must be a finite number, got {value!r}"
    if kind in _BOUNDS:
        words, bound = _BOUNDS[kind]
        return f"must be {words} {ctx.get(bound)}, got {value!r}"
    if kind == "bool_type":
        return f"expected true or false, got {describe(value)}"
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        nearest = (
            process.extractOne(value, allowed, scorer=Levenshtein.normalized_similarity)
            if isinstance(value, str) and allowed
            else None
        )
        hint = f" (did you mean '{nearest[0]}'?)" if nearest and nearest[1] >= 0.5 else ""
        return f"{describe(value)} is not one of: {', '.join(allowed)}{hint}"
    if kind == "too_short":
        wanted = ctx.get("min_length")
        actual = ctx.get("actual_length")
        return f"needs at least {wanted}, has {actual}"
    if kind == "too_long" or kind == "tuple_type":
        return f"expected [min, max], got {describe(value)}"
    if kind in {"list_type", "model_type", "model_attributes_type", "dict_type"}:
        expected = "a list" if kind == "list_type" else "a mapping"
        return f"expected {expected}, got {describe(value)}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return str(error["msg"])
