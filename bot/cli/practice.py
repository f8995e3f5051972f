"""`k8sq practice [TOPIC]`: questions in the terminal, graded as the Slack bot grades them."""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from bot.cli.grading import (
    EXIT_OK,
    EXIT_USAGE,
    Grader,
    add_bank_argument,
    add_lang_argument,
    format_grade,
    grader,
    load_for_cli,
    pick_lang,
    safe,
)
from bot.domain.model import Bank, Question, Topic, UnknownTopic, format_points
from bot.domain.topics import TopicIndex, describe_unknown_topic

# Picks the next question from those on offer, given the one just asked (None at the start).
Chooser = Callable[[Sequence[Question], Question | None], Question]


class ShuffledChooser:
    """Every question once in a random order, then again; never the same one twice in a row."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rng = rng or random.Random()
        self.bag: list[Question] = []

    def __call__(self, questions: Sequence[Question], last: Question | None) -> Question:
        if not self.bag:
            self.bag = list(questions)
            self.rng.shuffle(self.bag)
            # A new round must not start with the question that ended the last one.
            if len(self.bag) > 1 and last is not None and self.bag[-1].id == last.id:
                self.bag[0], self.bag[-1] = self.bag[-1], self.bag[0]
        return self.bag.pop()


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "practice",
        help="practise in the terminal: a question, your answer, its grade",
        description=(
            "Ask questions (of TOPIC, else of every topic), read a multi-line answer ended by an "
            "empty line, and show its grade and the reference answer; again until Ctrl-D. "
            "An empty answer skips the question."
        ),
    )
    parser.add_argument(
        "topic", nargs="*", metavar="TOPIC", help="a topic: slug, title or alias (svc, 探针, ...)"
    )
    add_bank_argument(parser)
    add_lang_argument(parser)
    parser.set_defaults(func=run_practice_command)


def run_practice_command(args: argparse.Namespace) -> int:
    loaded = load_for_cli(args.bank, sys.stderr)
    if loaded is None:
        return EXIT_USAGE
    topic = " ".join(args.topic) if args.topic else None
    return run_practice(loaded.bank, topic, stdin=sys.stdin, stdout=sys.stdout, lang=args.lang)


def _stars(difficulty: int) -> str:
    return "★" * difficulty + "☆" * max(0, 3 - difficulty)


def _show_question(question: Question, topic: Topic | None, out: TextIO) -> None:
    title = f"{topic.title.zh} / {topic.title.en}" if topic else question.topic
    print(f"\n── {question.id} · {title} · {_stars(question.difficulty)} ──", file=out)
    print(question.prompt.zh, file=out)
    print(question.prompt.en, file=out)
    print("\n回答，空行结束；Ctrl-D 退出 / Answer, end with an empty line; Ctrl-D quits:", file=out)


class _Ended(Exception):
    """The person pressed Ctrl-D (or stdin ran out) before finishing an answer."""

    def __init__(self, partial: str) -> None:
        self.partial = partial


def _readline(stdin: TextIO) -> str | None:
    """One line of input, "" at the end; None for a line that is not UTF-8 text.

    Bytes are decoded line by line, so one bad line costs only itself.
    """
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:
        try:
            return stdin.readline()
        except UnicodeDecodeError:
            return None
    raw: bytes = buffer.readline()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _read_answer(stdin: TextIO, out: TextIO) -> str:
    """Lines up to an empty line; raise _Ended on end of input."""
    lines: list[str] = []
    while True:
        print("> ", end="", file=out, flush=True)
        line = _readline(stdin)
        if line is None:
            print(
                "（这一行不是 UTF-8 文本，已忽略 / that line was not UTF-8 text and was left out）",
                file=out,
            )
            continue
        if line == "":
            raise _Ended("\n".join(lines))
        line = line.rstrip("\r\n")
        if not line.strip():
            return "\n".join(lines)
        lines.append(line)


def run_practice(
    bank: Bank,
    topic: str | None,
    *,
    stdin: TextIO,
    stdout: TextIO,
    lang: str = "auto",
    choose: Chooser | None = None,
    grade: Grader | None = None,
) -> int:
    """Practise in a terminal until end of input or Ctrl-C; 2 when the topic is unknown.

    Args:
        topic: what the person typed, matched as `/k8sq <topic>` matches it; None for all.
        lang: `zh`, `en`, or `auto` for the language of each answer.
        choose: picks the next question (default: shuffled, never the same twice in a row).
    """
    out = stdout
    index = TopicIndex.build(bank.topics)
    chosen: Topic | None = None
    if topic is not None and topic.strip():
        try:
            chosen = index.match(topic)
        except UnknownTopic as exc:
            print(safe(describe_unknown_topic(exc, bank.topics)), file=out)
            return EXIT_USAGE
    questions = bank.by_topic(chosen.slug) if chosen else bank.questions
    if not questions:
        where = f"topic '{chosen.slug}'" if chosen else "the bank"
        print(f"{where} has no questions yet", file=out)
        return EXIT_USAGE
    pick = choose or ShuffledChooser()
    mark = grade or grader()
    topics = {t.slug: t for t in bank.topics}
    scope = f"{chosen.title.zh} / {chosen.title.en}" if chosen else "all topics / 全部主题"
    print(f"k8sq practice: {scope}, {len(questions)} questions", file=out)

    asked = 0
    points = 0.0
    max_points = 0.0
    last: Question | None = None
    try:
        while True:
            question = pick(questions, last)
            last = question
            _show_question(question, topics.get(question.topic), out)
            ended = False
            try:
                answer = _read_answer(stdin, out)
            except _Ended as end:
                answer, ended = end.partial, True
            if answer.strip():
                result = mark(answer, question)
                asked += 1
                points += result.points
                max_points += result.max_points
                print(format_grade(result, pick_lang(lang, answer)), file=out)
            elif ended:
                break
            else:
                print("（跳过 / skipped）", file=out)
            print("\n参考答案 / Reference answer:", file=out)
            print(safe(question.reference.zh), file=out)
            print(file=out)
            print(safe(question.reference.en), file=out)
            if ended:
                break
    except KeyboardInterrupt:
        print(file=out)
    total = f": {asked} answered, {format_points(points, max_points)}" if asked else ""
    print(f"\n再见 / Goodbye{total}", file=out)
    return EXIT_OK
