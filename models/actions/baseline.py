"""Keyword baseline (question marks + keyword lists): the yardstick the trained models must beat.

Pure Python, no dependencies; `chat2crm diagnose --model keywords` runs the whole diagnosis on it.
"""
from __future__ import annotations

OBJECTION_WORDS = ("贵", "太高", "不够", "等不了", "不行", "不放心", "吃过亏", "达不到", "超差", "太长", "太大", "太复杂",
                   "优惠", "便宜点", "降点", "不兼容", "失望", "差太多", "没法", "太短", "担心", "慢", "还差")
HANDLE_WORDS = ("理解", "放心", "其实", "不过", "确实", "解释", "担心", "保障", "试用", "分期", "质保", "退款", "顾虑", "您说得对", "别担心")
ASK_WORDS = ("多少", "几个", "几台", "几次", "什么", "怎么", "哪家", "哪些", "哪个", "哪", "有没有", "是否", "多久", "吗", "呢", "预算", "计划")
PITCH_WORDS = ("我们这", "我们的", "方案", "案例", "精度", "节拍", "回本", "效率", "优势", "配置", "标配", "省", "提升", "数据")
OTHER_WORDS = ("收到", "好的", "发票", "快递", "合同", "盖章", "到了", "方便", "几点", "快乐", "辛苦", "开票", "地址", "定位")
POS_WORDS = ("可以", "不错", "满意", "好", "认可", "专业", "给力", "点赞", "感兴趣", "强", "签", "漂亮", "没问题")
NEG_WORDS = ("贵", "不行", "不够", "再说", "不考虑", "算了", "放一放", "暂停", "不需要", "不用", "失望", "没空", "太", "差", "不")


def is_question(text: str) -> bool:
    t = text.strip()
    return "?" in t or "？" in t or t.endswith(("吗", "呢", "么", "没")) or any(w in t for w in ASK_WORDS[:10])


def rep_action(text: str, prev: str = "") -> str:
    t = text or ""
    prev_obj = any(w in (prev or "") for w in OBJECTION_WORDS)
    if prev_obj and any(w in t for w in HANDLE_WORDS):
        return "异议处理"
    if "?" in t or "？" in t or any(w in t for w in ASK_WORDS):
        if any(w in t for w in OTHER_WORDS):
            return "其他"
        return "需求挖掘"
    if any(w in t for w in PITCH_WORDS):
        return "方案呈现"
    return "其他"


def sentiment(text: str, prev: str = "") -> int:
    t = text or ""
    pos = sum(w in t for w in POS_WORDS)
    neg = sum(w in t for w in NEG_WORDS)
    return 1 if pos > neg else (-1 if neg > pos else 0)


def objection(text: str, prev: str = "") -> bool:
    return any(w in (text or "") for w in OBJECTION_WORDS)
