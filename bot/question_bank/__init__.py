"""Load the question bank from YAML, validate all of it, and build the domain's values.

Every problem in the bank is reported at once, each naming its file, line, question and field, so a
writer fixes a whole file in one pass instead of one error per run.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.domain.model import Bank, Example, Question, Rubric, Topic
from bot.domain.topics import topic_keys
from bot.question_bank.locations import (
    AnchorCycle,
    Loc,
    QuestionSource,
    duplicate_keys,
    format_loc,
    key_node,
    line_of,
    node_at,
)
from bot.question_bank.messages import describe, message_for
from bot.question_bank.problems import BankError, Problem
from bot.question_bank.schema import QuestionModel, TopicModel, model_for

__all__ = [
    "ENV_QUESTIONS_DIR",
    "BankError",
    "LoadedBank",
    "Problem",
    "QuestionSource",
    "default_bank_path",
    "load_bank",
    "load_bank_with_sources",
]

ENV_QUESTIONS_DIR = "K8SQ_QUESTIONS_DIR"
# This file is bot/question_bank/__init__.py: the repository root is two folders up.
DEFAULT_QUESTIONS_DIR = Path(__file__).resolve().parents[2] / "questions"
# Every question calibrates its rubric on at least a full, a partial and a wrong or empty answer.
REQUIRED_KIND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("a full answer (kind: full)", ("full",)),
    ("a partial answer (kind: partial or weak)", ("partial", "weak")),
    ("a wrong or empty answer (kind: wrong, empty or offtopic)", ("wrong", "empty", "offtopic")),
)
MIN_EXAMPLES = 3
VERSION_LENGTH = 12


def default_bank_path() -> Path:
    """The bank to load: `$K8SQ_QUESTIONS_DIR`, else `questions/` at the repository root."""
    configured = os.environ.get(ENV_QUESTIONS_DIR, "").strip()
    return Path(configured) if configured else DEFAULT_QUESTIONS_DIR


@dataclass(frozen=True)
class LoadedBank:
    """The bank with where each question was written, for tools that point a writer at a line."""

    bank: Bank
    sources: dict[str, QuestionSource] = field(default_factory=dict)
    files: tuple[str, ...] = ()


# ----- loading one file -----


class _FileLoader:
    """Validate one topic file, collecting its problems."""

    def __init__(self, path: Path, display: str) -> None:
        self.path = path
        self.display = display
        self.problems: list[Problem] = []
        self.root: yaml.Node | None = None

    def add(
        self,
        loc: Loc,
        message: str,
        *,
        question_id: str | None = None,
        key: bool = False,
        line: int | None = None,
    ) -> None:
        if line is None:
            node = key_node(self.root, loc) if key else node_at(self.root, loc)[0]
            line = line_of(node)
        self.problems.append(Problem(self.display, question_id, format_loc(loc), message, line))

    def add_validation(
        self, exc: ValidationError, prefix: Loc, owner: type[BaseModel], question_id: str | None
    ) -> None:
        for error in exc.errors():
            loc: Loc = tuple(error["loc"])
            full = (*prefix, *loc)
            model = model_for(full[:-1], owner) if error["type"] == "extra_forbidden" else owner
            self.add(
                full,
                message_for(error, model),
                question_id=question_id,
                key=error["type"] == "extra_forbidden",
            )

    def read(self) -> Any:
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.add((), f"not UTF-8 text (byte {exc.start})")
            return None
        except OSError as exc:
            self.add((), f"cannot read: {exc.strerror or exc}")
            return None
        # One parse gives both the nodes (for line numbers) and the data built from them.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        try:
            self.root = loader.get_single_node()
            data = loader.construct_document(self.root) if self.root is not None else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            context = getattr(exc, "context", None)
            detail = f"{context}: {problem}" if context else str(problem)
            self.add((), f"YAML syntax error: {detail}", line=line)
            return None
        finally:
            loader.dispose()
        try:
            duplicates = list(duplicate_keys(self.root))
        except AnchorCycle as cycle:
            self.add((), "a YAML anchor is used inside itself", line=line_of(cycle.node))
            return None
        for loc, key in duplicates:
            self.add(loc, "key written twice (YAML would keep only the last)", line=line_of(key))
        return data


def _question_id(raw: Any) -> str | None:
    if isinstance(raw, dict):
        qid = raw.get("id")
        if isinstance(qid, str) and qid.strip():
            return qid.strip()
    return None


def _items(raw: Any, *keys: str) -> list[Any]:
    """`raw[k1][k2]...` when it is a list, else an empty list: for checks on broken YAML."""
    for key in keys:
        raw = raw.get(key) if isinstance(raw, dict) else None
    return raw if isinstance(raw, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _check_question(raw: Any, loader: _FileLoader, at: Loc) -> None:
    """The rules that span fields, run on the raw YAML so they show beside any other problem."""
    qid = _question_id(raw)
    raw_examples = _items(raw, "examples")
    has_list = isinstance(raw, dict) and isinstance(raw.get("examples"), list)
    if has_list and len(raw_examples) < MIN_EXAMPLES:
        loader.add(
            (*at, "examples"),
            f"needs at least {MIN_EXAMPLES} examples (a full, a partial and a wrong or empty"
            f" answer), has {len(raw_examples)}",
            question_id=qid,
        )
    for group in ("concepts", "misconceptions"):
        seen: dict[str, int] = {}
        for i, item in enumerate(_items(raw, "rubric", group)):
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str):
                continue
            if item_id in seen:
                loader.add(
                    (*at, "rubric", group, i, "id"),
                    f"id '{item_id}' already used by {group}[{seen[item_id]}]",
                    question_id=qid,
                )
            seen.setdefault(item_id, i)
    declared = raw.get("max_points", 10) if isinstance(raw, dict) else 10
    max_points = _number(declared)
    for i, example in enumerate(raw_examples):
        points = example.get("points") if isinstance(example, dict) else None
        if not isinstance(points, list) or len(points) != 2:
            continue
        low, high = _number(points[0]), _number(points[1])
        if low is None or high is None or low < 0 or high < 0:
            continue  # reported by the schema
        if low > high:
            loader.add(
                (*at, "examples", i, "points"),
                f"impossible range [{low:g}, {high:g}]: min is more than max",
                question_id=qid,
            )
        elif max_points is not None and max_points > 0 and high > max_points:
            loader.add(
                (*at, "examples", i, "points"),
                f"impossible range [{low:g}, {high:g}]: the question is worth {max_points:g}",
                question_id=qid,
            )
    kinds = {
        e["kind"] for e in raw_examples if isinstance(e, dict) and isinstance(e.get("kind"), str)
    }
    if len(raw_examples) >= MIN_EXAMPLES:
        for description, group_kinds in REQUIRED_KIND_GROUPS:
            if not kinds.intersection(group_kinds):
                loader.add((*at, "examples"), f"needs {description}", question_id=qid)


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
    return _with_version(question)


def question_version(question: Question) -> str:
    """A short hash of what grades an answer: prompt, reference and rubric.

    The examples, difficulty and section are left out: they do not change a grade.
    """
    content = {
        "id": question.id,
        "topic": question.topic,
        "prompt": asdict(question.prompt),
        "reference": asdict(question.reference),
        "rubric": asdict(question.rubric),
    }
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:VERSION_LENGTH]


def _with_version(question: Question) -> Question:
    from dataclasses import replace

    return replace(question, version=question_version(question))


@dataclass
class _FileResult:
    display: str
    topic: Topic | None = None
    topic_line: int | None = None
    alias_lines: dict[str, int | None] = field(default_factory=dict)
    questions: list[tuple[Question, QuestionSource]] = field(default_factory=list)
    # Every id the file claims, valid or not, so duplicates are found across broken questions.
    ids: list[tuple[str, Loc, int | None]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _load_file(path: Path, display: str) -> _FileResult:
    loader = _FileLoader(path, display)
    result = _FileResult(display)
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
        qid = _question_id(raw)
        line = line_of(node_at(loader.root, at)[0])
        if qid is not None:
            result.ids.append((qid, at, line))
        before = len(loader.problems)
        _check_question(raw, loader, at)
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


# ----- the whole bank -----


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.suffix in {".yaml", ".yml"} and not p.name.startswith((".", "_")) and p.is_file()
        )
    return [path]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_bank_with_sources(path: Path) -> LoadedBank:
    """Load and validate a folder of topic files or one file; raise BankError listing all."""
    if not path.exists():
        raise BankError([Problem(str(path), None, "", "no such file or folder")])
    files = _files(path)
    if not files:
        raise BankError([Problem(_display(path), None, "", "no question files (*.yaml) here")])
    results = [_load_file(f, _display(f)) for f in files]
    problems = [p for r in results for p in r.problems]

    # Ids are unique across the whole bank, whichever file they are in.
    first_id: dict[str, tuple[str, int | None]] = {}
    for r in results:
        for qid, loc, line in r.ids:
            if qid in first_id:
                other_file, other_line = first_id[qid]
                where = f"{other_file}:{other_line}" if other_line else other_file
                problems.append(
                    Problem(
                        r.display,
                        qid,
                        format_loc((*loc, "id")),
                        f"duplicate id (also at {where})",
                        line,
                    )
                )
            else:
                first_id[qid] = (r.display, line)

    # Topic slugs, titles and aliases: each word /k8sq accepts leads to one topic.
    claimed: dict[str, tuple[str, str]] = {}
    slug_files: dict[str, str] = {}
    for r in results:
        topic = r.topic
        if topic is None:
            continue
        if topic.slug in slug_files:
            problems.append(
                Problem(
                    r.display,
                    None,
                    "topic.slug",
                    f"topic '{topic.slug}' is already defined in {slug_files[topic.slug]}",
                    r.topic_line,
                )
            )
            continue
        slug_files[topic.slug] = r.display
        own: set[str] = set()
        words = [("slug", topic.slug), ("title.zh", topic.title.zh), ("title.en", topic.title.en)]
        words += [(f"aliases[{i}]", alias) for i, alias in enumerate(topic.aliases)]
        for where, word in words:
            for key in topic_keys(word):
                if not key:
                    problems.append(
                        Problem(
                            r.display,
                            None,
                            f"topic.{where}",
                            f"'{word}' has no letters or digits",
                            r.topic_line,
                        )
                    )
                    continue
                if key in own:
                    continue
                own.add(key)
                if key in claimed and claimed[key][0] != topic.slug:
                    other_slug, other_file = claimed[key]
                    line = r.alias_lines.get(word, r.topic_line)
                    problems.append(
                        Problem(
                            r.display,
                            None,
                            f"topic.{where}",
                            f"'{word}' is also claimed by topic '{other_slug}' ({other_file})",
                            line,
                        )
                    )
                else:
                    claimed.setdefault(key, (topic.slug, r.display))

    if problems:
        order = {r.display: i for i, r in enumerate(results)}
        problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
        raise BankError(problems)
    topics = tuple(r.topic for r in results if r.topic is not None)
    questions = tuple(q for r in results for q, _ in r.questions)
    sources = {q.id: src for r in results for q, src in r.questions}
    return LoadedBank(
        Bank(topics=topics, questions=questions), sources, tuple(r.display for r in results)
    )


def load_bank(path: Path | None = None) -> Bank:
    """Load the bank at `path` (a folder or one YAML file), by default `default_bank_path()`."""
    return load_bank_with_sources(path if path is not None else default_bank_path()).bank
