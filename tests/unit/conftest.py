"""Small question banks written to tmp_path, so tests never depend on the real bank's contents."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]


def _make_question(qid: str = "svc-reach", **overrides: Any) -> dict[str, Any]:
    """A valid question, as a writer would put it in YAML; `overrides` replace top-level keys."""
    question: dict[str, Any] = {
        "id": qid,
        "difficulty": 1,
        "section": "Kubernetes 中的服务类型",
        "style": "explain",
        "prompt": {
            "zh": "ClusterIP 类型的 Service 能从集群外访问吗？",
            "en": "Can a ClusterIP Service be reached from outside the cluster?",
        },
        "reference": {
            "zh": "不能，ClusterIP 只在集群内部可达，它是虚拟 IP。",
            "en": "No: a ClusterIP is reachable only inside the cluster; it is a virtual IP.",
        },
        "rubric": {
            "concepts": [
                {
                    "id": "inside-only",
                    "label": {"zh": "仅集群内可达", "en": "reachable only inside the cluster"},
                    "weight": 6,
                    "required": True,
                    "aliases": [
                        "只能在集群内部访问",
                        "only reachable inside the cluster",
                        ["集群内|内部|inside", "只|仅|only"],
                    ],
                    "hint": {"zh": "它只在集群内部可达。", "en": "It is reachable only inside."},
                },
                {
                    "id": "virtual-ip",
                    "label": {"zh": "虚拟 IP", "en": "a virtual IP"},
                    "weight": 4,
                    "aliases": ["虚拟 IP", "virtual IP"],
                    "hint": {"zh": "它是虚拟 IP。", "en": "It is a virtual IP."},
                },
            ],
            "misconceptions": [
                {
                    "id": "external-reach",
                    "statement": {
                        "zh": "ClusterIP 可以从集群外访问",
                        "en": "a ClusterIP can be reached from outside",
                    },
                    "penalty": 3,
                    "aliases": [["ClusterIP", "集群外|outside", "可以|can"]],
                }
            ],
        },
        "examples": [
            {
                "kind": "full",
                "answer": "不能。ClusterIP 只能在集群内部访问，因为它是一个虚拟 IP，"
                "没有网卡持有它，外部没有路由。",
                "points": [0, 10],
            },
            {"kind": "partial", "answer": "它是一个虚拟 IP 吧。", "points": [0, 10]},
            {"kind": "empty", "answer": "", "points": [0, 0]},
        ],
    }
    question.update(copy.deepcopy(overrides))
    return question


def _make_topic(slug: str = "services", **overrides: Any) -> dict[str, Any]:
    topic: dict[str, Any] = {
        "slug": slug,
        "title": {"zh": "服务类型", "en": "Service types"},
        "aliases": ["svc", "service", "服务"],
    }
    topic.update(overrides)
    return topic


def _write_topic(
    folder: Path,
    name: str = "services.yaml",
    *,
    topic: dict[str, Any] | None = None,
    questions: list[dict[str, Any]] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    document = {
        "topic": topic if topic is not None else _make_topic(),
        "questions": questions if questions is not None else [_make_question()],
    }
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


MakeQuestion = Callable[..., dict[str, Any]]
MakeTopic = Callable[..., dict[str, Any]]
WriteTopic = Callable[..., Path]


@pytest.fixture
def make_question() -> MakeQuestion:
    """`make_question(id, **overrides)`: a valid question as a dict, ready for YAML."""
    return _make_question


@pytest.fixture
def make_topic() -> MakeTopic:
    """`make_topic(slug, **overrides)`: a topic header as a dict."""
    return _make_topic


@pytest.fixture
def write_topic() -> WriteTopic:
    """`write_topic(folder, name, topic=..., questions=[...])`: one topic file on disk."""
    return _write_topic


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def small_bank(tmp_path: Path) -> Path:
    """Two topics, three questions: services (two) and probes (one)."""
    folder = tmp_path / "bank"
    _write_topic(
        folder,
        "services.yaml",
        questions=[_make_question("svc-reach"), _make_question("svc-vip")],
    )
    _write_topic(
        folder,
        "probes.yaml",
        topic=_make_topic(
            "probes",
            title={"zh": "探针", "en": "Probes"},
            aliases=["probe", "探针", "liveness"],
        ),
        questions=[_make_question("probe-kinds")],
    )
    return folder
