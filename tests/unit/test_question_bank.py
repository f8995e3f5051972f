"""Loading the bank: YAML to domain values, every problem reported at once, stable versions."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.model import Alias, DomainError
from bot.question_bank import (
    ENV_QUESTIONS_DIR,
    BankError,
    Problem,
    default_bank_path,
    load_bank,
    load_bank_with_sources,
)

Builder = Callable[..., Any]


def problems_of(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(BankError) as caught:
        load_bank(path)
    return caught.value.problems


def test_a_small_bank_becomes_domain_values(small_bank: Path) -> None:
    bank = load_bank(small_bank)

    assert [t.slug for t in bank.topics] == ["probes", "services"]  # files in name order
    assert [q.id for q in bank.questions] == ["probe-kinds", "svc-reach", "svc-vip"]
    question = bank.question("svc-reach")
    assert question.topic == "services"
    assert question.prompt.en.startswith("Can a ClusterIP")
    assert question.rubric.max_points == 10.0
    assert question.rubric.style == "explain"
    inside = question.rubric.concepts[0]
    assert inside.required and inside.weight == 6.0
    # A string is one term; a list is several terms; `|` splits alternatives, stripped.
    assert inside.aliases[0] == Alias(terms=(("只能在集群内部访问",),))
    assert inside.aliases[2] == Alias(terms=(("集群内", "内部", "inside"), ("只", "仅", "only")))
    assert question.rubric.misconceptions[0].penalty == 3.0
    assert [e.kind for e in question.examples] == ["full", "partial", "empty"]
    assert (question.examples[2].min_points, question.examples[2].max_points) == (0.0, 0.0)
    assert bank.by_topic("probes")[0].id == "probe-kinds"


def test_one_file_is_a_bank_too(small_bank: Path) -> None:
    bank = load_bank(small_bank / "probes.yaml")
    assert [q.id for q in bank.questions] == ["probe-kinds"]


def test_alternatives_are_stripped(
    tmp_path: Path, make_question: Builder, write_topic: Builder
) -> None:
    question = make_question()
    question["rubric"]["concepts"][1]["aliases"] = [" 虚拟 IP | virtual IP ", ["  VIP  ", "地址"]]
    bank = load_bank(write_topic(tmp_path, questions=[question]))
    aliases = bank.questions[0].rubric.concepts[1].aliases
    assert aliases == (
        Alias(terms=(("虚拟 IP", "virtual IP"),)),
        Alias(terms=(("VIP",), ("地址",))),
    )


def test_the_real_bank_loads(repo_root: Path) -> None:
    bank = load_bank(repo_root / "questions")
    assert bank.questions, "the bank in questions/ has no questions"
    assert {q.topic for q in bank.questions} <= {t.slug for t in bank.topics}
    assert all(len(q.version) == 12 for q in bank.questions)


# ----- every kind of problem, each naming file, question and field -----

Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[str | int, ...], value: Any) -> Mutation:
    def mutate(question: dict[str, Any]) -> None:
        target: Any = question
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[str | int, ...]) -> Mutation:
    def mutate(question: dict[str, Any]) -> None:
        target: Any = question
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


def _rename_key(path: tuple[str | int, ...], old: str, new: str) -> Mutation:
    def mutate(question: dict[str, Any]) -> None:
        target: Any = question
        for part in path:
            target = target[part]
        target[new] = target.pop(old)

    return mutate


def _duplicate_concept(question: dict[str, Any]) -> None:
    concepts = question["rubric"]["concepts"]
    concepts.append(copy.deepcopy(concepts[0]))


CONCEPT = ("rubric", "concepts", 0)

QUESTION_PROBLEMS: list[tuple[str, Mutation, str, str]] = [
    ("typo-key", _rename_key(CONCEPT, "weight", "weigth"), "rubric.concepts[0].weigth", "'weight'"),
    ("missing", _delete(("reference", "en")), "reference.en", "missing"),
    ("zero-weight", _set((*CONCEPT, "weight"), 0), "rubric.concepts[0].weight", "more than 0"),
    ("negative-weight", _set((*CONCEPT, "weight"), -2), "rubric.concepts[0].weight", "more than"),
    ("nan-weight", _set((*CONCEPT, "weight"), float("nan")), "rubric.concepts[0].weight", "finite"),
    ("text-weight", _set((*CONCEPT, "weight"), "heavy"), "rubric.concepts[0].weight", "number"),
    ("bool-weight", _set((*CONCEPT, "weight"), True), "concepts[0].weight", "got true"),
    ("point-text", _set(("examples", 0, "points"), [0, "x"]), "points[1]", "a number, got 'x'"),
    ("empty-alias", _set((*CONCEPT, "aliases", 0), "  "), "concepts[0].aliases[0]", "empty"),
    ("no-alias", _set((*CONCEPT, "aliases"), []), "rubric.concepts[0].aliases", "at least 1"),
    ("empty-term-list", _set((*CONCEPT, "aliases", 0), []), "aliases[0]", "no terms"),
    ("stray-bar", _set((*CONCEPT, "aliases", 0), "a||b"), "aliases[0]", "empty alternative"),
    ("stray-bar-term", _set((*CONCEPT, "aliases", 2, 0), "内部|"), "aliases[2]", "alternative"),
    ("bool-alias", _set((*CONCEPT, "aliases", 0), True), "aliases[0]", "quotes"),
    ("number-alias", _set((*CONCEPT, "aliases", 0), 10.244), "aliases[0]", "quotes"),
    ("dup-concept", _duplicate_concept, "rubric.concepts[2].id", "already used"),
    ("difficulty-high", _set(("difficulty",), 4), "difficulty", "at most 3"),
    ("difficulty-low", _set(("difficulty",), 0), "difficulty", "at least 1"),
    ("difficulty-text", _set(("difficulty",), "easy"), "difficulty", "whole number"),
    ("bad-id", _set(("id",), "Svc_Reach"), "id", "not a valid id"),
    ("bad-concept-id", _set((*CONCEPT, "id"), "Inside Only"), "concepts[0].id", "valid id"),
    ("range-above-max", _set(("examples", 0, "points"), [8, 11]), "examples[0].points", "worth"),
    ("range-reversed", _set(("examples", 1, "points"), [6, 3]), "examples[1].points", "min is"),
    ("range-negative", _set(("examples", 1, "points"), [-1, 3]), "examples[1].points[0]", "least"),
    ("range-shape", _set(("examples", 1, "points"), [1, 2, 3]), "examples[1].points", "[min, max]"),
    ("few-examples", _set(("examples",), []), "examples", "at least 3"),
    ("unknown-kind", _set(("examples", 1, "kind"), "parital"), "examples[1].kind", "'partial'"),
    ("no-wrong-kind", _set(("examples", 2, "kind"), "good"), "examples", "wrong or empty"),
    ("empty-prompt", _set(("prompt", "zh"), ""), "prompt.zh", "empty"),
    ("bad-style", _set(("style",), "essay"), "style", "explain, list"),
    ("zero-penalty", _set(("rubric", "misconceptions", 0, "penalty"), 0), "penalty", "more than"),
    ("bool-required", _set((*CONCEPT, "required"), "yes"), "required", "true or false"),
    ("max-points", _set(("max_points",), 0), "max_points", "more than 0"),
    ("unknown-topic", _set(("topic",), "probes"), "topic", "unknown topic 'probes'"),
]


@pytest.mark.parametrize(
    ("mutate", "field", "fragment"),
    [pytest.param(m, f, s, id=name) for name, m, f, s in QUESTION_PROBLEMS],
)
def test_each_problem_names_file_question_and_field(
    tmp_path: Path,
    mutate: Mutation,
    field: str,
    fragment: str,
    make_question: Builder,
    write_topic: Builder,
) -> None:
    question = make_question("svc-reach")
    mutate(question)
    write_topic(tmp_path, "services.yaml", questions=[make_question("svc-ok"), question])

    problems = problems_of(tmp_path)

    assert len(problems) >= 1
    matching = [p for p in problems if field in p.field and fragment in p.message]
    assert matching, "\n".join(str(p) for p in problems)
    problem = matching[0]
    # Fields read as the YAML does: no pydantic union branch names tacked on.
    assert not any(p.field.endswith((".float", ".int", ".str")) for p in problems)
    assert problem.file.endswith("services.yaml")
    assert problem.field.startswith("questions[1]")
    assert problem.line is not None and problem.line > 1
    if field != "id":
        assert problem.question_id == "svc-reach"


def test_every_problem_is_reported_at_once(
    tmp_path: Path, make_question: Builder, write_topic: Builder
) -> None:
    broken = [make_question(f"q-{i}") for i in range(len(QUESTION_PROBLEMS))]
    for question, (_name, mutate, _field, _fragment) in zip(broken, QUESTION_PROBLEMS, strict=True):
        mutate(question)
    write_topic(tmp_path, "services.yaml", questions=broken)

    problems = problems_of(tmp_path)

    for index, (name, _mutate, field, fragment) in enumerate(QUESTION_PROBLEMS):
        found = [
            p
            for p in problems
            if p.field.startswith(f"questions[{index}]")
            and field in p.field
            and fragment in p.message
        ]
        assert found, f"{name} not reported"


def test_the_error_lists_every_problem_one_per_line(
    tmp_path: Path, make_question: Builder, write_topic: Builder
) -> None:
    first = make_question("q-one", difficulty=9)
    second = make_question("q-two")
    second["rubric"]["concepts"][0]["weight"] = -1
    write_topic(tmp_path, questions=[first, second])

    with pytest.raises(BankError) as caught:
        load_bank(tmp_path)

    assert isinstance(caught.value, DomainError)
    lines = str(caught.value).splitlines()
    assert lines[0] == "the question bank has 2 problems:"
    assert lines[1].endswith("q-one: questions[0].difficulty: must be at most 3, got 9")
    assert "q-two: questions[1].rubric.concepts[0].weight: must be more than 0" in lines[2]
    assert lines[1].startswith(str(tmp_path / "services.yaml") + ":")


def test_a_yaml_syntax_error_names_its_line(
    tmp_path: Path, make_question: Builder, write_topic: Builder
) -> None:
    (tmp_path / "broken.yaml").write_text("topic:\n  slug: x\n  title: [oops\n", "utf-8")
    write_topic(tmp_path, "services.yaml", questions=[make_question(difficulty=5)])

    problems = problems_of(tmp_path)

    syntax = [p for p in problems if p.file.endswith("broken.yaml")]
    assert len(syntax) == 1 and "YAML syntax error" in syntax[0].message
    assert syntax[0].line == 4  # the flow sequence never closes before the end
    # The other file is still checked in the same run.
    assert any(p.field == "questions[0].difficulty" for p in problems)


def test_a_key_written_twice_is_a_problem(tmp_path: Path, write_topic: Builder) -> None:
    text = write_topic(tmp_path).read_text("utf-8")
    (tmp_path / "services.yaml").write_text(
        text.replace("  difficulty: 1", "  difficulty: 1\n  difficulty: 2"), "utf-8"
    )
    problems = problems_of(tmp_path)
    assert [p.field for p in problems] == ["questions[0].difficulty"]
    assert "twice" in problems[0].message


def test_a_recursive_anchor_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").write_text(
        "topic: {slug: a, title: {zh: a, en: a}, aliases: &x [b, *x]}\nquestions: []\n", "utf-8"
    )
    problems = problems_of(tmp_path)
    assert [p.message for p in problems] == ["a YAML anchor is used inside itself"]


def test_anchors_may_share_text(
    tmp_path: Path, make_question: Builder, write_topic: Builder
) -> None:
    question = make_question()
    question["reference"] = question["prompt"]  # one object twice: YAML writes an anchor
    path = write_topic(tmp_path, questions=[question])
    assert "*id001" in path.read_text("utf-8")
    loaded = load_bank(tmp_path).questions[0]
    assert loaded.reference == loaded.prompt


def test_duplicate_ids_across_files(
    tmp_path: Path, make_question: Builder, make_topic: Builder, write_topic: Builder
) -> None:
    write_topic(tmp_path, "a.yaml", questions=[make_question("same-id")])
    write_topic(
        tmp_path,
        "b.yaml",
        topic=make_topic("probes", title={"zh": "探针", "en": "Probes"}, aliases=["probe"]),
        questions=[make_question("same-id")],
    )
    problems = problems_of(tmp_path)
    assert len(problems) == 1
    assert problems[0].file.endswith("b.yaml")
    assert problems[0].question_id == "same-id"
    assert "duplicate id" in problems[0].message and "a.yaml" in problems[0].message


def test_two_topics_cannot_claim_one_alias(
    tmp_path: Path, make_question: Builder, make_topic: Builder, write_topic: Builder
) -> None:
    write_topic(tmp_path, "a.yaml")
    write_topic(
        tmp_path,
        "b.yaml",
        # The same alias in another case and full width is still the same word to /k8sq.
        topic=make_topic("probes", title={"zh": "探针", "en": "Probes"}, aliases=["ＳＶＣ"]),
        questions=[make_question("probe-one")],
    )
    problems = problems_of(tmp_path)
    assert len(problems) == 1
    assert problems[0].field == "topic.aliases[0]"
    assert "claimed by topic 'services'" in problems[0].message


def test_two_files_cannot_define_one_topic(
    tmp_path: Path, make_question: Builder, write_topic: Builder
) -> None:
    write_topic(tmp_path, "a.yaml", questions=[make_question("q-a")])
    write_topic(tmp_path, "b.yaml", questions=[make_question("q-b")])
    problems = problems_of(tmp_path)
    assert [(p.field, p.file.endswith("b.yaml")) for p in problems] == [("topic.slug", True)]


def test_a_bad_topic_is_reported_with_its_questions(
    tmp_path: Path, make_question: Builder, write_topic: Builder
) -> None:
    write_topic(
        tmp_path,
        topic={"slug": "Services!", "title": {"zh": "服务"}, "alias": ["svc"]},
        questions=[make_question(difficulty=7)],
    )
    fields = {p.field for p in problems_of(tmp_path)}
    assert {"topic.slug", "topic.title.en", "topic.alias", "questions[0].difficulty"} <= fields


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"- just\n- a list\n", "expected a mapping"),
        (b"topic: {slug: x}\nquestion: []\n", "unknown key 'question'"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"", "expected a mapping"),
    ],
)
def test_a_file_that_is_not_a_topic(tmp_path: Path, content: bytes, fragment: str) -> None:
    (tmp_path / "odd.yaml").write_bytes(content)
    problems = problems_of(tmp_path)
    assert any(fragment in p.message for p in problems), problems


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    assert "no such file" in problems_of(tmp_path / "nowhere")[0].message
    (tmp_path / "README.md").write_text("# not a topic", "utf-8")
    assert "no question files" in problems_of(tmp_path)[0].message


def test_sources_point_at_each_example(small_bank: Path) -> None:
    loaded = load_bank_with_sources(small_bank)
    source = loaded.sources["svc-vip"]
    assert source.file.endswith("services.yaml")
    lines = (small_bank / "services.yaml").read_text("utf-8").splitlines()
    assert source.line is not None and "id: svc-vip" in lines[source.line - 1]
    assert len(source.example_lines) == 3
    for line in source.example_lines:
        assert line is not None and "kind:" in lines[line - 1]


# ----- versions -----


def _version(
    tmp_path: Path, write_topic: Builder, question: dict[str, Any], name: str = "services.yaml"
) -> str:
    folder = tmp_path / f"v{len(list(tmp_path.iterdir()))}"
    write_topic(folder, name, questions=[question])
    return load_bank(folder).questions[0].version


def test_the_version_is_stable_and_short(
    tmp_path: Path, make_question: Builder, write_topic: Builder
) -> None:
    first = _version(tmp_path, write_topic, make_question())
    assert first == _version(tmp_path, write_topic, make_question())
    assert len(first) == 12 and int(first, 16) >= 0


@pytest.mark.parametrize(
    "mutate",
    [
        _set(("prompt", "zh"), "ClusterIP 能从外部访问吗？"),
        _set(("reference", "en"), "No."),
        _set((*CONCEPT, "weight"), 5),
        _set((*CONCEPT, "required"), False),
        _set((*CONCEPT, "hint", "zh"), "再想想。"),
        _set((*CONCEPT, "aliases", 0), "仅集群内"),
        _set(("rubric", "misconceptions", 0, "penalty"), 2),
        _set(("max_points",), 20),
        _set(("style",), "list"),
    ],
)
def test_changing_what_grades_changes_the_version(
    tmp_path: Path, mutate: Mutation, make_question: Builder, write_topic: Builder
) -> None:
    question = make_question()
    mutate(question)
    assert _version(tmp_path, write_topic, question) != _version(
        tmp_path, write_topic, make_question()
    )


def test_examples_layout_and_file_order_do_not_change_the_version(
    tmp_path: Path, make_question: Builder, make_topic: Builder, write_topic: Builder
) -> None:
    base = _version(tmp_path, write_topic, make_question())
    tweaked = make_question(difficulty=2, section="另一节")
    tweaked["examples"][1]["answer"] = "另一个部分答案"
    tweaked["rubric"]["concepts"][1]["aliases"] = ["  虚拟 IP  ", "virtual IP"]
    assert _version(tmp_path, write_topic, tweaked) == base

    folder = tmp_path / "reordered"
    write_topic(folder, "zz-services.yaml", questions=[make_question()])
    write_topic(
        folder,
        "aa-probes.yaml",
        topic=make_topic("probes", title={"zh": "探针", "en": "Probes"}, aliases=["probe"]),
        questions=[make_question("probe-one")],
    )
    assert load_bank(folder).question("svc-reach").version == base


def test_the_default_bank_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path
) -> None:
    monkeypatch.delenv(ENV_QUESTIONS_DIR, raising=False)
    assert default_bank_path() == repo_root / "questions"
    monkeypatch.setenv(ENV_QUESTIONS_DIR, str(tmp_path))
    assert default_bank_path() == tmp_path


KEYS_SEEN_IN_A_BANK = [
    "id",
    "zh",
    "en",
    "weight",
    "aliases",
    "points",
    "kind",
    "answer",
    "label",
    "hint",
    "weigth",
]
MUTABLE_PATHS: list[tuple[str | int, ...]] = [
    ("id",),
    ("difficulty",),
    ("prompt",),
    ("prompt", "zh"),
    ("rubric",),
    ("rubric", "concepts"),
    (*CONCEPT,),
    (*CONCEPT, "id"),
    (*CONCEPT, "weight"),
    (*CONCEPT, "aliases"),
    (*CONCEPT, "aliases", 0),
    (*CONCEPT, "aliases", 2, 1),
    (*CONCEPT, "hint"),
    ("rubric", "misconceptions"),
    ("rubric", "misconceptions", 0, "aliases", 0),
    ("examples",),
    ("examples", 0),
    ("examples", 1, "points"),
    ("examples", 1, "points", 0),
    ("examples", 2, "kind"),
    ("max_points",),
    ("style",),
    ("topic",),
    ("extra",),
]

YAML_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS_SEEN_IN_A_BANK), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    paths=st.lists(st.sampled_from(MUTABLE_PATHS), min_size=1, max_size=4),
    values=st.lists(YAML_VALUES, min_size=4, max_size=4),
)
def test_any_yaml_gives_a_bank_or_problems_never_a_crash(
    tmp_path_factory: pytest.TempPathFactory,
    make_question: Builder,
    write_topic: Builder,
    paths: list[tuple[str | int, ...]],
    values: list[Any],
) -> None:
    question = make_question()
    for path, value in zip(paths, values, strict=False):
        try:
            _set(path, value)(question)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change replaced the parent of this path
    folder = tmp_path_factory.mktemp("fuzz")
    write_topic(folder, questions=[question, make_question("q-ok")])
    try:
        bank = load_bank(folder)
    except BankError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file.endswith("services.yaml")
            assert problem.message
    else:
        assert [q.id for q in bank.questions][-1] == "q-ok"
