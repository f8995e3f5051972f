"""The grader on small rubrics: matching, typos, negation, misconceptions, the guards."""

from __future__ import annotations

import pytest

from bot.domain.grading import NOTE_COPIES_QUESTION, NOTE_KEYWORD_LIST, grade
from bot.domain.model import (
    Alias,
    Concept,
    Misconception,
    Question,
    QuestionStyle,
    Rubric,
    Text,
    format_points,
)


def alias(*terms: str) -> Alias:
    """`alias("a|b", "c")`: terms that must all appear, each with `|` alternatives."""
    return Alias(tuple(tuple(t.split("|")) for t in terms))


def concept(
    cid: str, *aliases: Alias, weight: float = 1, naming: bool = False, required: bool = False
) -> Concept:
    return Concept(
        id=cid,
        label=Text(zh=cid, en=cid),
        weight=weight,
        aliases=aliases,
        hint=Text(zh=f"提示 {cid}", en=f"hint {cid}"),
        required=required,
        naming=naming,
    )


def misconception(mid: str, *aliases: Alias, penalty: float = 3) -> Misconception:
    return Misconception(id=mid, statement=Text(zh=mid, en=mid), penalty=penalty, aliases=aliases)


DEFAULT_PROMPT = Text(zh="这个组件做什么？", en="What does this component do?")


def question(
    *concepts: Concept,
    misconceptions: tuple[Misconception, ...] = (),
    style: QuestionStyle = "explain",
    qid: str = "q",
    prompt: Text = DEFAULT_PROMPT,
    max_points: float = 10,
) -> Question:
    return Question(
        id=qid,
        topic="t",
        difficulty=1,
        section="s",
        prompt=prompt,
        reference=Text(zh="参考", en="reference"),
        rubric=Rubric(
            concepts=concepts,
            misconceptions=misconceptions,
            max_points=max_points,
            style=style,
        ),
    )


def found(answer: str, q: Question) -> set[str]:
    return {h.concept_id for h in grade(answer, q).found}


# ----- matching -----

PROXY = question(
    concept("proxy", alias("kube-proxy"), weight=1),
    concept("rules", alias("iptables|ipvs", "规则|rules"), weight=1),
    qid="proxy",
)


@pytest.mark.parametrize(
    "answer",
    [
        "kube-proxy 负责转发",
        "kube proxy 负责转发",
        "kubeproxy 负责转发",
        "Kube_Proxy 负责转发",
        "ＫＵＢＥ－ＰＲＯＸＹ 负责转发",
    ],
)
def test_spellings_of_a_term_all_match(answer: str) -> None:
    assert found(answer, PROXY) == {"proxy"}


def test_a_concept_counts_once_however_often_it_is_named() -> None:
    once = grade("kube-proxy 会转发流量", PROXY)
    often = grade("kube-proxy 会转发流量，kube-proxy kube-proxy 还是 kube-proxy", PROXY)
    assert once.points == often.points == 5


def test_terms_of_an_alias_must_share_a_sentence() -> None:
    assert found("它用 iptables 写转发规则", PROXY) == {"rules"}
    assert found("它用 iptables 做事。另外还有别的规则", PROXY) == set()


def test_latin_terms_match_whole_words_only() -> None:
    q = question(concept("node", alias("node")), concept("np", alias("nodeport")))
    assert found("用 nodeport 暴露", q) == {"np"}
    assert found("每个 node 上都有", q) == {"node"}


def test_matched_words_are_quoted_as_written() -> None:
    q = question(concept("state", alias("实际状态")), concept("proxy", alias("kube-proxy")))
    g = grade("它會盯著叢集的實際狀態，Kube_Proxy 也會", q)
    matched = {h.concept_id: h.matched for h in g.found}
    assert matched == {"state": ("實際狀態",), "proxy": ("Kube_Proxy",)}


def test_a_missed_concept_carries_its_hint_and_required_flag() -> None:
    q = question(concept("a", alias("alpha"), required=True), concept("b", alias("beta")))
    g = grade("beta is what it does", q)
    assert [(m.concept_id, m.hint.en, m.required) for m in g.missed] == [("a", "hint a", True)]
    assert not g.passed


