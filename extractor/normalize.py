"""Offset-keeping text normalisation.

`normalize(text)` returns a `Normalized` whose `.text` is what the field rules read and
whose `.span(start, end)` maps a half-open span of `.text` back to the original, so
evidence always indexes the message text the rep sees (CONTRACT.md §3, ARCHITECTURE.md).

Steps, in this order:

1. one-to-one character rewrites (never change the length):
   - Traditional → Simplified (OpenCC ``t2s``; whole-string conversion, kept only when it
     is character-aligned with the input, else a per-character table built from OpenCC),
   - full-width ASCII (U+FF01..U+FF5E) → half-width, ideographic space → ' '.
2. deletions: emoji (including ZWJ sequences, skin tones, flags, keycaps, tag sequences,
   variation selectors), zero-width characters, WeChat emoticon codes (``[捂脸]``,
   ``[OK]``…) and, with ``asr=True``, call-transcript fillers (standalone 嗯/呃/啊/额,
   and 那个/就是说/然后呢 between pauses).

Because step 1 is one-to-one and step 2 only deletes, every normalised character comes
from exactly one original character, in order; the map is a list of kept segments.
Texts that need none of this (the common case) return an identity `Normalized` after one
regex scan.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

__all__ = ["Normalized", "normalize", "WECHAT_CODES"]


class Normalized:
    """Normalised text plus the map back to the original.

    `segments` is a tuple of (norm_start, orig_start, length) for each run of characters
    kept from the original; None means identity (text == orig).
    """

    __slots__ = ("text", "orig", "_segments", "_starts")

    def __init__(self, text: str, orig: str, segments: tuple[tuple[int, int, int], ...] | None = None):
        self.text = text
        self.orig = orig
        self._segments = segments
        self._starts = [s[0] for s in segments] if segments else None

    @property
    def identity(self) -> bool:
        return self._segments is None

    def __repr__(self) -> str:
        return f"Normalized(text={self.text!r}, orig={self.orig!r})"

    def __str__(self) -> str:
        return self.text

    def _pos(self, i: int) -> int:
        """Original index of normalised character i (0 <= i < len(text))."""
        segs = self._segments
        k = bisect_right(self._starts, i) - 1
        ns, os_, _ln = segs[k]
        return os_ + (i - ns)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map the half-open span [start, end) of `.text` to a span of `.orig`.

        Out-of-range values are clamped like slicing; start > end raises ValueError.
        A non-empty span maps to the smallest original span covering its characters
        (deleted characters strictly inside it are included); an empty span maps to an
        empty span at the corresponding original position.
        """
        n = len(self.text)
        if start < 0:
            start = max(0, n + start) if start >= -n else 0
        if end < 0:
            end = max(0, n + end) if end >= -n else 0
        start, end = min(start, n), min(end, n)
        if start > end:
            raise ValueError(f"span start {start} > end {end}")
        if self._segments is None:
            return start, end
        if start == end:
            p = self._pos(start) if start < n else len(self.orig)
            return p, p
        return self._pos(start), self._pos(end - 1) + 1

    def orig_index(self, i: int) -> int:
        """Original index of normalised character i."""
        if not 0 <= i < len(self.text):
            raise IndexError(i)
        return i if self._segments is None else self._pos(i)


# --- step 1: one-to-one rewrites ----------------------------------------------------------

_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


