"""The grade values: their own __init__ (cheaper than a frozen dataclass's) stays the
dataclass's, field for field."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from bot.domain.model import ConceptHit, Grade, MisconceptionHit, Text


@pytest.mark.parametrize("cls", [ConceptHit, MisconceptionHit, Grade])
def test_init_takes_the_fields_in_order_with_their_defaults(cls: type) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        if f.default is not dataclasses.MISSING:
            assert p.default == f.default, f.name
        elif f.default_factory is not dataclasses.MISSING:
            assert p.default == f.default_factory(), f.name
        else:
            assert p.default is inspect.Parameter.empty, f.name


def test_a_grade_is_a_frozen_value() -> None:
    hit = ConceptHit("c", Text("概念", "concept"), ("词",))
    wrong = MisconceptionHit("m", Text("错", "wrong"), 1.0, ("错",))
    grade = Grade("q", 7.5, 10.0, (hit,), (), (wrong,), notes=("n",), rubric_version="v")
    again = Grade("q", 7.5, 10.0, (hit,), (), (wrong,), notes=("n",), rubric_version="v")
    assert grade == again and hash(grade) == hash(again)
    assert pickle.loads(pickle.dumps(grade)) == grade
    assert dataclasses.replace(grade, points=8.0).points == 8.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        grade.points = 1.0  # type: ignore[misc]
    assert Grade("q", 0.0, 10.0, (), ()).misconceptions == ()
