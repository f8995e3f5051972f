"""Grading speed over the whole bank, beside a naive baseline measured in the same run.

Short answers (~200 characters) and long ones (3,000 characters) are cut and pasted from each
question's example answers (with a little filler), so they hit the rubric the way real
answers do.
Each figure is the median of several repeats, with garbage collection paused as timeit does:
throughput in answers per second and the 99th percentile time of one answer. The baseline
lower-cases the answer and looks for every alias alternative with a plain substring search.
Targets: >= 5,000 short answers/s on one core, p99 < 5 ms for a 3,000-character answer.

Times are CPU time of this thread (what one core spends), so that other work on a shared
machine does not count against the grader; wall-clock throughput is printed beside them.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import time
from collections.abc import Callable

from bench.calibration import load_what_loads
from bot.domain import COMPILED
from bot.domain.grading import grade
from bot.domain.model import Question

REPEATS = 5
SHORT_CHARS = 200
LONG_CHARS = 3_000
ANSWERS_PER_QUESTION = 10
SHORT_TARGET = 5_000  # answers/s
LONG_P99_TARGET_MS = 5.0


FILLER = [
    "我觉得大概是这样的，不一定对。",
    "之前线上遇到过类似的问题，排查了挺久。",
    "In practice we mostly saw this during upgrades, so take it with a grain of salt.",
    "emm 具体细节记不太清了，",
    "And that is roughly how it works in our clusters.",
]


def _pieces(question: Question) -> list[str]:
    """Sentences people write: the question's example answers, and some filler."""
    return [e.answer for e in question.examples if e.answer.strip()] + FILLER


def make_answers(question: Question, size: int, rng: random.Random) -> list[str]:
    """Answers of about `size` characters, mixed from the question's own words."""
    pieces = _pieces(question)
    answers = []
    for _ in range(ANSWERS_PER_QUESTION):
        parts: list[str] = []
        length = 0
        while length < size:
            piece = rng.choice(pieces)
            if len(piece) > size:
                start = rng.randrange(len(piece) - size + 1)
                piece = piece[start : start + size]
            parts.append(piece)
            length += len(piece) + 1
        answers.append("\n".join(parts)[:size])
    return answers


def naive_grade(answer: str, question: Question) -> int:
    """The baseline: a plain substring search of every alias alternative."""
    text = answer.lower()
    return sum(
        1
        for concept in question.rubric.concepts
        for alias in concept.aliases
        if all(any(alt.lower() in text for alt in term) for term in alias.terms)
    )


def _measure(
    work: list[tuple[str, Question]], fn: Callable[[str, Question], object]
) -> tuple[float, float, float]:
    """Answers per CPU second, the p99 CPU time of one answer in ms, and answers per wall-clock
    second: medians of the repeats."""
    rates, p99s, wall_rates = [], [], []
    clock = time.thread_time_ns
    for _ in range(REPEATS):
        times = []
        # As timeit does: no garbage collection pause lands on one answer by chance.
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            for answer, question in work:
                t0 = clock()
                fn(answer, question)
                times.append(clock() - t0)
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
        rates.append(len(work) / (sum(times) / 1e9))
        wall_rates.append(len(work) / elapsed)
        times.sort()
        p99s.append(times[min(len(times) - 1, int(len(times) * 0.99))] / 1e6)
    return statistics.median(rates), statistics.median(p99s), statistics.median(wall_rates)


def run() -> None:
    bank = load_what_loads()
    questions = bank.questions
    if not questions:
        print("no question loads: nothing to measure")
        return
    rng = random.Random(20240601)
    t0 = time.perf_counter()
    for q in questions:
        grade("", q)  # compile every rubric once, as a running bot does
    compile_ms = (time.perf_counter() - t0) * 1000
    print(f"{len(questions)} questions; compiling every rubric took {compile_ms:.0f} ms")
    print(f"grader: {'compiled with mypyc' if COMPILED else 'pure Python (not compiled)'}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"load average {load:.1f} on {os.cpu_count()} cores (figures are only fair near 0)")
    for label, size in (("short", SHORT_CHARS), ("long", LONG_CHARS)):
        work = [(a, q) for q in questions for a in make_answers(q, size, rng)]
        rng.shuffle(work)
        rate, p99, wall = _measure(work, grade)
        base_rate, base_p99, base_wall = _measure(work, naive_grade)
        print(
            f"{label:5} ({size:>5} chars, {len(work)} answers): "
            f"grade {rate:7.0f} answers/s, p99 {p99:5.2f} ms (wall {wall:5.0f}/s) | "
            f"naive substring {base_rate:7.0f} answers/s, p99 {base_p99:5.2f} ms "
            f"(wall {base_wall:5.0f}/s)"
        )
        if label == "short":
            verdict = "met" if rate >= SHORT_TARGET else "NOT met"
            print(f"      target >= {SHORT_TARGET} short answers/s: {verdict}")
        else:
            verdict = "met" if p99 < LONG_P99_TARGET_MS else "NOT met"
            print(f"      target p99 < {LONG_P99_TARGET_MS:g} ms for {size} chars: {verdict}")
    print(f"(CPU time of one thread; medians of {REPEATS} repeats)")
