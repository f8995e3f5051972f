"""`k8sq questions check | list`: validate the bank and calibrate it on its own examples."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.cli.grading import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Grader,
    grader,
    load_for_cli,
    safe,
)
from bot.domain.model import Example, Grade, Question, format_points
from bot.question_bank import LoadedBank, QuestionSource

# How much of a failing example's answer to repeat, so the writer recognises it.
ANSWER_PREVIEW = 80


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("questions", help="check or list the question bank")
    sub = parser.add_subparsers(dest="questions_command", metavar="COMMAND")

    check = sub.add_parser(
        "check",
        help="validate the bank and grade every example answer",
        description=(
            "Validate every topic file and grade every example answer against its own rubric. "
            "Exit 1 when anything is wrong: a problem in a file, or an example outside its range."
        ),
    )
    check.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="a folder of topic files or one YAML file (default: questions/)",
    )
    check.add_argument(
        "-q", "--quiet", action="store_true", help="print only the failures and the summary"
    )
    check.set_defaults(func=run_check)

    listing = sub.add_parser("list", help="list the topics and how many questions each has")
    listing.add_argument("path", nargs="?", type=Path, metavar="PATH")
    listing.set_defaults(func=run_list)

    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


@dataclass(frozen=True)
class Failure:
    """An example answer the rubric grades outside its expected range."""

    question: Question
    index: int
    example: Example
    source: QuestionSource | None
    grade: Grade | None
    error: str = ""

    def where(self) -> str:
        if self.source is None:
            return self.question.id
        lines = self.source.example_lines
        line = lines[self.index] if self.index < len(lines) else self.source.line
        return f"{self.source.file}:{line}" if line else self.source.file


def _preview(answer: str) -> str:
    flat = " ".join(answer.split())
    if not flat:
        return "(empty)"
    return flat if len(flat) <= ANSWER_PREVIEW else flat[: ANSWER_PREVIEW - 1] + "…"


def _range(example: Example) -> str:
    low, high = (
        format_points(p, 1).split("/")[0] for p in (example.min_points, example.max_points)
    )
    return f"[{low}, {high}]"


def describe_failure(failure: Failure) -> str:
    """A failing example, with enough of the grade to see why it landed where it did."""
    q, ex = failure.question, failure.example
    expected = _range(ex)
    head = f"{failure.where()}: {q.id}: examples[{failure.index}] ({ex.kind or '?'}):"
    if failure.grade is None:
        return safe(f"{head} the grader failed: {failure.error}\n    answer: {_preview(ex.answer)}")
    g = failure.grade
    lines = [f"{head} expected {expected}, got {format_points(g.points, g.max_points)}"]
    lines.append(f"    answer: {_preview(ex.answer)}")
    found = ", ".join(
        f"{hit.concept_id} ({'/'.join(hit.matched)})" if hit.matched else hit.concept_id
        for hit in g.found
    )
    lines.append(f"    found: {found or '-'}")
    missed = ", ".join(m.concept_id + ("*" if m.required else "") for m in g.missed)
    lines.append(f"    missed: {missed or '-'}")
    if g.misconceptions:
        bad = ", ".join(
            f"{m.misconception_id} -{m.penalty:g} ({'/'.join(m.matched)})" for m in g.misconceptions
        )
        lines.append(f"    misconceptions: {bad}")
    if g.notes:
        lines.append(f"    notes: {'; '.join(g.notes)}")
    return safe("\n".join(lines))


def check_examples(loaded: LoadedBank, grade: Grader) -> tuple[int, list[Failure]]:
    """Grade every example; return how many there were and those outside their range."""
    failures: list[Failure] = []
    count = 0
    for question in loaded.bank.questions:
        source = loaded.sources.get(question.id)
        for index, example in enumerate(question.examples):
            count += 1
            try:
                result = grade(example.answer, question)
            except Exception as exc:  # a grader bug must not hide the other examples
                failures.append(
                    Failure(question, index, example, source, None, f"{type(exc).__name__}: {exc}")
                )
                continue
            # Points are compared as a person reads them, so 7.999999 is not "below 8".
            points = round(result.points, 6)
            if not example.min_points <= points <= example.max_points:
                failures.append(Failure(question, index, example, source, result))
    return count, failures


def run_check(args: argparse.Namespace) -> int:
    return check(args.path, quiet=args.quiet, out=sys.stdout, err=sys.stdout)


def check(path: Path | None, *, quiet: bool, out: TextIO, err: TextIO) -> int:
    """Validate the bank at `path` and grade its examples; 0 when all is well."""
    loaded = load_for_cli(path, err)
    if loaded is None:
        print("bank check FAILED: fix the problems above", file=out)
        return EXIT_FAILED
    bank = loaded.bank
    count, failures = check_examples(loaded, grader())
    for failure in failures:
        print(describe_failure(failure), file=out)
    if not quiet:
        failing = Counter(f.question.topic for f in failures)
        for topic in bank.topics:
            n = len(bank.by_topic(topic.slug))
            outside = f", {failing[topic.slug]} outside their range" if failing[topic.slug] else ""
            print(f"  {topic.slug}: {n} question{'s' if n != 1 else ''}{outside}", file=out)
    failed_questions = len({f.question.id for f in failures})
    summary = (
        f"{len(loaded.files)} files, {len(bank.topics)} topics, {len(bank.questions)} questions, "
        f"{count} examples: "
    )
    if failures:
        print(
            f"{summary}{len(failures)} outside their range (in {failed_questions} questions)",
            file=out,
        )
        return EXIT_FAILED
    print(f"{summary}all within their range", file=out)
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    loaded = load_for_cli(args.path, sys.stderr)
    if loaded is None:
        return EXIT_USAGE
    bank = loaded.bank
    for topic in bank.topics:
        questions = bank.by_topic(topic.slug)
        by_level = Counter(q.difficulty for q in questions)
        levels = " ".join(f"{'★' * d}:{by_level[d]}" for d in sorted(by_level))
        print(
            safe(
                f"{topic.slug:<20} {len(questions):>3}  {levels:<18} "
                f"{topic.title.zh} / {topic.title.en}  [{', '.join(topic.aliases)}]"
            )
        )
    print(f"{len(bank.topics)} topics, {len(bank.questions)} questions")
    return EXIT_OK
