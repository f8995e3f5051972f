"""The domain's values: topics, questions and their rubrics, and grades."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@dataclass(frozen=True)
class Text:
    """A text in both of the team's languages."""

    zh: str
    en: str

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def other(self, lang: Lang) -> str:
        return self.en if lang == "zh" else self.zh


@dataclass(frozen=True)
class Alias:
    """One way of saying a concept: every term must appear, close together.

    Each term is a tuple of alternatives; one of them appearing is enough for that term.
    A single-term alias is a phrase.
    """

    terms: tuple[tuple[str, ...], ...]

    def __str__(self) -> str:
        return " + ".join("|".join(alternatives) for alternatives in self.terms)


@dataclass(frozen=True)
class Concept:
    """A point a full answer makes, worth `weight` relative to the rubric's other concepts."""

    id: str
    label: Text
    weight: float
    aliases: tuple[Alias, ...]
    hint: Text
    required: bool = False
    # A bare mention earns a naming concept even in a keyword list (e.g. "name the parts").
    naming: bool = False


@dataclass(frozen=True)
class Misconception:
    """A wrong statement that costs `penalty` points when an answer makes it."""

    id: str
    statement: Text
    penalty: float
    aliases: tuple[Alias, ...]


QuestionStyle = Literal["explain", "list"]


@dataclass(frozen=True)
class Rubric:
    concepts: tuple[Concept, ...]
    misconceptions: tuple[Misconception, ...] = ()
    max_points: float = 10.0
    # "explain": a why/how question, where a bare list of terms earns little.
    # "list": a name-the-parts question, where naming concepts count even in a list.
    style: QuestionStyle = "explain"

    @property
    def total_weight(self) -> float:
        return sum(c.weight for c in self.concepts)


@dataclass(frozen=True)
class Example:
    """An example answer and the range of points it must get."""

    answer: str
    min_points: float
    max_points: float
    kind: str = ""


@dataclass(frozen=True)
class Topic:
    slug: str
    title: Text
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    difficulty: int
    section: str
    prompt: Text
    reference: Text
    rubric: Rubric
    examples: tuple[Example, ...] = ()
    # A hash of the question's content, so an answer records which rubric graded it.
    version: str = ""


@dataclass(frozen=True)
class Bank:
    """The whole question bank: topics and questions by id, in file order."""

    topics: tuple[Topic, ...]
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise UnknownQuestion(question_id, self.closest_ids(question_id))

    def by_topic(self, slug: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.topic == slug)

    def topic(self, slug: str) -> Topic:
        for t in self.topics:
            if t.slug == slug:
                return t
        raise UnknownTopic(slug, ())

    def closest_ids(self, question_id: str, limit: int = 3) -> tuple[str, ...]:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        ids = [q.id for q in self.questions]
        found = process.extract(question_id, ids, scorer=Levenshtein.normalized_similarity)
        return tuple(choice for choice, _score, _ in found[:limit])


# ----- grades -----


# A grade is built for each answer, with a hit for each concept found. Their __init__ store
# the fields in the instance's dictionary, at half the cost of a frozen dataclass's __init__
# (a call of object.__setattr__ for each field). Each takes the dataclass's fields, in order,
# with the same defaults: keep it in step with them.


@dataclass(frozen=True)
class ConceptHit:
    concept_id: str
    label: Text
    matched: tuple[str, ...]  # the words of the answer that matched, as written

    def __init__(self, concept_id: str, label: Text, matched: tuple[str, ...]) -> None:
        fields = self.__dict__
        fields["concept_id"] = concept_id
        fields["label"] = label
        fields["matched"] = matched


@dataclass(frozen=True)
class ConceptMiss:
    concept_id: str
    label: Text
    hint: Text
    required: bool = False


@dataclass(frozen=True)
class MisconceptionHit:
    misconception_id: str
    statement: Text
    penalty: float
    matched: tuple[str, ...]

    def __init__(
        self, misconception_id: str, statement: Text, penalty: float, matched: tuple[str, ...]
    ) -> None:
        fields = self.__dict__
        fields["misconception_id"] = misconception_id
        fields["statement"] = statement
        fields["penalty"] = penalty
        fields["matched"] = matched


@dataclass(frozen=True)
class Grade:
    question_id: str
    points: float
    max_points: float
    found: tuple[ConceptHit, ...]
    missed: tuple[ConceptMiss, ...]
    misconceptions: tuple[MisconceptionHit, ...] = ()
    # Why the points are lower than the concepts alone would give ("keyword list", ...).
    notes: tuple[str, ...] = field(default_factory=tuple)
    rubric_version: str = ""

    def __init__(
        self,
        question_id: str,
        points: float,
        max_points: float,
        found: tuple[ConceptHit, ...],
        missed: tuple[ConceptMiss, ...],
        misconceptions: tuple[MisconceptionHit, ...] = (),
        notes: tuple[str, ...] = (),
        rubric_version: str = "",
    ) -> None:
        fields = self.__dict__
        fields["question_id"] = question_id
        fields["points"] = points
        fields["max_points"] = max_points
        fields["found"] = found
        fields["missed"] = missed
        fields["misconceptions"] = misconceptions
        fields["notes"] = notes
        fields["rubric_version"] = rubric_version

    @property
    def passed(self) -> bool:
        """Every required concept found and at least half the points."""
        return not any(m.required for m in self.missed) and self.points * 2 >= self.max_points

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.max_points if self.max_points else 0.0


def format_points(points: float, max_points: float) -> str:
    """Points as a person reads them: `7/10` or `7.5/10`."""

    def fmt(x: float) -> str:
        return f"{x:g}" if x != int(x) else str(int(x))

    return f"{fmt(points)}/{fmt(max_points)}"


# ----- domain errors -----


class DomainError(Exception):
    """An error a person caused and can fix; adapters turn it into a reply."""


class UnknownQuestion(DomainError):
    def __init__(self, question_id: str, closest: tuple[str, ...]) -> None:
        self.question_id = question_id
        self.closest = closest
        hint = f" (closest: {', '.join(closest)})" if closest else ""
        super().__init__(f"unknown question id '{question_id}'{hint}")


class UnknownTopic(DomainError):
    def __init__(self, text: str, closest: tuple[str, ...]) -> None:
        self.text = text
        self.closest = closest
        hint = f" (closest: {', '.join(closest)})" if closest else ""
        super().__init__(f"no topic '{text}'{hint}")
