"""One topic file to domain values: its topic and its valid questions, or its problems.

A question is kept only when nothing is wrong with it; every id the file claims is kept even so,
for the bank to find ids used twice across files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from bot.domain.model import Example, Question, Rubric, Topic
from bot.question_bank.checks import check_question, question_id
from bot.question_bank.locations import Loc, QuestionSource, line_of, node_at
from bot.question_bank.messages import describe
from bot.question_bank.problems import Problem
from bot.question_bank.reader import FileLoader
from bot.question_bank.schema import QuestionModel, TopicModel
from bot.question_bank.versions import with_version


def _to_question(q: QuestionModel, topic: str) -> Question:
    question = Question(
        id=q.id,
        topic=topic,
        difficulty=q.difficulty,
        section=q.section,
        prompt=q.prompt.to_domain(),
        reference=q.reference.to_domain(),
        rubric=Rubric(
            concepts=tuple(c.to_domain() for c in q.rubric.concepts),
            misconceptions=tuple(m.to_domain() for m in q.rubric.misconceptions),
            max_points=float(q.max_points),
            style=q.style,
        ),
        examples=tuple(
            Example(
                answer=e.answer,
                min_points=float(e.points[0]),
                max_points=float(e.points[1]),
                kind=e.kind,
            )
            for e in q.examples
        ),
    )
    return with_version(question)


@dataclass
class FileResult:
    """What one topic file gave: its topic, its valid questions and their lines, its problems."""

    display: str
    topic: Topic | None = None
    topic_line: int | None = None
    alias_lines: dict[str, int | None] = field(default_factory=dict)
    questions: list[tuple[Question, QuestionSource]] = field(default_factory=list)
    # Every id the file claims, valid or not, so duplicates are found across broken questions.
    ids: list[tuple[str, Loc, int | None]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_file(path: Path, display: str) -> FileResult:
    """Validate one file; its problems are returned, not raised, so every file is reported."""
    loader = FileLoader(path, display)
    result = FileResult(display)
    data = loader.read()
    if loader.problems and data is None:
        result.problems = loader.problems
        return result
    if not isinstance(data, dict):
        loader.add((), f"expected a mapping with 'topic' and 'questions', got {describe(data)}")
        result.problems = loader.problems
        return result
    for key in data:
        if key not in {"topic", "questions"}:
            loader.add((str(key),), f"unknown key '{key}'; allowed: topic, questions", key=True)
    slug: str | None = None
    raw_topic = data.get("topic")
    if raw_topic is None:
        loader.add(("topic",), "missing")
    else:
        try:
            topic_model = TopicModel.model_validate(raw_topic)
        except ValidationError as exc:
            loader.add_validation(exc, ("topic",), TopicModel, None)
            if isinstance(raw_topic, dict) and isinstance(raw_topic.get("slug"), str):
                slug = raw_topic["slug"].strip()
        else:
            slug = topic_model.slug
            result.topic = Topic(
                slug=topic_model.slug,
                title=topic_model.title.to_domain(),
                aliases=tuple(topic_model.aliases),
            )
            result.topic_line = line_of(node_at(loader.root, ("topic",))[0])
            for i, alias in enumerate(topic_model.aliases):
                result.alias_lines[alias] = line_of(
                    node_at(loader.root, ("topic", "aliases", i))[0]
                )
    raw_questions = data.get("questions")
    if raw_questions is None:
        loader.add(("questions",), "missing")
        raw_questions = []
    elif not isinstance(raw_questions, list):
        loader.add(("questions",), f"expected a list of questions, got {describe(raw_questions)}")
        raw_questions = []
    for index, raw in enumerate(raw_questions):
        at: Loc = ("questions", index)
        qid = question_id(raw)
        line = line_of(node_at(loader.root, at)[0])
        if qid is not None:
            result.ids.append((qid, at, line))
        before = len(loader.problems)
        check_question(raw, loader, at)
        try:
            model = QuestionModel.model_validate(raw)
        except ValidationError as exc:
            loader.add_validation(exc, at, QuestionModel, qid)
            continue
        if model.topic is not None and slug is not None and model.topic != slug:
            loader.add(
                (*at, "topic"),
                f"unknown topic '{model.topic}': this file is topic '{slug}'",
                question_id=qid,
            )
            continue
        if len(loader.problems) > before or slug is None:
            continue
        example_lines = tuple(
            line_of(node_at(loader.root, (*at, "examples", i))[0])
            for i in range(len(model.examples))
        )
        source = QuestionSource(display, line, example_lines)
        result.questions.append((_to_question(model, slug), source))
    result.problems = loader.problems
    return result