# ----- typos -----

TYPOS = question(
    concept("apiserver", alias("apiserver")),
    concept("scheduler", alias("scheduler")),
    concept("ccm", alias("cloud-controller-manager")),
    concept("lb", alias("LoadBalancer")),
    concept("etcd", alias("etcd")),
    concept("kubelet", alias("kubelet")),
    concept("ingress", alias("ingress")),
    concept("pod", alias("pod")),
    qid="typos",
)


@pytest.mark.parametrize(
    ("answer", "concept_id"),
    [
        ("它会连 apisever 的", "apiserver"),
        ("schduler 会去选节点", "scheduler"),
        ("cloud-controler-manger 会建", "ccm"),
        ("LoadBalacner 类型的", "lb"),
        ("数据存在 etdc 里", "etcd"),
        ("kubelte 在每个节点上跑", "kubelet"),
        ("ingres 做七层", "ingress"),
    ],
)
def test_latin_typos_are_forgiven(answer: str, concept_id: str) -> None:
    assert found(answer, TYPOS) == {concept_id}


@pytest.mark.parametrize(
    "answer",
    [
        "用 kubectl 去看",  # a distinct term, not a typo of kubelet
        "egress 流量要放行",  # not ingress
        "一个 pdo 挂了",  # short words forgive nothing
        "the pot is hot",
    ],
)
def test_distinct_terms_and_short_words_are_not_typos(answer: str) -> None:
    assert found(answer, TYPOS) == set()


SOUNDS = question(
    concept("route", alias("路由", "控制器|controller")),
    concept("deploy", alias("部署")),
    concept("parts", alias("组件")),
    qid="sounds",
)


@pytest.mark.parametrize(
    ("answer", "concept_id"),
    [
        ("路有控制器配置 VPC 路由表", "route"),  # 有 for 由
        ("各个组建之间都走 apiserver", "parts"),  # 建 for 件
    ],
)
def test_chinese_homophone_typos_are_forgiven(answer: str, concept_id: str) -> None:
    assert found(answer, SOUNDS) == {concept_id}


def test_homophones_that_change_the_meaning_are_not_typos() -> None:
    assert found("我对这个不熟", SOUNDS) == set()  # bu shu, as 部署, but a denial
    assert found("步数很多", SOUNDS) == set()  # every character differs


# ----- negation -----

CONTROLLER = question(
    concept("replicas", alias("副本|replicas|copies", "补|再拉|restores|makes another"), weight=2),
    concept("rolling", alias("滚动更新|rolling update"), weight=1),
    concept("failure", alias("故障检测|node failure"), weight=1),
    misconceptions=(
        misconception("bypass", alias("直接", "读写|reads|writes", "etcd"), penalty=3),
    ),
    qid="controller",
)

CLUSTERIP = question(
    concept("inside-only", alias("不能从集群外访问"), alias("only", "inside|集群内")),
    misconceptions=(misconception("external", alias("ClusterIP", "外部|集群外", "可以|能|can")),),
    qid="clusterip",
)


def test_a_negated_concept_is_not_credited() -> None:
    assert found("副本数少了它不会补", CONTROLLER) == set()
    assert found("副本数少了它会补", CONTROLLER) == {"replicas"}


def test_a_cue_after_the_terms_in_their_clause_negates_them() -> None:
    assert found("滚动更新和故障检测都不归它管", CONTROLLER) == set()


def test_a_negation_in_another_clause_changes_nothing() -> None:
    g = grade("副本数少了它会补，滚动更新也归它管。不是很难", CONTROLLER)
    assert {h.concept_id for h in g.found} == {"replicas", "rolling"}


def test_words_that_contain_a_cue_do_not_negate() -> None:
    assert found("不同的副本少了它都会补", CONTROLLER) == {"replicas"}
    assert found("无论副本少了几个它都会补", CONTROLLER) == {"replicas"}
    assert found("not only does it restore replicas, it restores them fast", CONTROLLER) == {
        "replicas"
    }


def test_a_condition_states_a_need_not_a_denial() -> None:
    q = question(concept("cni", alias("cni", "插件|plugin")))
    assert found("如果没有 CNI 插件，pod 跨节点就不通", q) == {"cni"}
    assert found("跨节点不需要 CNI 插件", q) == set()


