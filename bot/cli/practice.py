"""`k8sq practice [TOPIC]`: questions in the terminal, graded as the Slack bot grades them.

Practice on the configured bank is kept in the bot's database (DATABASE_URL, else k8sq.db in
K8SQ_DATA_DIR), migrated first as `make run` does: each answer is a practice attempt of the
person `--user` names (default: the OS user) in the workspace `terminal`, and the next question
is the one the person has not answered, else scored lowest on. `--bank PATH` practises on
another bank and records nothing.
"""

from __future__ import annotations

import argparse
import getpass
import random
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

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
from bot.domain.model import (
    Bank,
    DomainError,
    Grade,
    Question,
    Topic,
    UnknownTopic,
    format_points,
)
from bot.domain.topics import TopicIndex, describe_unknown_topic

if TYPE_CHECKING:
    from bot.services import Services

# The workspace terminal practice is recorded in: no Slack team id is lower-case, so it never
# meets a real one, and it is created paused and without a channel, so nothing is posted to it.
TERMINAL_TEAM = "terminal"
# The longest user id the database keeps (answers.user_id is VARCHAR(32)).
MAX_USER_CHARS = 32

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


class Recorder:
    """One person's practice kept in the database: the services choose, grade and record."""

    def __init__(self, services: Services, user_id: str, *, team_id: str = TERMINAL_TEAM) -> None:
        self.services = services
        self.team_id = team_id
        self.user_id = user_id

    def chooser(self, topic: Topic | None) -> Chooser:
        """Unanswered questions of `topic` (else of all) first, then the lowest scored."""
        slug = topic.slug if topic else None

        def choose(questions: Sequence[Question], last: Question | None) -> Question:
            question = self.services.next_practice_question(self.team_id, self.user_id, slug)
            if last is not None and question.id == last.id:
                # After a skip: a question skipped (or refused) is still unanswered, so it
                # comes first again.
                return self._instead_of(last, questions) or question
            return question

        return choose

    def _instead_of(self, last: Question, questions: Sequence[Question]) -> Question | None:
        """The question the practice rule picks when `last` is left out."""
        from bot.domain import selection

        tried = {
            s.question_id: selection.Tried(s.best_percent, s.last_at)
            for s in self.services.store.question_scores(self.team_id, self.user_id)
        }
        others = [
            selection.Candidate(q.id, q.topic, q.difficulty, position)
            for position, q in enumerate(questions)
            if q.id != last.id
        ]
        now = self.services.clock.now()
        excluded = self.services.store.open_question_ids(self.team_id, now)
        choice = selection.choose_practice(others, tried, excluded)
        return None if choice is None else self.services.question(choice.question_id)

    def grade(self, answer: str, question: Question) -> Grade:
        """Grade the answer and record it as practice."""
        return self.services.submit_practice(self.team_id, self.user_id, question.id, answer)

    def summary(self) -> list[str]:
        """The person's mastery per topic, weakest first, over all their practice."""
        stats = self.services.personal_stats(self.team_id, self.user_id)
        if not stats.mastery:
            return []
        titles = {t.slug: f"{t.title.zh} / {t.title.en}" for t in self.services.bank.topics}
        lines = ["掌握程度 / Mastery (weakest first):"]
        for score in stats.mastery:
            answers = "answer" if score.answers == 1 else "answers"
            title = titles.get(score.topic, score.topic)
            lines.append(f"  {score.average_percent:3.0f}%  {title} ({score.answers} {answers})")
        return lines


