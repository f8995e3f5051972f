"""Grade the calibration answers with the real bank: `python -m bench.calibration [--all] [FILE]`.

Prints each answer's expected and graded points (all of them with --all, else those off by
more than 1.5), then Pearson's r and the mean absolute difference with the interviewer.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.domain.grading import grade
from bot.domain.model import Bank, Grade
from bot.question_bank import BankError, default_bank_path, load_bank

CALIBRATION = Path(__file__).resolve().parent.parent / "tests" / "data" / "calibration.jsonl"
PEARSON_TARGET = 0.85
MAE_TARGET = 1.5


@dataclass(frozen=True)
class Graded:
    question_id: str
    kind: str
    answer: str
    expected: float
    grade: Grade

    @property
    def error(self) -> float:
        return self.grade.points - self.expected


def load_answers(path: Path = CALIBRATION) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def missing_questions(bank: Bank, answers: list[dict[str, object]]) -> list[str]:
    ids = {q.id for q in bank.questions}
    return sorted({str(a["question_id"]) for a in answers} - ids)


def grade_all(bank: Bank, answers: list[dict[str, object]]) -> list[Graded]:
    out = []
    for a in answers:
        question = bank.question(str(a["question_id"]))
        score = a["score"]
        assert isinstance(score, int | float)
        out.append(
            Graded(
                question.id,
                str(a["kind"]),
                str(a["answer"]),
                float(score),
                grade(str(a["answer"]), question),
            )
        )
    return out


def pearson(xs: list[float], ys: list[float]) -> float:
    if len(xs) < 2 or statistics.pstdev(xs) == 0 or statistics.pstdev(ys) == 0:
        return 0.0
    return statistics.correlation(xs, ys)


def summary(graded: list[Graded]) -> tuple[float, float]:
    """Pearson's r and the mean absolute difference."""
    expected = [g.expected for g in graded]
    got = [g.grade.points for g in graded]
    mae = sum(abs(g.error) for g in graded) / len(graded) if graded else 0.0
    return pearson(expected, got), mae


def describe(g: Graded) -> str:
    found = ", ".join(f"{h.concept_id}={'/'.join(h.matched)}" for h in g.grade.found)
    wrong = ", ".join(f"{m.misconception_id}={'/'.join(m.matched)}" for m in g.grade.misconceptions)
    notes = "; ".join(g.grade.notes)
    return (
        f"{g.question_id} [{g.kind}] expected {g.expected:g} got {g.grade.points:g}\n"
        f"    {g.answer[:160]}\n"
        f"    found: {found or '-'}\n"
        + (f"    wrong: {wrong}\n" if wrong else "")
        + (f"    notes: {notes}\n" if notes else "")
    )


def load_what_loads() -> Bank:
    """The whole bank, or while it has problems, the questions of each file that loads."""
    try:
        return load_bank()
    except BankError as exc:
        print(f"the bank does not load as a whole ({exc}); grading with the files that load")
    questions = []
    for path in sorted(default_bank_path().glob("*.yaml")):
        try:
            questions.extend(load_bank(path).questions)
        except BankError as exc:
            print(f"skipping {path.name}: {str(exc).splitlines()[0]}")
    return Bank(topics=(), questions=tuple(questions))


def main(argv: list[str]) -> int:
    bank = load_what_loads()
    files = [a for a in argv if not a.startswith("--")]
    answers = load_answers(Path(files[0])) if files else load_answers()
    missing = missing_questions(bank, answers)
    if missing:
        print(f"the bank lacks: {', '.join(missing)}")
        answers = [a for a in answers if a["question_id"] not in missing]
    graded = grade_all(bank, answers)
    show_all = "--all" in argv
    for g in sorted(graded, key=lambda g: -abs(g.error)):
        if show_all or abs(g.error) > MAE_TARGET:
            print(describe(g))
    r, mae = summary(graded)
    print(
        f"{len(graded)} answers: Pearson {r:.3f} (target >= {PEARSON_TARGET}), "
        f"MAE {mae:.2f} (target <= {MAE_TARGET})"
    )
    return 0 if r >= PEARSON_TARGET and mae <= MAE_TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
