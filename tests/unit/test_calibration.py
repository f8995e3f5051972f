"""The grader agrees with a senior interviewer on the calibration answers, graded with the bank."""

from __future__ import annotations

import pytest

from bench.calibration import (
    MAE_TARGET,
    PEARSON_TARGET,
    describe,
    grade_all,
    load_answers,
    missing_questions,
    summary,
)
from bot.question_bank import load_bank


def test_grades_agree_with_the_interviewer() -> None:
    bank = load_bank()
    answers = load_answers()
    missing = missing_questions(bank, answers)
    if missing:
        pytest.skip(f"the question bank lacks calibration questions: {', '.join(missing)}")
    graded = grade_all(bank, answers)
    r, mae = summary(graded)
    worst = sorted(graded, key=lambda g: -abs(g.error))[:8]
    report = f"Pearson {r:.3f}, MAE {mae:.2f}; worst answers:\n" + "\n".join(map(describe, worst))
    assert r >= PEARSON_TARGET, report
    assert mae <= MAE_TARGET, report
