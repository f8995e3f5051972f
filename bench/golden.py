"""Grades as a golden file, to prove that a change to the grader changes no grade.

`python -m bench.golden write PATH` grades every bank example, calibration answer, blind dev
answer and benchmark answer, and writes one JSON line per grade (points, found, missed,
misconceptions, quoted words, notes); `python -m bench.golden check PATH` grades them again and
prints every grade that differs.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

from bench.calibration import CALIBRATION, load_answers, load_what_loads
from bench.grading import LONG_CHARS, SHORT_CHARS, make_answers
from bot.domain.grading import grade
from bot.domain.model import Grade, Question

BLIND = CALIBRATION.parent / "blind.jsonl"


def _work() -> Iterator[tuple[str, str, Question]]:
    bank = load_what_loads()
    for q in bank.questions:
        for i, e in enumerate(q.examples):
            yield f"example:{q.id}:{i}", e.answer, q
    for name, path in (("calibration", CALIBRATION), ("blind", BLIND)):
        if not path.exists():
            continue
        for i, a in enumerate(load_answers(path)):
            qid = str(a["question_id"])
            if any(q.id == qid for q in bank.questions):
                yield f"{name}:{i}", str(a["answer"]), bank.question(qid)
    rng = random.Random(20240601)
    for size in (SHORT_CHARS, LONG_CHARS):
        for q in bank.questions:
            for i, answer in enumerate(make_answers(q, size, rng)):
                yield f"bench{size}:{q.id}:{i}", answer, q


def _record(g: Grade) -> dict[str, object]:
    return {
        "points": g.points,
        "found": [[h.concept_id, list(h.matched)] for h in g.found],
        "missed": [m.concept_id for m in g.missed],
        "wrong": [[m.misconception_id, list(m.matched)] for m in g.misconceptions],
        "notes": list(g.notes),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("write", "check"):
        print("usage: python -m bench.golden write|check PATH")
        return 2
    path = Path(argv[1])
    rows = {key: _record(grade(answer, q)) for key, answer, q in _work()}
    if argv[0] == "write":
        with path.open("w", encoding="utf-8") as f:
            for key, row in rows.items():
                f.write(json.dumps({"key": key, **row}, ensure_ascii=False) + "\n")
        print(f"{len(rows)} grades written to {path}")
        return 0
    with path.open(encoding="utf-8") as f:
        old = {r.pop("key"): r for r in map(json.loads, f)}
    differ = [k for k in rows if old.get(k) != rows[k]]
    for key in differ:
        print(f"{key}\n  was {old.get(key)}\n  now {rows[key]}")
    print(f"{len(rows)} grades, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
