"""Folding: what the grader sees of an answer, and the way back to the words as written."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import text as text_module
from bot.domain.text import (
    CLAUSE,
    SENTENCE,
    CharClass,
    compact,
    fold,
    fold_phrase,
    replace_words,
    sounds,
)


@pytest.mark.parametrize("spelling", ["kube-proxy", "kube proxy", "kubeproxy", "Kube_Proxy"])
def test_spellings_of_one_term_fold_alike(spelling: str) -> None:
    assert fold_phrase(spelling) == "kubeproxy"


def test_full_width_and_case_fold_to_ascii() -> None:
    assert fold_phrase("ＫＵＢＥ－ＰＲＯＸＹ") == "kubeproxy"
    assert fold_phrase("ＣｌｕｓｔｅｒＩＰ") == "clusterip"


def test_traditional_chinese_folds_to_simplified() -> None:
    assert fold_phrase("透過 apiserver 盯著叢集的實際狀態") == "通过apiserver盯着集群的实际状态"


def test_taiwan_words_fold_to_mainland_ones() -> None:
    assert fold_phrase("叢集預設的埠") == fold_phrase("集群默认的端口") == "集群默认的端口"
    assert fold_phrase("每個節點都開一個相同的埠口") == "每个节点都开一个相同的端口"


@pytest.mark.parametrize(
    "mainland",
    ["节点宕机", "应用程序", "配置文件", "核心组件", "序列化", "建立连接", "查询日志", "通道"],
)
def test_mainland_words_are_not_read_as_taiwan_words(mainland: str) -> None:
    # 宕机 (down) is no 死机 (frozen), 程序 (a program) no 进程 (a process).
    assert fold_phrase(mainland) == mainland


def test_taiwan_words_still_meet_the_mainland_words_kept() -> None:
    assert fold_phrase("設定檔案") == "设置文件"
    assert fold_phrase("容器執行時") == "容器运行时"


def _taiwan_words_read_one_place_at_a_time(folded: str) -> list[tuple[int, int, str]]:
    """The Taiwan words as the search reads them, written plainly: left to right, at each
    place the longest word that starts there, and on after it."""
    phrases = text_module._taiwan_phrases()
    longest = max(map(len, phrases))
    found = []
    at = 0
    while at < len(folded):
        for n in range(min(longest, len(folded) - at), 0, -1):
            if folded[at : at + n] in phrases:
                found.append((at, at + n, phrases[folded[at : at + n]]))
                at += n
                break
        else:
            at += 1
    return found


@st.composite
def _pieces_of_taiwan_words(draw: st.DrawFn) -> str:
    """Text made of Taiwan words, their beginnings and ends, their characters, and others."""
    words = sorted(text_module._taiwan_phrases())
    pieces = []
    for _ in range(draw(st.integers(0, 12))):
        word = draw(st.sampled_from(words))
        cut = draw(st.integers(0, len(word)))
        pieces.append(
            draw(st.sampled_from([word, word[:cut], word[cut:], word[cut:][:1], "a ", "的。"]))
        )
    return "".join(pieces)


@pytest.mark.parametrize("compiled", [True, False])
@settings(max_examples=500, deadline=None)
@given(_pieces_of_taiwan_words())
def test_taiwan_words_are_found_left_to_right_longest_first(compiled: bool, folded: str) -> None:
    """Whichever way the places a word may start are found (a loop for the compiled grader, a
    pattern for the pure Python one)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_module, "COMPILED", compiled)
        assert text_module._find_phrases(folded) == _taiwan_words_read_one_place_at_a_time(folded)


def test_chinese_and_english_punctuation_become_markers() -> None:
    text = compact("副本少了，就补。节点挂了！驱逐？好; ok, 行：是的").text
    assert text == (
        f"副本少了{CLAUSE}就补{SENTENCE}节点挂了{SENTENCE}驱逐{SENTENCE}好{SENTENCE}"
        f"ok{CLAUSE}行{CLAUSE}是的"
    )


def test_a_full_stop_ends_a_sentence_only_before_a_space_or_the_end() -> None:
    assert compact("removed by 1.31. Then node.kubernetes.io").text == (
        f"removedby131{SENTENCE}thennodekubernetesio"
    )


def test_abbreviations_do_not_end_a_sentence() -> None:
    assert SENTENCE not in compact("a CNI plugin, e.g. flannel, i.e. an overlay etc. vs. BGP").text


def test_separators_are_dropped_but_word_boundaries_kept() -> None:
    c = compact("kube-proxy nodeport")
    assert c.text == "kubeproxynodeport"
    assert c.word_start(4)  # "proxy" starts after the dropped hyphen
    assert c.word_end(9)
    assert not c.word_end(13)  # "node" inside "nodeport"
    assert not c.word_start(1)