def test_hedged_claims_and_idioms_are_not_denials() -> None:
    assert found("是不是副本少了它会补", CONTROLLER) == {"replicas"}
    assert found("副本少了它会补，这个没问题", CONTROLLER) == {"replicas"}
    assert found("rolling update, no problem", CONTROLLER) == {"rolling"}


def test_english_negation() -> None:
    assert found("it never restores replicas", CONTROLLER) == set()
    assert found("it doesn't restore the replicas", CONTROLLER) == set()
    assert found("it restores replicas", CONTROLLER) == {"replicas"}


def test_a_negation_inside_an_alias_is_part_of_it() -> None:
    g = grade("ClusterIP 不能从集群外访问", CLUSTERIP)
    assert [h.concept_id for h in g.found] == ["inside-only"]
    assert g.misconceptions == ()
    assert g.points == 10


def test_a_misconception_costs_its_penalty() -> None:
    g = grade("ClusterIP 可以直接从外部访问", CLUSTERIP)
    assert [m.misconception_id for m in g.misconceptions] == ["external"]
    assert g.misconceptions[0].matched == ("ClusterIP", "可以", "外部")
    assert g.points == 0


def test_a_misconception_is_one_claim_in_one_clause() -> None:
    q = question(
        concept("restart", alias("liveness", "重启|restart")),
        misconceptions=(misconception("ready-restarts", alias("readiness", "重启|restart")),),
    )
    g = grade("liveness 失败会重启容器，readiness 只是摘流量", q)
    assert g.misconceptions == ()
    assert g.points == 10
    assert grade("readiness 失败也会重启容器", q).misconceptions != ()


def test_penalties_come_off_the_concept_points() -> None:
    g = grade("副本少了它会再拉一个。它直接读写 etcd，不走 apiserver", CONTROLLER)
    assert [m.misconception_id for m in g.misconceptions] == ["bypass"]
    assert g.points == 5 - 3


def test_a_negated_misconception_is_not_made() -> None:
    g = grade("副本少了它会再拉一个。它不会直接读写 etcd", CONTROLLER)
    assert g.misconceptions == ()
    assert g.points == 5


def test_the_notes_negated_answer_earns_nothing() -> None:
    answer = (
        "controller-manager 不是一直在跑的控制循环，只在 kubectl apply 的时候执行一次；"
        "它也不走 apiserver，直接读写 etcd。副本数少了它不会补，滚动更新和故障检测都不归它管"
    )
    g = grade(answer, CONTROLLER)
    assert g.found == ()
    assert g.points == 0


# ----- guards -----

EXPLAIN = question(
    concept("watch", alias("watch"), weight=3),
    concept("apiserver", alias("apiserver"), weight=3),
    concept("etcd", alias("etcd"), weight=2),
    concept("https", alias("https"), weight=2),
    prompt=Text(zh="组件之间怎么通信？", en="How do the components talk to each other?"),
    qid="explain",
)


def test_a_bare_keyword_list_earns_little_on_an_explain_question() -> None:
    g = grade("HTTPS watch apiserver etcd", EXPLAIN)
    assert {h.concept_id for h in g.found} == {"watch", "apiserver", "etcd", "https"}
    assert g.points == 2
    assert NOTE_KEYWORD_LIST in g.notes


def test_a_list_one_term_a_line_is_still_a_list() -> None:
    assert grade("- HTTPS\n- watch\n- apiserver\n- etcd", EXPLAIN).points == 2


def test_a_terse_sentence_is_not_a_keyword_list() -> None:
    g = grade("各组件都 watch apiserver，有变化会收到通知", EXPLAIN)
    assert g.points == 6
    assert g.notes == ()


def test_glue_after_the_last_term_does_not_make_a_list_a_statement() -> None:
    assert grade("HTTPS watch apiserver etcd 都有", EXPLAIN).points == 2
    assert grade("都有 HTTPS watch apiserver etcd", EXPLAIN).points == 2


def test_words_that_join_list_items_do_not_make_a_statement() -> None:
    assert grade("HTTPS watch apiserver 还有 etcd 等等", EXPLAIN).points == 2


