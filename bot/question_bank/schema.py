"""The format of a topic file as pydantic models, and how each model becomes a domain value.

questions/README.md ("A topic file") describes the same format for writers. The models are strict
and forbid unknown keys, so a quoted number or a misspelt key is reported instead of being read as
something the writer did not mean or dropped without a word.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
)

from bot.domain.model import Alias, Concept, Misconception, Text
from bot.question_bank.locations import Loc
from bot.question_bank.messages import describe, describe_for_text

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_ID_LENGTH = 64

# The kinds of example answer a writer may use (questions/README.md, "Example kinds").
ExampleKind = Literal[
    "full",
    "good",
    "partial",
    "weak",
    "wrong",
    "empty",
    "offtopic",
    "stuffing",
    "negated",
    "typos",
    "paraphrase",
    "modern",
    "verbose",
    "traditional",
    "mixed",
]


Id = Annotated[StrictStr, Field(min_length=1, max_length=MAX_ID_LENGTH, pattern=SLUG_PATTERN)]
NonEmpty = Annotated[StrictStr, Field(min_length=1)]


def _strict_number(value: object) -> float:
    """A YAML number; not `true`, not `"3"`: a quoted number is likely a mistake elsewhere."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {describe(value)}")
    return float(value)


Number = Annotated[float, BeforeValidator(_strict_number)]
Positive = Annotated[Number, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[Number, Field(ge=0, allow_inf_nan=False)]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TextModel(_Schema):
    zh: NonEmpty
    en: NonEmpty

    def to_domain(self) -> Text:
        return Text(zh=self.zh, en=self.en)


def _split_alternatives(term: object, where: str) -> tuple[str, ...]:
    if not isinstance(term, str):
        raise ValueError(f"{where} must be text, got {describe_for_text(term)}")
    if not term.strip():
        raise ValueError(f"{where} is empty")
    alternatives = tuple(part.strip() for part in term.split("|"))
    if any(not part for part in alternatives):
        raise ValueError(f"empty alternative in '{term.strip()}' (a stray '|')")
    return alternatives


def _parse_alias(raw: object) -> Alias:
    """`phrase`, `a|b` or `[term, a|b, ...]` -> Alias; every problem is a ValueError."""
    if isinstance(raw, str):
        return Alias(terms=(_split_alternatives(raw, "the alias"),))
    if isinstance(raw, list):
        if not raw:
            raise ValueError("an alias with no terms: write a phrase or a list of terms")
        return Alias(terms=tuple(_split_alternatives(t, f"term {i}") for i, t in enumerate(raw)))
    raise ValueError(
        f"an alias is a phrase (text) or a list of terms, got {describe_for_text(raw)}"
    )


AliasField = Annotated[Alias, PlainValidator(_parse_alias)]
Aliases = Annotated[list[AliasField], Field(min_length=1)]


class ConceptModel(_Schema):
    id: Id
    label: TextModel
    weight: Positive
    required: StrictBool = False
    naming: StrictBool = False
    aliases: Aliases
    hint: TextModel

    def to_domain(self) -> Concept:
        return Concept(
            id=self.id,
            label=self.label.to_domain(),
            weight=float(self.weight),
            aliases=tuple(self.aliases),
            hint=self.hint.to_domain(),
            required=self.required,
            naming=self.naming,
        )


class MisconceptionModel(_Schema):
    id: Id
    statement: TextModel
    penalty: Positive
    aliases: Aliases

    def to_domain(self) -> Misconception:
        return Misconception(
            id=self.id,
            statement=self.statement.to_domain(),
            penalty=float(self.penalty),
            aliases=tuple(self.aliases),
        )


class RubricModel(_Schema):
    concepts: Annotated[list[ConceptModel], Field(min_length=1)]
    misconceptions: list[MisconceptionModel] = []


class ExampleModel(_Schema):
    kind: ExampleKind
    # An empty answer is a fair example (kind: empty), so the answer may be blank.
    answer: StrictStr
    points: tuple[NonNegative, NonNegative]


class QuestionModel(_Schema):
    id: Id
    topic: Id | None = None
    difficulty: Annotated[StrictInt, Field(ge=1, le=3)]
    section: NonEmpty
    style: Literal["explain", "list"] = "explain"
    max_points: Positive = 10.0
    prompt: TextModel
    reference: TextModel
    rubric: RubricModel
    # At least MIN_EXAMPLES (checks.py): counted on the raw YAML, to show beside broken ones.
    examples: list[ExampleModel]


class TopicModel(_Schema):
    slug: Id
    title: TextModel
    aliases: list[NonEmpty] = []


# The model that owns the mapping under each key: an unknown key is compared with its keys.
_MODELS_BY_LAST_KEY: dict[str, type[BaseModel]] = {
    "label": TextModel,
    "hint": TextModel,
    "statement": TextModel,
    "prompt": TextModel,
    "reference": TextModel,
    "title": TextModel,
    "rubric": RubricModel,
    "concepts": ConceptModel,
    "misconceptions": MisconceptionModel,
    "examples": ExampleModel,
}


def model_for(loc: Loc, root: type[BaseModel]) -> type[BaseModel]:
    """The schema model that owns the mapping at `loc`."""
    for part in reversed(loc):
        if isinstance(part, str):
            return _MODELS_BY_LAST_KEY.get(part, root)
    return root