def test_quote_returns_the_answer_as_written() -> None:
    answer = "我觉得 ＫＵＢＥ－Proxy 會寫 iptables"
    c = compact(answer)
    start = c.text.index("kubeproxy")
    assert c.quote(start, start + len("kubeproxy")) == "ＫＵＢＥ－Proxy"
    start = c.text.index("会写")
    assert c.quote(start, start + 2) == "會寫"


def test_characters_that_expand_keep_their_place() -> None:
    # NFKC turns ㎏ into two letters; quotes still map back to the original characters.
    answer = "５㎏ kube-proxy ①"
    c = compact(answer)
    assert c.text == "5kgkubeproxy1"
    start = c.text.index("kubeproxy")
    assert c.quote(start, start + 9) == "kube-proxy"
    assert c.quote(0, 3) == "５㎏"


def test_control_characters_and_emoji_separate_words() -> None:
    assert compact("kube\u200bproxy 🚀\x00ipvs").text == "kubeproxyipvs"
    assert fold("")[1] == ""


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("ɏ ɐ", "ɏ"),  # the last of the Latin letters kept, the first IPA letter dropped
        ("ӿ\u0500", "ӿ"),  # Cyrillic, not its supplement
        ("\U00020000\U0002b740\U0002fa20", "\U00020000\U0002b740"),  # CJK extensions
        ("한국 ア", "한국ア"),
    ],
)
def test_content_is_kept_and_other_characters_dropped(written: str, kept: str) -> None:
    assert compact(written).text == kept


def _runs_one_character_at_a_time(text: str, chars: CharClass) -> list[tuple[str, int]]:
    found = []
    at = 0
    for inside, group in itertools.groupby(
        text, lambda ch: ord(ch) < len(chars.table) and chars.table[ord(ch)] == 1
    ):
        size = len(list(group))
        if inside:
            found.append((text[at : at + size], at))
        at += size
    return found


@pytest.mark.parametrize("compiled", [True, False])
@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("az09AZ_-. 。，路由éßɏɐ") + ["\U00020000", "\U0002fa20"]),
        max_size=30,
    )
)
def test_runs_are_found_alike_by_the_table_and_the_pattern(compiled: bool, text: str) -> None:
    """Both ways of finding runs (a loop for the compiled grader, a split for the pure Python
    one) find the runs of characters of the class, whichever grader runs the test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_module, "COMPILED", compiled)
        for chars in (text_module._KEPT, text_module.LATIN_WORD_CHARS):
            pieces, starts = text_module.runs(text, chars)
            expected = _runs_one_character_at_a_time(text, chars)
            assert list(zip(pieces, starts, strict=True)) == expected


def test_only_characters_that_fold_to_others_are_looked_up() -> None:
    # Folding skips the characters that fold to themselves: the class of the others must
    # hold each of them (and, in the BMP, no more).
    chars = text_module._changing()
    changing = re.compile(chars.pattern)
    for code in range(0x30000):
        ch = chr(code)
        changes = text_module._fold_char(ch) != ch
        assert changes <= bool(changing.fullmatch(ch)) == bool(chars.table[code]), hex(code)
        if code < 0x10000:
            assert changes == bool(changing.fullmatch(ch)), hex(code)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("aZ1 \n.,。，：叢集路由ＫÅé㎏①")
            + ["\U00020000", "\U0002f800", "\U0001f600", "\u200b"]
        ),
        max_size=30,
    )
)
def test_folding_finds_the_characters_that_change_alike_both_ways(text: str) -> None:
    """The compiled grader finds the runs to fold with a loop, the pure Python one with a
    pattern: the same folding, whichever grader runs the test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_module, "COMPILED", True)
        by_loop = fold(text)
        patch.setattr(text_module, "COMPILED", False)
        assert fold(text) == by_loop


def test_homophones_sound_alike_and_keep_their_length() -> None:
    assert sounds("路有") == sounds("路由") != sounds("路径")
    assert sounds("组建") == sounds("组件")
    assert len(sounds("kube-proxy 路由")) == len("kube-proxy 路由")
    assert sounds("kube-proxy") == "kube-proxy"