def local_user() -> str:
    """The OS user name, the default identity of terminal practice."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no LOGNAME/USER and no passwd entry (a bare container)
        name = ""
    return name.strip()[:MAX_USER_CHARS] or "local"


def user_name(text: str) -> str:
    """`--user`: a name of 1 to 32 printable characters."""
    name = text.strip()
    if not name or len(name) > MAX_USER_CHARS or not name.isprintable():
        raise argparse.ArgumentTypeError(
            f"{safe(text)!r} is not a user name: 1 to {MAX_USER_CHARS} printable characters"
        )
    return name


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "practice",
        help="practise in the terminal: a question, your answer, its grade",
        description=(
            "Ask questions (of TOPIC, else of every topic), read a multi-line answer ended by an "
            "empty line, and show its grade and the reference answer; again until Ctrl-D. "
            "An empty answer skips the question. Answers are recorded in the bot's database "
            "(DATABASE_URL, else k8sq.db in K8SQ_DATA_DIR; migrated first) as practice of "
            "--user in the workspace 'terminal', and the next question is one not answered "
            "yet, else the one scored lowest. With --bank nothing is recorded."
        ),
    )
    parser.add_argument(
        "topic", nargs="*", metavar="TOPIC", help="a topic: slug, title or alias (svc, 探针, ...)"
    )
    add_bank_argument(parser)
    add_lang_argument(parser)
    parser.add_argument(
        "--user",
        type=user_name,
        metavar="NAME",
        help="whose practice this is (default: the OS user name)",
    )
    parser.set_defaults(func=run_practice_command)


def run_practice_command(args: argparse.Namespace) -> int:
    topic = " ".join(args.topic) if args.topic else None
    if args.bank is None:
        return run_recorded_practice(
            topic, user_id=args.user or local_user(), lang=args.lang, stdin=sys.stdin
        )
    loaded = load_for_cli(args.bank, sys.stderr)
    if loaded is None:
        return EXIT_USAGE
    return run_practice(
        loaded.bank,
        topic,
        stdin=sys.stdin,
        stdout=sys.stdout,
        lang=args.lang,
        note="--bank: 不记录 / nothing is recorded",
    )


def run_recorded_practice(
    topic: str | None,
    *,
    user_id: str,
    lang: str,
    stdin: TextIO,
    stdout: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Practise on the configured bank, recorded in the configured database.

    The database is migrated and the bank synced first, as `make run` does; a setting, bank
    or database the bot could not start with is one line on `err` and exit code 2.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bot.bootstrap import StartError, build
    from bot.config import ConfigError, load_settings
    from bot.domain.records import StoreUnavailable, WorkspaceSettings
    from bot.store.engine import mask_url

    out = stdout or sys.stdout
    err = err or sys.stderr
    try:
        settings = load_settings()
        bot = build(settings)
    except (ConfigError, StartError) as exc:
        print(f"k8sq: {safe(str(exc))}", file=err)
        return EXIT_USAGE
    url = mask_url(settings.database_url)
    try:
        bot.prepare_database(migrate=True)
        bot.services.sync_bank()
        # Paused and without a channel: the scheduler never posts to this workspace.
        bot.store.ensure_workspace(WorkspaceSettings(team_id=TERMINAL_TEAM, paused=True))
        recorder = Recorder(bot.services, user_id)
        return run_practice(
            bot.services.bank,
            topic,
            stdin=stdin,
            stdout=out,
            lang=lang,
            recorder=recorder,
            note=safe(f"记录 / recording as {user_id} (workspace {TERMINAL_TEAM}) in {url}"),
        )
    except StartError as exc:
        print(f"k8sq: {safe(str(exc))}", file=err)
        return EXIT_USAGE
    except (StoreUnavailable, SQLAlchemyError) as exc:
        print(f"k8sq: {_database_failure(exc, url)}", file=err)
        return EXIT_USAGE
    finally:
        bot.close()


def _database_failure(exc: Exception, url: str) -> str:
    """One line naming the database (password masked) and why it failed."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return safe(f"cannot use the database {url}: {reason[0] if reason else type(exc).__name__}")


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
    recorder: Recorder | None = None,
    note: str | None = None,
) -> int:
    """Practise in a terminal until end of input or Ctrl-C; 2 when the topic is unknown.

    Args:
        topic: what the person typed, matched as `/k8sq <topic>` matches it; None for all.
        lang: `zh`, `en`, or `auto` for the language of each answer.
        choose: picks the next question (default: the recorder's, else shuffled; never the
            same twice in a row).
        grade: grades an answer (default: the recorder's, else the grader).
        recorder: records each answer and says the person's mastery at the end.
        note: a line shown under the heading (where the practice is recorded, or not).
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
    pick = choose or (recorder.chooser(chosen) if recorder else ShuffledChooser())
    mark = grade or (recorder.grade if recorder else grader())
    topics = {t.slug: t for t in bank.topics}
    scope = f"{chosen.title.zh} / {chosen.title.en}" if chosen else "all topics / 全部主题"
    print(f"k8sq practice: {scope}, {len(questions)} questions", file=out)
    if note:
        print(note, file=out)

    asked = 0
    points = 0.0
    max_points = 0.0
    last: Question | None = None
    try:
        while True:
            try:
                question = pick(questions, last)
            except DomainError as exc:
                print(safe(str(exc)), file=out)
                break
            last = question
            _show_question(question, topics.get(question.topic), out)
            ended = False
            try:
                answer = _read_answer(stdin, out)
            except _Ended as end:
                answer, ended = end.partial, True
            result: Grade | None = None
            if answer.strip():
                try:
                    result = mark(answer, question)
                except DomainError as exc:  # an answer too long to grade, say
                    print(safe(f"（未评分 / not graded: {exc}）"), file=out)
            if result is not None:
                asked += 1
                points += result.points
                max_points += result.max_points
                print(format_grade(result, pick_lang(lang, answer)), file=out)
            elif not answer.strip():
                if ended:
                    break
                print("（跳过 / skipped）", file=out)
            print("\n参考答案 / Reference answer:", file=out)
            print(safe(question.reference.zh), file=out)
            print(file=out)
            print(safe(question.reference.en), file=out)
            if ended:
                break
    except KeyboardInterrupt:
        print(file=out)
    total = ""
    if asked:
        average = f" ({100 * points / max_points:.0f}%)" if max_points else ""
        total = f": {asked} answered, {format_points(points, max_points)}{average}"
    print(f"\n再见 / Goodbye{total}", file=out)
    if recorder is not None:
        for line in recorder.summary():
            print(line, file=out)
    return EXIT_OK