def test_a_verb_between_terms_makes_a_statement() -> None:
    q = question(
        concept("controller", alias("controller"), weight=1),
        concept("create", alias("创建|creates"), weight=1),
        concept("pods", alias("pods|pod"), weight=1),
    )
    assert grade("controller 创建 pods", q).points == 10
    assert grade("the controller creates pods", q).points == 10


def test_a_list_question_credits_naming_concepts_in_a_list() -> None:
    q = question(
        concept("node", alias("node controller|节点控制器"), naming=True),
        concept("route", alias("route controller|路由控制器"), naming=True),
        concept("why", alias("拆分|split out"), weight=2),
        style="list",
    )
    assert grade("节点控制器 路由控制器 拆分", q).points == 5
    assert grade("有节点控制器和路由控制器，是从 kcm 拆分出来的", q).points == 10


def test_copying_the_question_earns_nothing() -> None:
    for answer in ["组件之间怎么通信？", "How do the components talk to each other?? https"]:
        g = grade(answer, EXPLAIN)
        assert g.points == 0
        assert g.notes == (NOTE_COPIES_QUESTION,)
        assert len(g.missed) == 4


def test_an_answer_that_starts_from_the_question_is_graded() -> None:
    answer = "组件之间怎么通信？都 watch apiserver，走 https，只有 apiserver 读写 etcd"
    assert grade(answer, EXPLAIN).points == 10


def test_repeating_the_question_inside_an_answer_earns_nothing_for_that_sentence() -> None:
    q = question(
        concept("inside-only", alias("不能从集群外访问"), alias("只|only", "集群内|inside")),
        concept("proxy", alias("kube-proxy")),
        misconceptions=(misconception("external", alias("ClusterIP", "集群外|外部", "能|can")),),
        prompt=Text(zh="ClusterIP 能从集群外访问吗？kube-proxy 起什么作用？", en="-"),
    )
    g = grade("ClusterIP 能从集群外访问吗？kube-proxy 起什么作用？我觉得不能从集群外访问", q)
    assert [h.concept_id for h in g.found] == ["inside-only"]
    assert g.misconceptions == ()


def test_a_question_in_the_answer_makes_no_claim() -> None:
    g = grade("ClusterIP 可以从外部访问吗？副本少了它会补", CLUSTERIP)
    assert g.misconceptions == ()
    assert grade("ClusterIP 可以从外部访问。", CLUSTERIP).misconceptions != ()


# ----- points -----


def test_points_round_to_half_points_and_read_as_people_write_them() -> None:
    q = question(
        concept("a", alias("alpha"), weight=1),
        concept("b", alias("beta"), weight=2),
        misconceptions=(misconception("m", alias("gamma"), penalty=1.2),),
    )
    g = grade("alpha is here", q)
    assert g.points == 3.5  # 3.33 rounds to 3.5
    assert format_points(g.points, g.max_points) == "3.5/10"
    g = grade("alpha and beta are here", q)
    assert format_points(g.points, g.max_points) == "10/10"
    assert grade("alpha and beta and gamma are here", q).points == 9  # 8.8


def test_points_stay_within_zero_and_the_maximum() -> None:
    q = question(
        concept("a", alias("alpha")),
        misconceptions=(misconception("m", alias("gamma"), penalty=30),),
        max_points=5,
    )
    assert grade("alpha is gamma", q).points == 0
    assert grade("alpha it is", q).points == 5
    assert grade("alpha it is", q).max_points == 5


def test_rounding_never_passes_an_odd_maximum() -> None:
    q = question(concept("a", alias("alpha")), max_points=7.3)
    assert grade("alpha it is", q).points == 7.3


def test_same_id_without_a_version_is_not_served_from_a_stale_cache() -> None:
    first = question(concept("a", alias("alpha")), qid="same")
    second = question(concept("b", alias("beta")), qid="same")
    assert found("alpha is it", first) == {"a"}
    assert found("beta is it", second) == {"b"}
    assert found("alpha is it", first) == {"a"}


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   \n\t ",
        "🚀🔥👍",
        "\x00\x01\x1b[31m\x7f",
        "\ud800 lone surrogate",
        "不" * 50,
        "kube-proxy " * 10_000,
        "副本少了它会补，" * 12_000,
    ],
)
def test_any_string_gets_a_grade(answer: str) -> None:
    g = grade(answer, CONTROLLER)
    assert 0 <= g.points <= g.max_points
    assert g.question_id == "controller"