@pytest.mark.parametrize("compiled", [True, False])
@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("ab1 。，ä路由组件乐〇\u2fff\u3000\ue000\uffff")
            + ["\U00020000", "\U00032389", "\U0001f600"]
        ),
        max_size=30,
    )
)
def test_sounds_are_read_alike_by_the_table_and_the_loop(compiled: bool, text: str) -> None:
    """Both ways of reading the sounds (a loop for the compiled grader, `str.translate` for the
    pure Python one) give the same, whichever grader runs the test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(text_module, "COMPILED", compiled)
        assert sounds(text) == text.translate(text_module._sounds())


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("ab1 -_.,。，、：kube节点路由叢集預設")
            + ["\U0001f600", "\u200b", "\U00030001", "㎏", "\U00020000", "\U0002fa1f", "ɏ", "ɐ"]
        ),
        max_size=40,
    )
)
def test_the_compact_map_points_at_each_kept_character(text: str) -> None:
    """Each compact character is the folded character it maps to, and the breaks are where
    separators were dropped."""
    c = compact(text)
    assert len(c.to_folded) == len(c.text)
    assert all(c.folded[i] == ch for i, ch in zip(c.to_folded, c.text, strict=True))
    assert c.to_folded == sorted(set(c.to_folded))
    gaps = {k for k in range(1, len(c.text)) if c.to_folded[k] != c.to_folded[k - 1] + 1}
    assert c.breaks == gaps | {0, len(c.text)}


def test_a_text_folded_past_the_kept_indexes_maps_alike_and_is_not_kept() -> None:
    """A text that folds longer than the indexes kept for good gets its own: its map is as
    right as any, and the indexes kept stay as long as they were."""
    expands = "\ufdfa"  # NFKC makes this one character eighteen
    text = "kube-proxy " + expands * (text_module._INDEXES_KEPT // 18 + 10) + " 节点"
    c = compact(text)
    assert len(c.folded) > text_module._INDEXES_KEPT
    assert len(c.to_folded) == len(c.text)
    assert all(c.folded[i] == ch for i, ch in zip(c.to_folded, c.text, strict=True))
    assert c.quote(len(c.text) - 2, len(c.text)) == "节点"
    assert len(text_module._INDEXES) <= text_module._INDEXES_KEPT


def test_dots_end_sentences_but_not_abbreviations_or_versions() -> None:
    text = compact("e.g. kube-proxy. i.e. ipvs vs. iptables etc. 1.31 k8s.io. ok.").text
    assert text == "egkubeproxy。ieipvsvsiptablesetc131k8sio。ok。"


def test_quotes_map_back_through_replaced_words() -> None:
    c = compact("叢集預設的埠 is 80, then 預設 again")
    assert c.text.startswith("集群默认的端口")
    start = c.text.index("端口")
    assert c.quote(start, start + 2) == "埠"
    second = c.text.rindex("默认")
    assert c.quote(second, second + 2) == "預設"
    fixed = replace_words(c, [(c.folded.index("then"), c.folded.index("then") + 4, "than")])
    after = fixed.text.index("than")
    assert fixed.quote(after, after + 4) == "then"
    last = fixed.text.rindex("again")
    assert fixed.quote(last, last + 5) == "again"
    assert fixed.quote(second, second + 2) == "預設"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("status >= 200 and < 400", "status大于等于200and小于400"),
        ("<400", "小于400"),
        ("code≥200，≤399", "code大于等于200，小于等于399"),
        ("返回码 [200, 400)", "返回码，大于等于200，小于400，"),
        ("返回码 ［200，400）", "返回码，大于等于200，小于400，"),
    ],
)
def test_comparisons_with_numbers_read_as_words(written: str, read: str) -> None:
    assert compact(written).text == read


@pytest.mark.parametrize(
    "written", ["cache.redis -> 1.1.1.1", "--user=<用户>", "a => b", "(200, 400)"]
)
def test_arrows_placeholders_and_pairs_are_no_comparisons(written: str) -> None:
    assert "于" not in compact(written).text


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" -=<>≤≥≦≧01a。\u2192\u21d2\u27f6\u2794\u27a1", max_size=14))
def test_arrows_and_comparisons_are_found_as_written_plainly(text: str) -> None:
    """The patterns start with the class of their first characters, for the search to skip to
    them: they find what the plain patterns find."""
    plainly = {
        text_module.ARROW_RE: "-+>|=+>|[\u2192\u21d2\u27f6\u2794\u27a1]|(?<= )>(?= )",
        text_module._COMPARISON_RE: "(?<![-=<>])(<=|>=|<|>)(?![-=<>])(?= *[0-9])|[≤≥≦≧]",
    }
    for pattern, plain in plainly.items():
        found = [m.span() for m in pattern.finditer(text)]
        assert found == [m.span() for m in re.finditer(plain, text)]


def test_a_comparison_is_quoted_as_written() -> None:
    c = compact("返回 >= 200 的")
    start = c.text.index("大于等于")
    assert c.quote(start, start + len("大于等于200")) == ">= 200"
