"""Load the question bank from YAML, validate all of it, and build the domain's values.

Every problem in the bank is reported at once, each naming its file, line, question and field, so a
writer fixes a whole file in one pass instead of one error per run.

This module is the bank's public face and checks what spans files (ids, topic words); one file is
read by the others, each with one concern:
- `reader`: parse a file's YAML once, keep its nodes, collect its problems with their lines;
- `locations`: walk the YAML nodes, from a data path to a line, and find keys written twice;
- `schema`: the pydantic models of a topic file, and the domain values they become;
- `messages`: pydantic's errors in the words of someone writing YAML;
- `checks`: the rules of a question that span fields, run on the raw YAML;
- `versions`: a question's version, a hash of what grades an answer;
- `topic_file`: one file to its topic, its valid questions and its problems;
- `problems`: `Problem` and `BankError`, what a caller catches and prints.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.model import Bank
from bot.domain.topics import topic_keys
from bot.question_bank.locations import QuestionSource, format_loc
from bot.question_bank.problems import BankError, Problem
from bot.question_bank.topic_file import load_file

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


def _files(path: Path) -> list[Path]:
    """`path` itself, or the *.yaml and *.yml in it by name, leaving out those named .* or _*."""
    if path.is_dir():
        return sorted(
            p
            for p in path.iterdir()
            if p.suffix in {".yaml", ".yml"} and not p.name.startswith((".", "_")) and p.is_file()
        )
    return [path]


def _display(path: Path) -> str:
    """`path` as problems name it: relative to the current folder when it is under it."""
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
    results = [load_file(f, _display(f)) for f in files]
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
