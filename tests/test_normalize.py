"""Offset-keeping normalisation: examples and hypothesis properties of `.span`."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from extractor.normalize import Normalized, normalize


def chars_back(n: Normalized) -> list[str]:
    return [n.orig[slice(*n.span(i, i + 1))] for i in range(len(n.text))]


@pytest.mark.parametrize("src, want", [
    ("下個禮拜三三點", "下个礼拜三三点"),
    ("頭髮亂了 週五見", "头发乱了 周五见"),
    ("１２３", "123"),
    ("预算１５０万，ＯＫ？", "预算150万,OK?"),
    ("好的\u3000明天", "好的 明天"),
    ("好的[捂脸]明天[拳头][OK]", "好的明天"),
    ("好的👍明天", "好的明天"),
    ("好的👍🏻明天", "好的明天"),                      # skin tone
    ("一家人👨\u200d👩\u200d👧\u200d👦来了", "一家人来了"),  # ZWJ family
    ("中国🇨🇳制造", "中国制造"),                        # flag (two regional indicators)
    ("第1️⃣点", "第点"),                                 # keycap
    ("❤️收到", "收到"),                                 # variation selector
    ("英格兰🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F队", "英格兰队"),  # tag sequence
    ("[图片]", "[图片]"),                               # not an emoticon code
    ("报价[2026版]", "报价[2026版]"),
])
def test_examples(src, want):
    n = normalize(src)
    assert n.text == want
    # every kept character comes from one original character
    for i, piece in enumerate(chars_back(n)):
        assert len(piece) == 1


def test_traditional_maps_char_for_char():
    n = normalize("下個禮拜三三點")
    assert chars_back(n) == list("下個禮拜三三點")
    assert n.span(2, 4) == (2, 4)


def test_emoji_span_maps_around_deletions():
    src = "好的👨\u200d👩\u200d👧明天见"
    n = normalize(src)
    assert n.text == "好的明天见"
    s, e = n.span(2, 4)
    assert src[s:e] == "明天"
    s, e = n.span(0, 4)  # a span over a deletion covers it in the original
    assert src[s:e] == src[:src.index("天") + 1]
    assert n.span(2, 2) == (src.index("明"), src.index("明"))
    assert n.span(5, 5) == (len(src), len(src))


def test_asr_fillers():
    assert normalize("收到了 嗯 那个 我们主要是做模具", asr=True).text == "收到了 我们主要是做模具"
    assert normalize("就是说 主轴转速要三万以上", asr=True).text == "主轴转速要三万以上"
    assert normalize("然后呢，我们下周过去", asr=True).text == "我们下周过去"
    assert normalize("下周四 嗯 行 上午吧", asr=True).text == "下周四 行 上午吧"
    # the same characters inside words stay
    assert normalize("那个方案你看下", asr=True).text == "那个方案你看下"
    assert normalize("就是说明书有问题", asr=True).text == "就是说明书有问题"
    assert normalize("好啊 行", asr=True).text == "好啊 行"
    assert normalize("嗯嗯", asr=True).text == "嗯嗯"  # a lone 嗯 is an answer
    # without asr nothing is removed
    assert normalize("收到了 嗯 那个 我们", asr=False).text == "收到了 嗯 那个 我们"
    n = normalize("收到了 嗯 那个 我们", asr=True)
    s, e = n.span(n.text.index("我们"), len(n.text))
    assert n.orig[s:e] == "我们"


def test_identity_fast_path():
    src = "王总好,上次说的五轴机床方案您看了吗? price 15%"
    n = normalize(src)
    assert n.identity and n.text == src
    assert n.span(3, 7) == (3, 7)
    assert normalize("").text == ""


def test_bad_spans():
    n = normalize("好的👍明天")
    with pytest.raises(ValueError):
        n.span(3, 1)
    assert n.span(0, 99) == (0, len(n.orig))


def test_not_a_string():
    with pytest.raises(TypeError):
        normalize(b"bytes")  # type: ignore[arg-type]


# --- properties -------------------------------------------------------------------------

_alphabet = st.sampled_from(list(
    "下個禮拜三點頭髮週见好的那个就是说然后呢嗯呃啊额 ，,。１２３ＡＢ[]捂脸拳头OK"
    "👍🏻👨\u200d👩🇨🇳1️⃣\u20e3\ufe0f❤\u3000\u200b\U000E0067"))
texts = st.one_of(st.text(max_size=40), st.text(_alphabet, max_size=40))


@settings(max_examples=400, deadline=None)
@given(texts, st.booleans(), st.data())
def test_span_always_valid(src, asr, data):
    n = normalize(src, asr=asr)
    assert n.orig == src
    L = len(n.text)
    start = data.draw(st.integers(0, L))
    end = data.draw(st.integers(start, L))
    s, e = n.span(start, end)
    assert 0 <= s <= e <= len(src)
    if end > start:
        assert e - s >= end - start  # deletions only: the original span is never shorter
    else:
        assert s == e


@settings(max_examples=300, deadline=None)
@given(texts, st.booleans())
def test_map_is_monotonic_and_char_for_char(src, asr):
    n = normalize(src, asr=asr)
    prev = -1
    for i in range(len(n.text)):
        s, e = n.span(i, i + 1)
        assert e == s + 1 and s > prev
        prev = s
    assert len(n.text) <= len(src)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("好的王总价格下周三我们方案abcXYZ0123456789 ,.?%")), max_size=40), st.data())
def test_identity_when_nothing_changes(src, data):
    n = normalize(src, asr=False)
    assert n.text == src
    start = data.draw(st.integers(0, len(src)))
    end = data.draw(st.integers(start, len(src)))
    assert n.span(start, end) == (start, end)