# ----- negation: modifiers, consequences, complements, subjects -----

GC = question(
    concept("image-gc", alias("清理|删", "镜像")),
    concept("container-gc", alias("退出的容器|已退出的容器")),
    misconceptions=(misconception("in-use", alias("删|清理", "在用的镜像")),),
    qid="gc",
)


def test_a_cue_before_a_de_phrase_denies_only_that_modifier() -> None:
    assert found("kubelet 会定期清理没用的镜像和退出的容器", GC) == {"image-gc", "container-gc"}
    for unused in ("不用的", "没人用的", "没在用的", "不再使用的", "没有被使用的"):
        assert found(f"kubelet 会删{unused}镜像", GC) == {"image-gc"}, unused
    scheduler = question(concept("assign", alias("选节点|选 node")), qid="sched")
    assert found("scheduler 给没绑定节点的 pod 选节点", scheduler) == {"assign"}


def test_what_starts_inside_a_denied_modifier_is_denied() -> None:
    g = grade("kubelet 按 LRU 删没有容器在用的镜像", GC)
    assert g.misconceptions == ()
    assert grade("kubelet 会删在用的镜像", GC).misconceptions != ()


def test_a_cue_that_denies_a_verb_is_no_modifier() -> None:
    # 不会/不是 ... 的 deny the verb phrase, and a 的 that ends the clause opens no modifier.
    assert found("kubelet 不会清理镜像的", GC) == set()
    assert found("kubelet 不清理镜像的，这个要自己做", GC) == set()


def test_a_negation_does_not_reach_the_consequence() -> None:
    replicas = question(concept("create", alias("创建|建", "pod")), qid="rs")
    assert found("副本不够就创建 Pod", replicas) == {"create"}
    reconcile = question(concept("fix", alias("修正|纠正")), qid="loop")
    assert found("跟期望状态不一致就去修正", reconcile) == {"fix"}
    assert found("不一致然后去修正", reconcile) == {"fix"}
    assert found(
        "if it is not ready then it restarts",
        question(concept("restart", alias("restarts")), qid="en"),
    ) == {"restart"}
    # A negation right before the verb still denies it.
    assert found("副本不够也不会创建 Pod", replicas) == set()
    # 就是 and 规则 hold a stop but are none.
    rules = question(concept("rules", alias("写", "规则")), qid="rules")
    assert found("kube-proxy 不写规则", rules) == set()
    assert found("它不就是写规则", rules) == set()


def test_liveness_failure_restarts_the_container() -> None:
    probes = question(
        concept("liveness", alias("liveness|存活探针", "失败就重启|重启容器")),
        qid="probes",
    )
    g = grade("liveness 判断容器是不是还活着，失败就重启容器", probes)
    assert {h.concept_id for h in g.found} == {"liveness"}
    assert g.points == 10


def test_a_potential_complement_says_that_something_fails() -> None:
    pending = question(
        concept("unschedulable", alias("调度|schedule", "pending")),
        concept("pull", alias("拉", "镜像")),
        concept("start", alias("起|启动", "容器")),
        concept("connect", alias("连", "apiserver")),
        qid="pending",
    )
    assert found("pod 调度不上，一直 Pending", pending) == {"unschedulable"}
    assert found("镜像拉不下来", pending) == {"pull"}
    assert found("容器起不来", pending) == {"start"}
    assert found("kubelet 连不上 apiserver", pending) == {"connect"}
    # The same words as a plain denial still deny.
    assert found("kubelet 不连 apiserver", pending) == set()
    assert found("镜像不拉", pending) == set()
    assert found("pod 不调度，一直 Pending", pending) == set()


def test_a_term_inside_a_complement_word_is_still_denied() -> None:
    reach = question(
        concept("reach", alias("集群外", "访问")),
        misconceptions=(misconception("outside", alias("ClusterIP", "外部", "通")),),
        qid="reach",
    )
    assert grade("ClusterIP 从外部访问不通", reach).misconceptions == ()


