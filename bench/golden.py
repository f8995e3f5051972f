"""Grades as a golden file, to prove that a change to the grader changes no grade.

`python -m bench.golden write PATH` grades every bank example, calibration answer, blind dev
answer and benchmark answer, and 12,000 fuzzed answers (mixes of each question's examples with
typos, negations, Traditional characters, arrows, comparisons, case changes and symbols), and
writes one JSON line per grade (points, found, missed,
misconceptions, quoted words, notes); `python -m bench.golden check PATH` grades them again and
prints every grade that differs.
"""

from __future__ import annotations

import json
import random
import re
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
    rng = random.Random(7)
    questions = bank.questions
    for i in range(FUZZED):
        q = questions[i % len(questions)]
        yield f"fuzz:{q.id}:{i}", _fuzzed(q, rng), q


FUZZED = 12_000
# What people do to an answer: each is applied to a piece of it, now and then.
_TRADITIONAL = str.maketrans(
    "这个为会时们发实现对说后于网络进过还没务调节点组件资源",
    "這個為會時們發實現對說後於網絡進過還沒務調節點組件資源",
)
_INSERTS = [
    "不",
    "没有",
    "不是",
    "并不",
    "not ",
    "never ",
    "->",
    "→",
    " => ",
    ">= 3",
    "≥2",
    "[200,400)",
    " < 5",
    "，",
    "。",
    "\n",
    "?",
    "吗",
    "e.g. ",
    "1.31",
    "k8s.io",
    "😀",
    "\u200b",
    "叢集",
    "伺服器",
    "預設",
    "埠",
    "然后",
    "then ",
    "就是",
    "  ",
    "-",
    "_",
    "/",
]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped
    if kind == 1:
        return word[:i] + word[i + 1 :]  # one dropped
    return word[:i] + word[i] + word[i:]  # one doubled


def _fuzzed(q: Question, rng: random.Random) -> str:
    """An answer mixed from a question's examples, and roughed up."""
    pieces = [e.answer for e in q.examples if e.answer.strip()] or [q.prompt.zh]
    parts = []
    for _ in range(rng.randrange(1, 4)):
        piece = rng.choice(pieces)
        if len(piece) > 20 and rng.random() < 0.5:
            a = rng.randrange(len(piece) // 2)
            piece = piece[a : a + rng.randrange(10, len(piece))]
        parts.append(piece)
    text = rng.choice(["\n", " ", "。", ""]).join(parts)
    for _ in range(rng.randrange(4)):
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(_INSERTS) + text[at:]
    roll = rng.random()
    if roll < 0.15:
        text = text.translate(_TRADITIONAL)
    elif roll < 0.3:
        text = text.upper() if rng.random() < 0.5 else text.title()
    if rng.random() < 0.4:
        text = re.sub(
            "[A-Za-z]{4,}",
            lambda m: _typo(m.group(), rng) if rng.random() < 0.3 else m.group(),
            text,
        )
    return text


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
