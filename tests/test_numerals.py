"""The numeral fast path (extractor.numerals.cn_int) never disagrees with cn2an, its reference.

Where cn_int answers, cn2an's smart mode must give the same value; where cn2an refuses a
string, cn_int must refuse it too. Checked on every number 0–120,000 as cn2an writes it,
on the abbreviated forms chat uses, and on random strings over the numeral alphabet."""
import random

import cn2an
import pytest

from extractor.numerals import cn_int, fast_number, not_a_numeral, to_number


def _ref(s):
    try:
        return float(cn2an.cn2an(s, "smart"))
    except Exception:  # noqa: BLE001
        return None


@pytest.mark.parametrize("s,v", [
    ("三", 3), ("十", 10), ("十五", 15), ("一十五", 15), ("二十", 20), ("一百零五", 105), ("一百五", 150),
    ("一百一", 110), ("三千五", 3500), ("两千零八", 2008), ("一千零八十", 1080), ("两万五", 25000),
    ("三万五千", 35000), ("三十五万八", 358000), ("一万零五", 10005), ("十一万", 110000),
    ("两千五百万", 25_000_000), ("二〇二六", 2026), ("三三三一", 3331), ("零", 0), ("一百零", 100), ("两万零", 20000),
])
def test_plain_forms(s, v):
    assert cn_int(s) == v
    assert _ref(s) == v


@pytest.mark.parametrize("s,v", [("一点五", 1.5), ("零点零三", 0.03), ("两点", 2.0), ("一百点五", 100.5), ("一点两", 1.2)])
def test_decimals(s, v):
    assert fast_number(s) == v == _ref(s)


@pytest.mark.parametrize("s", ["百", "十十", "万", "亿", "一亿二", "一点五", "一千零百", "二十三十", "五百四百", "abc", ""])
def test_fast_path_declines(s):
    assert cn_int(s) is None


def test_fallback_reads_what_cn2an_reads():
    assert to_number("一点五") == 1.5
    assert to_number("一亿两千万") == 120_000_000
    assert to_number("百") is None


def test_agrees_with_cn2an_on_every_number_it_writes():
    for n in list(range(0, 120_001)) + [10**6, 2 * 10**7, 99_999_999]:
        s = cn2an.an2cn(n, "low")
        got = cn_int(s)
        assert got is None or got == n, (s, got)
        s2 = s.replace("二", "两", 1) if s.startswith("二") and n >= 100 else s
        got = cn_int(s2)
        assert got is None or got == _ref(s2), (s2, got)
    # nearly all of them are read by the fast path itself
    assert sum(cn_int(cn2an.an2cn(n, "low")) is not None for n in range(0, 20_000)) > 19_900


def test_agrees_with_cn2an_on_random_strings():
    rnd = random.Random(7)
    alphabet = "零〇一二两三四五六七八九十百千万点幺"
    answered = 0
    for _ in range(80_000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 7)))
        got = fast_number(s)
        if got is not None:
            answered += 1
            assert got == _ref(s), s
    assert answered > 500  # the property is exercised, not vacuous


def test_abbreviated_chat_forms():
    heads = ["一", "两", "三", "五", "九", "十", "二十", "三十五"]
    for h in heads:
        for unit in ["百", "千", "万"]:
            for d in "一二三五八九":
                s = f"{h}{unit}{d}"
                got = cn_int(s)
                assert got is None or float(got) == _ref(s), s


def test_strings_declined_without_cn2an_are_ones_it_refuses():
    rnd = random.Random(11)
    alphabet = "零〇一二两三四五六七八九十百千万亿点幺"
    declined = 0
    for _ in range(120_000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.choice([rnd.randint(1, 3), rnd.randint(1, 7)])))
        if not_a_numeral(s):
            declined += 1
            assert _ref(s) is None, s
    assert declined > 1000
    for s in ["一点点", "点两", "百", "五一百", "三四百", "五十千", "百五"]:
        assert not_a_numeral(s) and _ref(s) is None