def test_not_having_its_own_clock_shares_the_hosts() -> None:
    clock = question(concept("host-clock", alias("host|宿主机", "clock|时钟")), qid="clock")
    assert found("container 没有自己的 clock，用 host kernel 的", clock) == {"host-clock"}
    assert found("container 不用 host 的 clock", clock) == set()


def test_a_negation_after_a_subject_belongs_to_what_follows() -> None:
    q = question(
        concept("filter", alias("过滤")),
        misconceptions=(misconception("starts", alias("scheduler", "启动容器")),),
        qid="starts",
    )
    g = grade("scheduler 不做过滤然后启动容器", q)
    assert [m.misconception_id for m in g.misconceptions] == ["starts"]
    assert found("scheduler 不做过滤然后启动容器", q) == set()
    # Within the cue's reach, the later term is denied, and so is the claim.
    assert grade("scheduler 不启动容器", q).misconceptions == ()
    assert grade("scheduler 不会去启动容器", q).misconceptions == ()


def test_a_subject_before_a_denied_clause_with_its_terms_is_denied() -> None:
    runtime = question(concept("runs", alias("容器", "运行")), qid="runtime")
    assert found("容器运行时不负责运行容器", runtime) == set()


def test_cantonese_negation_and_glue() -> None:
    assert found("副本少咗佢唔会补", CONTROLLER) == set()
    assert found("副本少咗佢冇补", CONTROLLER) == set()
    assert found("副本少咗佢会补", CONTROLLER) == {"replicas"}
    q = question(
        concept("a", alias("watch")),
        concept("b", alias("apiserver")),
        concept("c", alias("etcd")),
        qid="yue",
    )
    # 嘅 and 佢 relate the terms as 的 and 它 do.
    assert (
        NOTE_KEYWORD_LIST not in grade("佢哋 watch apiserver 嘅变化，apiserver 再读 etcd", q).notes
    )


# ----- the keyword-list guard: duty verbs, glue inside terms -----


def test_a_verb_of_duty_before_the_terms_makes_a_statement() -> None:
    kcm = question(
        concept("failure", alias("故障检测")),
        concept("scaling", alias("自动扩展")),
        concept("rolling", alias("滚动更新")),
        qid="kcm",
    )
    g = grade("controller-manager 负责故障检测、自动扩展、滚动更新", kcm)
    assert g.points == 10
    assert NOTE_KEYWORD_LIST not in g.notes
    # Also when the one who does it is a term itself.
    named = question(*kcm.rubric.concepts, concept("kcm", alias("controller-manager")), qid="kcm2")
    assert grade("controller-manager 负责故障检测、自动扩展、滚动更新", named).points == 10
    assert grade("it handles 故障检测 自动扩展 滚动更新", kcm).points == 10
    assert NOTE_KEYWORD_LIST in grade("故障检测、自动扩展、滚动更新", kcm).notes


def test_function_words_inside_a_term_are_no_glue() -> None:
    proxy = question(
        concept("watch", alias("watch")),
        concept("endpoints", alias("endpoint|endpoints")),
        concept("rules", alias("iptables|ipvs")),
        concept("every-node", alias("每个节点")),
        qid="kp",
    )
    g = grade("watch service endpoint iptables ipvs 内核 每个节点", proxy)
    assert NOTE_KEYWORD_LIST in g.notes
    assert g.points == 2


NO_PROXY = question(
    concept("no-ip", alias("没有 clusterip")),
    concept("no-ip-terms", alias("没有|no", "clusterip")),
    qid="no-proxy",
)


@pytest.mark.parametrize(
    "answer",
    ["不选 pod 也没有 ClusterIP", "headless 不选 pod，没有 ClusterIP", "没有 ClusterIP"],
)
def test_an_earlier_cue_does_not_cancel_an_alias_with_its_own_negation(answer: str) -> None:
    assert found(answer, NO_PROXY) == {"no-ip", "no-ip-terms"}


