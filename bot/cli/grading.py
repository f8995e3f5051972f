"""`k8sq grade`: grade an answer, or many (`--jsonl`), for a person or a program.

Also the pieces the other terminal commands share: loading the bank with its problems printed,
reading stdin as UTF-8, and showing a grade.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, TextIO, cast

from bot.domain.model import (
    LANGS,
    Bank,
    Grade,
    Lang,
    Question,
    UnknownQuestion,
    format_points,
)
from bot.question_bank import BankError, LoadedBank, default_bank_path, load_bank_with_sources

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

LangChoice = Literal["auto", "zh", "en"]
Grader = Callable[[str, Question], Grade]


class InputError(Exception):
    """Input the command line cannot use (not UTF-8 text, say); one line for the person."""


# ----- shared by the terminal commands -----


def add_bank_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bank",
        type=Path,
        metavar="PATH",
        help="a topic folder or one YAML file (default: $K8SQ_QUESTIONS_DIR, else questions/)",
    )


def add_lang_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=("auto", *LANGS),
        default="auto",
        help="language of labels and hints (default: the answer's language)",
    )


def load_for_cli(path: Path | None, err: TextIO) -> LoadedBank | None:
    """The bank, or None after printing every problem it has."""
    try:
        return load_bank_with_sources(path if path is not None else default_bank_path())
    except BankError as exc:
        print(safe(str(exc)), file=err)
        return None


def grader() -> Grader:
    """The grader, imported when a command needs it (listing topics does not)."""
    from bot.domain.grading import grade

    return grade


def safe(text: str) -> str:
    """Text that can be printed whatever it holds (lone surrogates become U+FFFD)."""
    return text.encode("utf-8", "replace").decode("utf-8")


def read_stdin(stdin: TextIO) -> str:
    """All of stdin as UTF-8 text; raise InputError when it is not text."""
    buffer = getattr(stdin, "buffer", None)
    try:
        if buffer is not None:
            return cast(bytes, buffer.read()).decode("utf-8")
        return stdin.read()
    except UnicodeDecodeError as exc:
        raise InputError(
            f"stdin is not UTF-8 text (byte {exc.start} is 0x{exc.object[exc.start]:02x})"
        ) from exc


def stdin_lines(stdin: TextIO) -> Iterator[tuple[int, str | None]]:
    """Stdin line by line as (number, text), text None for a line that is not UTF-8."""
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:
        for number, line in enumerate(stdin, start=1):
            yield number, line
        return
    for number, raw in enumerate(buffer, start=1):
        try:
            yield number, cast(bytes, raw).decode("utf-8")
        except UnicodeDecodeError:
            yield number, None


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def pick_lang(choice: str, answer: str) -> Lang:
    """The language to explain a grade in: the one asked for, else the answer's own."""
    if choice in LANGS:
        return "zh" if choice == "zh" else "en"
    return "zh" if has_cjk(answer) or not answer.strip() else "en"


def grade_to_json(grade: Grade, lang: Lang) -> dict[str, Any]:
    """A grade as one JSON object: what a program needs, hints in `lang`."""
    return {
        "question_id": grade.question_id,
        "points": grade.points,
        "max_points": grade.max_points,
        "passed": grade.passed,
        "found": [
            {"concept": hit.concept_id, "label": hit.label.get(lang), "matched": list(hit.matched)}
            for hit in grade.found
        ],
        "missed": [
            {
                "concept": miss.concept_id,
                "label": miss.label.get(lang),
                "hint": miss.hint.get(lang),
                "required": miss.required,
            }
            for miss in grade.missed
        ],
        "misconceptions": [
            {
                "misconception": hit.misconception_id,
                "statement": hit.statement.get(lang),
                "penalty": hit.penalty,
                "matched": list(hit.matched),
            }
            for hit in grade.misconceptions
        ],
        "notes": list(grade.notes),
        "rubric_version": grade.rubric_version,
    }


def dumps_line(obj: dict[str, Any]) -> str:
    """One JSON line, readable Chinese when it can be written, escaped when it cannot."""
    text = json.dumps(obj, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True)
    return text


_WORDS = {
    "zh": {
        "passed": "通过",
        "not_passed": "未通过",
        "found": "答到了",
        "missed": "没答到",
        "required": "必答",
        "misconceptions": "错误说法",
        "notes": "说明",
        "none": "（无）",
    },
    "en": {
        "passed": "passed",
        "not_passed": "not passed",
        "found": "Found",
        "missed": "Missed",
        "required": "required",
        "misconceptions": "Misconceptions",
        "notes": "Notes",
        "none": "(none)",
    },
}


def _quoted(words: tuple[str, ...]) -> str:
    return ", ".join(f"“{w}”" for w in words)


