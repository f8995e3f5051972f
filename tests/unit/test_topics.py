"""Topic matching: what `/k8sq <topic>` and `k8sq practice <topic>` accept, and what they refuse."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.model import Text, Topic, UnknownTopic
from bot.domain.topics import (
    MAX_ECHO,
    TopicIndex,
    describe_unknown_topic,
    match_topic,
    topic_key,
)


def topic(slug: str, zh: str, en: str, *aliases: str) -> Topic:
    return Topic(slug=slug, title=Text(zh=zh, en=en), aliases=aliases)


TOPICS = (
    topic("services", "服务类型", "Service types", "svc", "service", "服务"),
    topic("probes", "探针", "Probes", "probe", "liveness", "readiness"),
    topic("kube-proxy", "kube-proxy 代理模式", "kube-proxy modes", "kube-proxy", "ipvs"),
    topic("kubelet", "kubelet", "The kubelet", "节点代理"),
    topic("ingress", "Ingress 入口", "Ingress", "入口"),
    topic("deployments", "无状态应用", "Deployments", "deployment", "deploy", "滚动更新"),
    topic("networking", "网络", "Pod networking", "network", "cni"),
    topic("network-policy", "网络策略", "Network policies", "netpol", "networkpolicy"),
)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        # The issue's own examples.
        ("svc", "services"),
        ("Service", "services"),
        ("服务", "services"),
        ("probe", "probes"),
        ("探针", "probes"),
        ("kube proxy", "kube-proxy"),
        ("ingres", "ingress"),
        # Slug, either title, any alias; case, width, spaces and punctuation do not matter.
        ("services", "services"),
        ("Service types", "services"),
        ("服务类型", "services"),
        ("服務", "services"),  # Traditional Chinese
        ("探針", "probes"),
        ("SVC", "services"),
        ("ｓｖｃ", "services"),
        ("  svc  ", "services"),
        ("Kube_Proxy", "kube-proxy"),
        ("KUBEPROXY", "kube-proxy"),
        ("kube-proxy 代理模式", "kube-proxy"),
        ("Ｉｎｇｒｅｓｓ", "ingress"),
        ("入口", "ingress"),
        ("Network policies", "network-policy"),
        ("networkpolicy", "network-policy"),
        ("cni", "networking"),
        # Plurals either way.
        ("kubelets", "kubelet"),
        ("ingresses", "ingress"),
        ("ipvss", "kube-proxy"),
        ("network", "networking"),
        ("netpols", "network-policy"),
        # Small typos in a Latin word of four letters or more.
        ("ingresss", "ingress"),
        ("servcie", "services"),
        ("prboes", "probes"),
        ("kubelte", "kubelet"),
        ("deploymnets", "deployments"),
        ("netwrok", "networking"),
        # The start of one topic's name only.
        ("deployme", "deployments"),
        ("readi", "probes"),
        ("滚动", "deployments"),
    ],
)
def test_a_topic_is_found_however_it_is_written(text: str, slug: str) -> None:
    assert match_topic(text, TOPICS).slug == slug


@pytest.mark.parametrize(
    "text",
    [
        "egress",  # one letter from "ingress" but another word; typos only go one edit
        "kubectl",  # not kubelet
        "pod",  # short words match exactly or not at all
        "svd",
        "kube",  # the start of two topics: no guess
        "net",
        "存储",
        "服",  # one character is not a name
    ],
)
def test_near_misses_are_not_guessed(text: str) -> None:
    with pytest.raises(UnknownTopic):
        match_topic(text, TOPICS)


def test_an_unknown_topic_names_the_closest_and_the_list() -> None:
    with pytest.raises(UnknownTopic) as caught:
        match_topic("kube", TOPICS)
    error = caught.value
    assert error.text == "kube"
    assert set(error.closest) == {"kube-proxy", "kubelet"}
    assert str(error).startswith("no topic 'kube' (closest: ")

    reply = describe_unknown_topic(error, TOPICS, "en")
    assert reply.splitlines()[0] == str(error)
    assert "services (Service types)" in reply and "probes (Probes)" in reply
    assert "服务类型" in describe_unknown_topic(error, TOPICS, "zh")


def test_suggestions_are_close_or_absent() -> None:
    with pytest.raises(UnknownTopic) as caught:
        match_topic("servicez list", TOPICS)
    assert caught.value.closest[0] == "services"
    with pytest.raises(UnknownTopic) as caught:
        match_topic("zzzzqqqq", TOPICS)
    assert caught.value.closest == ()


HOSTILE = [
    "",
    "   ",
    "\n\t",
    "🙂",
    "🙂" * 500,
    "x" * 2000,
    "服务" * 1000,
    "'; DROP TABLE topics; --",
    "<script>alert(1)</script>",
    "*bold* _it_ ~s~ `code` <@U123> <!channel>",
    "\x00\x01\x1b[31mred",
    "\ud800",
    "\u202eevil",
    "%s %d {0} {}",
    "svc" * 700,
    "../../etc/passwd",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_any_string_is_safe(text: str) -> None:
    try:
        found = match_topic(text, TOPICS)
    except UnknownTopic as exc:
        # The reply repeats a short, printable part of the input only.
        assert len(exc.text) <= MAX_ECHO
        assert all(ch.isprintable() for ch in exc.text)
        assert len(str(exc)) < 200
        assert all(slug in {t.slug for t in TOPICS} for slug in exc.closest)
    else:
        assert found in TOPICS


def test_an_empty_bank_knows_no_topic() -> None:
    with pytest.raises(UnknownTopic) as caught:
        match_topic("svc", ())
    assert caught.value.closest == ()
    assert describe_unknown_topic(caught.value, (), "en").endswith("topics: -")


def test_the_index_is_reusable_and_keys_are_folded() -> None:
    index = TopicIndex.build(TOPICS)
    assert index.match("svc") is index.match("SERVICE")
    assert topic_key("Kube_Proxy ") == topic_key("kube-proxy") == "kubeproxy"
    assert topic_key("ＳＶＣ") == "svc"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_names_a_topic_or_raises_unknown_topic(text: str) -> None:
    try:
        found = match_topic(text, TOPICS)
    except UnknownTopic as exc:
        assert len(exc.text) <= MAX_ECHO
        assert set(exc.closest) <= {t.slug for t in TOPICS}
    else:
        assert found in TOPICS