@lru_cache(maxsize=1)
def _converter():
    import opencc  # cached: building the converter costs ~4 ms

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Single-character Traditional → Simplified table, built once from OpenCC itself."""
    cps = list(range(0x3400, 0xA000)) + list(range(0xF900, 0xFB00))
    src = "\n".join(map(chr, cps))
    out = _converter().convert(src).split("\n")
    table: dict[int, str] = {}
    if len(out) == len(cps):
        for cp, s in zip(cps, out):
            if len(s) == 1 and s != chr(cp):
                table[cp] = s
    return table


@lru_cache(maxsize=1)
def _trad_class() -> str:
    chars = "".join(sorted(map(chr, _t2s_table())))
    return re.escape(chars) if chars else ""


@lru_cache(maxsize=1)
def _trad_re() -> re.Pattern:
    return re.compile(f"[{_trad_class()}]") if _trad_class() else re.compile(r"(?!x)x")


def _t2s(text: str) -> str:
    """Traditional → Simplified, same length, character-aligned."""
    if _trad_re().search(text) is None:
        return text
    table = _t2s_table()
    try:
        conv = _converter().convert(text)
    except Exception:  # noqa: BLE001 - e.g. lone surrogates: fall back to the table
        conv = None
    if conv is not None and len(conv) == len(text) and conv != text:
        # accept the phrase-aware conversion only where it changed known traditional chars
        if all(a == b or ord(a) in table for a, b in zip(text, conv)):
            return conv
    return text.translate(table)


# --- step 2: deletions ----------------------------------------------------------------------

_EMOJI_BASE = (
    "\U0001F000-\U0001FAFF"  # symbols & pictographs, emoticons, transport, flags (RI), skin tones …
    "\u2600-\u27BF"          # misc symbols, dingbats
    "\u2B05-\u2B07\u2B1B\u2B1C\u2B50\u2B55"
    "\u231A\u231B\u2328\u23CF\u23E9-\u23F3\u23F8-\u23FA"
    "\u24C2\u25AA\u25AB\u25B6\u25C0\u25FB-\u25FE\u2934\u2935"
    "\u3030\u303D\u3297\u3299"
)
_EMOJI_MOD = "\uFE0E\uFE0F\u20E3\U000E0020-\U000E007F"
_EMOJI = (
    f"[0-9#*]\uFE0F?\u20E3"                                   # keycaps 1️⃣
    f"|[{_EMOJI_BASE}](?:[{_EMOJI_MOD}]|\u200D[{_EMOJI_BASE}])*"  # ZWJ sequences, flags, tones
    f"|[{_EMOJI_MOD}\u200B-\u200D\u2060\uFEFF]"               # stray selectors, zero-width chars
)

WECHAT_CODES = (
    "微笑 撇嘴 色 发呆 得意 流泪 害羞 闭嘴 睡 大哭 尴尬 发怒 调皮 呲牙 惊讶 难过 酷 冷汗 抓狂 吐 偷笑 愉快 "
    "可爱 白眼 傲慢 饥饿 困 惊恐 流汗 憨笑 悠闲 大兵 奋斗 咒骂 疑问 嘘 晕 疯了 折磨 衰 骷髅 敲打 再见 擦汗 "
    "抠鼻 鼓掌 糗大了 坏笑 左哼哼 右哼哼 哈欠 鄙视 委屈 快哭了 阴险 亲亲 吓 可怜 菜刀 西瓜 啤酒 篮球 乒乓 "
    "咖啡 饭 猪头 玫瑰 凋谢 嘴唇 爱心 心碎 蛋糕 闪电 炸弹 刀 足球 瓢虫 便便 月亮 太阳 礼物 拥抱 强 弱 握手 "
    "胜利 抱拳 勾引 拳头 差劲 爱你 NO OK 爱情 飞吻 跳跳 发抖 怄火 转圈 磕头 回头 跳绳 投降 激动 乱舞 献吻 "
    "左太极 右太极 嘿哈 捂脸 奸笑 机智 皱眉 耶 吃瓜 加油 汗 天啊 Emm 社会社会 旺柴 好的 打脸 哇 翻白眼 "
    "666 让我看看 叹气 苦涩 裂开 合十 烟花 爆竹 红包 發 福 鸡 庆祝 破涕为笑 笑脸 生病 脸红 恐惧 失望 无语 "
    "Smile Grimace Drool Scowl Chill Sob Shy Silent Sleep Cry Awkward Pout Wink Grin Surprised Frown "
    "Tension Scream Puke Chuckle Joyful Slight Smug Hungry Drowsy Panic Sweat Laugh Loafer Strive Scold "
    "Doubt Shhh Dizzy BadLuck Skull Hammer Bye Relief DigNose Clap Trick Bah!L Bah!R Yawn Lookdown "
    "Wronged Puling Sly Kiss Uh-oh Whimper Cleaver Melon Beer Coffee Pig Rose Wilt Lip Heart BrokenHeart "
    "Cake Bomb Poop Moon Sun Hug ThumbsUp ThumbsDown Shake Victory Salute Beckon Fist Pinky Love "
    "Facepalm Smirk Smart Concerned Yeah! Hey Packet Blessing Fireworks Firecracker Onlooker GoForIt "
    "Sweats OMG Respect Doge NoProb MyBad Wow Boring Awesome LetMeSee Sigh Hurt Broken Worship"
).split()
_CODES = r"\[(?:" + "|".join(sorted(map(re.escape, set(WECHAT_CODES)), key=len, reverse=True)) + r")\]"

_PAUSE = r"\s,，、。.…!！?？~～;；:："
_FILLER = (
    rf"(?:(?<=^)|(?<=[{_PAUSE}]))"          # after the start or a pause
    r"(?:嗯+|呃+|额+|啊+|那个(?:那个)*|就是说|然后呢)"
    rf"(?:[\s,，、…~～]+|(?=[{_PAUSE}])|$)"  # and before a pause (trailing spaces/commas go too)
)

_DELETE = re.compile(f"{_CODES}|{_EMOJI}")
_DELETE_ASR = re.compile(f"{_CODES}|{_EMOJI}|{_FILLER}")


@lru_cache(maxsize=2)
def _needs_work(asr: bool) -> re.Pattern:
    parts = [
        _trad_class(),
        "\uFF01-\uFF5E\u3000",
        _EMOJI_BASE, _EMOJI_MOD, "\u200B-\u200D\u2060\uFEFF",
        r"\[",
    ]
    if asr:
        parts.append("嗯呃额啊那就然")
    return re.compile("[" + "".join(parts) + "]")


def normalize(text: str, *, asr: bool = False) -> Normalized:
    """Normalise `text` for rule matching; `.span()` maps results back to `text`."""
    if not isinstance(text, str):
        raise TypeError(f"normalize() needs a str, got {type(text).__name__}")
    if not text or _needs_work(asr).search(text) is None:
        return Normalized(text, text)
    mid = _t2s(text).translate(_FULLWIDTH)
    pattern = _DELETE_ASR if asr else _DELETE
    dels = [(m.start(), m.end()) for m in pattern.finditer(mid) if m.end() > m.start()]
    if asr and dels and mid.strip() and not "".join(
            mid[a:b] for a, b in _complement(dels, len(mid))).strip():
        # never empty a whole utterance: a lone "嗯" is an answer, not a filler
        dels = [(m.start(), m.end()) for m in _DELETE.finditer(mid) if m.end() > m.start()]
    if not dels:
        if mid == text:
            return Normalized(text, text)
        return Normalized(mid, text, ((0, 0, len(mid)),) if mid else None)
    segs: list[tuple[int, int, int]] = []
    pieces: list[str] = []
    n = 0
    for a, b in _complement(dels, len(mid)):
        segs.append((n, a, b - a))
        pieces.append(mid[a:b])
        n += b - a
    out = "".join(pieces)
    if not segs:
        return Normalized("", text, ((0, len(text), 0),))
    return Normalized(out, text, tuple(segs))


def _complement(dels: list[tuple[int, int]], length: int):
    """The kept (start, end) runs between sorted, non-overlapping deletions."""
    pos = 0
    for s, e in dels:
        if s > pos:
            yield pos, s
        pos = max(pos, e)
    if pos < length:
        yield pos, length