def format_grade(grade: Grade, lang: Lang) -> str:
    """A grade for a person: points, what was found and with which words, what was missed."""
    w = _WORDS[lang]
    status = w["passed"] if grade.passed else w["not_passed"]
    lines = [f"{format_points(grade.points, grade.max_points)}  ({status})"]
    lines.append(f"{w['found']}:")
    if grade.found:
        for hit in grade.found:
            matched = f" ← {_quoted(hit.matched)}" if hit.matched else ""
            lines.append(f"  ✓ {hit.label.get(lang)}{matched}")
    else:
        lines.append(f"  {w['none']}")
    if grade.missed:
        lines.append(f"{w['missed']}:")
        for miss in grade.missed:
            required = f" [{w['required']}]" if miss.required else ""
            lines.append(f"  ✗ {miss.label.get(lang)}{required}")
            lines.append(f"    → {miss.hint.get(lang)}")
    if grade.misconceptions:
        lines.append(f"{w['misconceptions']}:")
        for bad in grade.misconceptions:
            matched = f" ← {_quoted(bad.matched)}" if bad.matched else ""
            lines.append(f"  ! -{bad.penalty:g}  {bad.statement.get(lang)}{matched}")
    if grade.notes:
        lines.append(f"{w['notes']}: " + "; ".join(grade.notes))
    return safe("\n".join(lines))


# ----- k8sq grade -----


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "grade",
        help="grade an answer against a question's rubric",
        description=(
            "Grade ANSWER (or stdin) against QUESTION_ID. With --jsonl, read lines "
            '{"question_id": ..., "answer": ...} from stdin and write one grade per line, each '
            'with "line" (its input line number); a bad line gets {"line": N, "error": ...}. '
            "Blank lines are skipped."
        ),
    )
    parser.add_argument("question_id", nargs="?", metavar="QUESTION_ID")
    parser.add_argument("answer", nargs="?", metavar="ANSWER", help="the answer (default: stdin)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print the grade as one JSON object")
    mode.add_argument(
        "--jsonl", action="store_true", help="grade many answers: JSON lines on stdin and stdout"
    )
    add_bank_argument(parser)
    add_lang_argument(parser)
    parser.set_defaults(func=run_grade)


def run_grade(args: argparse.Namespace) -> int:
    out, err = sys.stdout, sys.stderr
    if args.jsonl and args.question_id is not None:
        print("k8sq grade --jsonl takes no QUESTION_ID: each line names its own", file=err)
        return EXIT_USAGE
    if not args.jsonl and args.question_id is None:
        print("k8sq grade needs a QUESTION_ID (or --jsonl)", file=err)
        return EXIT_USAGE
    loaded = load_for_cli(args.bank, err)
    if loaded is None:
        return EXIT_USAGE
    grade = grader()
    if args.jsonl:
        return _grade_lines(loaded.bank, grade, lang=args.lang, stdin=sys.stdin, stdout=out)
    try:
        question = loaded.bank.question(args.question_id)
    except UnknownQuestion as exc:
        print(safe(str(exc)), file=err)
        return EXIT_USAGE
    if args.answer is None and sys.stdin.isatty():
        print("Type the answer, then Ctrl-D on a line of its own:", file=err)
    try:
        answer = read_stdin(sys.stdin) if args.answer is None else _argument_text(args.answer)
    except InputError as exc:
        print(exc, file=err)
        return EXIT_USAGE
    result = grade(answer, question)
    lang = pick_lang(args.lang, answer)
    if args.json:
        print(dumps_line(grade_to_json(result, lang)), file=out)
    else:
        print(format_grade(result, lang), file=out)
    return EXIT_OK


def _argument_text(answer: str) -> str:
    """The answer given as an argument; the OS hands over bytes that may not be UTF-8."""
    try:
        answer.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError("the ANSWER argument is not UTF-8 text") from exc
    return answer


def _grade_line(number: int, line: str, bank: Bank, grade: Grader, lang: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as exc:
        return {"line": number, "error": f"not JSON: {getattr(exc, 'msg', exc)}"}
    if not isinstance(item, dict):
        return {"line": number, "error": "expected an object with question_id and answer"}
    problems = [
        f"{key} must be a string" if key in item else f"{key} is missing"
        for key in ("question_id", "answer")
        if not isinstance(item.get(key), str)
    ]
    if problems:
        return {"line": number, "error": "; ".join(problems)}
    try:
        question = bank.question(item["question_id"])
    except UnknownQuestion as exc:
        return {"line": number, "error": str(exc)}
    answer: str = item["answer"]
    return {"line": number, **grade_to_json(grade(answer, question), pick_lang(lang, answer))}


def _grade_lines(bank: Bank, grade: Grader, *, lang: str, stdin: TextIO, stdout: TextIO) -> int:
    """One output line per non-blank input line, in order, each naming its input line."""
    for number, line in stdin_lines(stdin):
        if line is None:
            result: dict[str, Any] = {"line": number, "error": "not UTF-8 text"}
        elif not line.strip():
            continue
        else:
            result = _grade_line(number, line, bank, grade, lang)
        try:
            print(dumps_line(result), file=stdout, flush=True)
        except BrokenPipeError:
            # The reader stopped early (`| head`): nothing left to write to, and that is fine.
            _silence(stdout)
            return EXIT_OK
    return EXIT_OK


def _silence(stream: TextIO) -> None:
    """Point a closed pipe at /dev/null so Python's exit flush raises nothing more."""
    fileno = getattr(stream, "fileno", None)
    try:
        if fileno is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fileno())
            os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
