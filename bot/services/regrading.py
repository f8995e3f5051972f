"""Regrade the stored scored answers with the current bank, in this process or in worker processes.

The workers are spawned, so everything they run is a module-level function found by name, and
the grader and questions are sent to each once, when it starts.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.domain.model import Bank, Question
from bot.domain.records import RegradeReport, ScoreChange
from bot.ports import Clock, Regraded, Store

if TYPE_CHECKING:
    from bot.services import Grader

Work = list[tuple[int, str, str]]  # (answer id, question id, text)


def regrade(
    store: Store,
    clock: Clock,
    grader: Grader,
    bank: Bank,
    question_id: str | None,
    *,
    by: str,
    workers: int,
) -> RegradeReport:
    """Regrade the answers to `question_id` (or to every question): see Services.regrade."""
    if question_id is not None:
        bank.question(question_id)
    questions = {q.id: q for q in bank.questions}
    examined = kept = 0
    changes: list[ScoreChange] = []
    with grading_pool(workers, grader, questions) as grade_all:
        for batch in store.answers_to_regrade(question_id):
            kept += sum(1 for a in batch if a.points_set_by is not None)
            work = [
                (a.answer_id, a.question_id, a.text)
                for a in batch
                if a.question_id in questions and a.points_set_by is None
            ]
            examined += len(work)
            changes += store.apply_regrade(
                grade_all(work),
                changed_by=by,
                reason="regraded with the current bank",
                at=clock.now(),
            )
    return RegradeReport(examined=examined, changes=tuple(changes), kept=kept)


# The grader and questions of a grading worker process, set once when it starts.
_worker_state: tuple[Grader, dict[str, Question]] | None = None


def _regraded(grader: Grader, questions: dict[str, Question], work: Work) -> list[Regraded]:
    results = []
    for answer_id, question_id, text in work:
        question = questions[question_id]
        grade = grader(text, question)
        results.append(
            Regraded(
                answer_id=answer_id,
                points=grade.points,
                max_points=grade.max_points,
                found=tuple(h.concept_id for h in grade.found),
                missed=tuple(m.concept_id for m in grade.missed),
                rubric_version=question.version,
            )
        )
    return results


def _start_worker(grader: Grader, questions: dict[str, Question]) -> None:
    global _worker_state
    _worker_state = (grader, questions)


def _grade_in_worker(work: Work) -> list[Regraded]:
    assert _worker_state is not None, "the worker was not started by grading_pool"
    return _regraded(*_worker_state, work)


@contextmanager
def grading_pool(
    workers: int, grader: Grader, questions: dict[str, Question]
) -> Iterator[Callable[[Work], list[Regraded]]]:
    """A function that grades a batch of work, in this process or in `workers` processes."""
    if workers <= 1:
        yield lambda work: _regraded(grader, questions, work)
        return
    # Spawned, not forked: a fork would copy the database connections of this process.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(grader, questions)
    ) as pool:

        def grade_all(work: Work) -> list[Regraded]:
            size = max(1, -(-len(work) // workers))
            chunks = [work[i : i + size] for i in range(0, len(work), size)]
            return [r for part in pool.map(_grade_in_worker, chunks) for r in part]

        yield grade_all
