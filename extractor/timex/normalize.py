"""Length-preserving normalisation for time finding: traditional / Cantonese forms and
full-width characters map one code point to one code point, so every offset found in the
normalised text is an offset into the original text.

A small hand map of the time-relevant characters (not OpenCC: it loads slowly and may
change lengths); two-character Cantonese words are rewritten to two-character mainland
words (聽日/听日 → 明日 — chat text reaches the finder already simplified —, 尋日 → 昨日, 晏晝 → 下午, 上晝 → 上午, 而家/依家 → 现在, 今個 → 这个; 沪语 明朝 → 明日).
"""
from __future__ import annotations

import re

_T2S = dict(zip(
    "週禮號點後個這鐘時兩晝慶節勞動兒軍聖誕萬婦國歸紀陽曆農費權闆務復來還會內們臘陰開間際"
    "於為從過與當給學將後餘數幾實讓週區愛華華記東車線門廠樓機臺檯產質樣啟後钟閒曬際裡裏現單價錢貨兩東難體靈臨樹齋餅穌設",
    "周礼号点后个这钟时两昼庆节劳动儿军圣诞万妇国归纪阳历农费权板务复来还会内们腊阴开间际"
    "于为从过与当给学将后余数几实让周区爱华华记东车线门厂楼机台台产质样启后钟闲晒际里里现单价钱货两东难体灵临树斋饼稣设"))
_T2S.update({chr(0xFF10 + i): str(i) for i in range(10)})
_T2S.update({"：": ":", "／": "/", "－": "-", "～": "~", "．": ".", "，": ",", "　": " ",
             "Ｑ": "Q", "ｑ": "q", "－": "-", "—": "-", "–": "-"})
_TABLE = str.maketrans(_T2S)
_WORDS = {"聽日": "明日", "尋日": "昨日", "听日": "明日", "寻日": "昨日", "听朝": "明早", "琴日": "昨日", "晏昼": "下午", "下昼": "下午", "上昼": "上午", "中昼": "中午", "而家": "现在", "依家": "现在",
          "今个": "这个", "呢个": "这个", "朝早": "早上", "今朝": "今早", "聽朝": "明早",
          "明朝": "明日"}  # 沪语 明朝 = 明天 (明朝下午给侬回电话)
# 听日/听朝 are also Mandarin fragments (打听日期 / 听日语 / 听日方的意见 / 听日程安排): only as a word
_GUARDED = {"听日": r"(?<![打收聆倾旁偷])听日(?![期程语文本方报志记子常元])", "听朝": r"(?<![打收聆倾旁偷])听朝(?![鲜代])"}
_WORD_RE = re.compile("|".join(_GUARDED.get(w, re.escape(w)) for w in _WORDS))


_NEEDS_MAP = re.compile("[" + "".join(re.escape(c) for c in _T2S) + "]")


def normalize(text: str) -> str:
    """Same length as `text`; time-relevant traditional/Cantonese forms made mainland."""
    out = text.translate(_TABLE) if _NEEDS_MAP.search(text) is not None else text
    if _WORD_RE.search(out) is not None:
        out = _WORD_RE.sub(lambda m: _WORDS[m.group(0)], out)
    return out