@pytest.mark.parametrize("answer", ["不是没有 ClusterIP", "并非没有 ClusterIP"])
def test_a_cue_right_before_an_alias_negation_still_denies_it(answer: str) -> None:
    assert found(answer, NO_PROXY) == set()


SPLIT = question(
    concept("ic", alias("ingress controller")),
    concept("rules", alias("ingress", "规则|rules")),
    concept("impl", alias("controller", "实现")),
    concept("netns", alias("network namespace")),
    concept("net", alias("network", "共享")),
    qid="split",
)


def test_a_typo_fix_across_two_words_keeps_them_two_words() -> None:
    assert found("ingress controler 负责实现", SPLIT) == {"ic", "impl"}
    assert found("netwrok namspace 共享", SPLIT) == {"netns", "net"}


def test_a_fixed_typo_is_quoted_as_written() -> None:
    g = grade("ingress controler 负责实现", SPLIT)
    assert {w for h in g.found for w in h.matched} >= {"ingress controler"}


PHASES = question(
    concept("unknown", alias("unknown|未知"), naming=True),
    concept("pending", alias("pending"), naming=True),
    qid="phases",
    style="list",
)


@pytest.mark.parametrize("answer", ["Unknow", "Pending、Unknow", "Unknow 跟节点失联"])
def test_a_six_letter_typo_matches_a_one_word_naming_alias(answer: str) -> None:
    assert "unknown" in found(answer, PHASES)


STATUS = question(concept("below-400", alias("小于400|小于等于399")), qid="status")


@pytest.mark.parametrize(
    "answer", ["status >= 200 and < 400", "返回码 <400 就算成功", "状态码在 [200,400) 之间", "≤399"]
)
def test_comparison_symbols_match_comparison_words(answer: str) -> None:
    assert found(answer, STATUS) == {"below-400"}


def test_a_bare_number_is_no_comparison() -> None:
    assert found("返回 200 或 400", STATUS) == set()


ORDER = question(
    concept("marked", alias("认证", "->", "授权")),
    concept("worded", alias("init", "然后|then", "主容器")),
    misconceptions=(misconception("main-first", alias("主容器", "->", "init")),),
    qid="order",
)


@pytest.mark.parametrize(
    "answer", ["认证，然后授权", "先认证再授权", "认证 -> 授权", "authn 认证 → 授权"]
)
def test_an_ordered_alias_matches_its_terms_in_order(answer: str) -> None:
    assert "marked" in found(answer, ORDER)


@pytest.mark.parametrize("answer", ["授权，然后认证", "授权 -> 认证", "先授权再认证"])
def test_an_ordered_alias_does_not_match_a_scrambled_order(answer: str) -> None:
    assert "marked" not in found(answer, ORDER)


def test_an_arrow_reads_as_a_word_of_order() -> None:
    right = grade("init -> 主容器", ORDER)
    scrambled = grade("主容器 -> init", ORDER)
    assert {h.concept_id for h in right.found} == {"worded"}
    assert not right.misconceptions
    assert not scrambled.found
    assert [m.misconception_id for m in scrambled.misconceptions] == ["main-first"]


def test_an_arrow_is_never_quoted() -> None:
    g = grade("init -> 主容器", ORDER)
    assert {w for h in g.found for w in h.matched} == {"init", "主容器"}


INGRESS = question(
    concept("rules", alias("ingress", "定义|规则|rules")),
    concept("impl", alias("controller", "实现|implements")),
    concept("needed", alias("no|没有", "controller")),
    concept("effect", alias("no effect|不生效")),
    concept("class", alias("ingressclassname")),
    qid="ingress",
)


@pytest.mark.parametrize(
    "answer",
    [
        "ingress 定义规则，controller 负责实现",
        "No controller, no effect; ingressClassName picks which controller implements it.",
        "没有 controller 就不生效，ingressClassName 选 controller 实现",
    ],
)
def test_terse_prose_and_negations_are_no_keyword_list(answer: str) -> None:
    assert NOTE_KEYWORD_LIST not in grade(answer, INGRESS).notes


def test_a_salad_with_its_terms_alone_is_still_a_keyword_list() -> None:
    g = grade("ingress 规则 controller 实现 ingressClassName", INGRESS)
    assert NOTE_KEYWORD_LIST in g.notes
