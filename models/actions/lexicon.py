"""Domain cue lexicons, used as a handful of dense features beside the character n-grams.

A few hundred patterns cannot teach a character model that 挑不出毛病 is praise or that
行，我们内部再商量商量 is a polite brush-off; these lists carry that vocabulary knowledge.
Multi-character idioms are listed before the single words they contain and are consumed
first (挑不出毛病 never also counts 毛病 as negative).
"""
from __future__ import annotations

import math
import re

# praise, including negative-looking idioms that are positive
POSITIVE = ("挑不出", "没毛病", "没话说", "没得说", "没的说", "无可挑剔", "不亏", "不差", "没啥可挑", "没什么可挑", "找不到理由拒绝",
            "没让人失望", "服了", "佩服", "真香", "早该换", "可以可以", "挺好", "不错", "满意", "认可", "专业", "给力", "点赞",
            "靠谱", "喜欢", "好用", "漂亮", "合理", "划算", "值得", "感兴趣", "就它", "就你们", "就这么定", "准备合同", "走合同",
            "签", "往下推", "没问题", "太好了", "厉害", "一流", "周到", "贴", "对路", "解决了", "说服", "点头", "批了", "强太多",
            "比我想象", "比预期", "超出预期", "就是要这种", "良心", "稳", "狠", "快", "可以", "好")
# cooling off politely: deferral, brush-off, no interest (negative sentiment, not an objection)
COOL = ("再商量", "商量商量", "再看看", "再说", "再考虑", "考虑考虑", "会考虑的", "先放", "放一放", "搁着", "不急", "不着急",
        "等通知", "等消息", "等我通知", "有需要再", "有需要我", "回头", "以后有机会", "过段时间", "改天", "暂时", "暂停", "取消",
        "黄了", "不做了", "先不", "不考虑", "没兴趣", "不感兴趣", "不需要", "没需求", "没这个", "不用了", "不用再", "别发", "别催",
        "观望", "没空", "顾不上", "没预算", "用完了", "明年再", "过完年再", "别家", "原来的供应商", "其他家", "算了", "行吧",
        "好吧", "不一定", "已读不回", "有空再看", "有空看", "别找我", "不是我能定", "别提了", "没打动", "往后推")
# complaints and objections
COMPLAINT = ("太贵", "贵了", "贵", "太高", "不值", "坑", "不行", "不够", "差太远", "差得太远", "不放心", "失望", "吃过亏",
             "毛病不断", "报警", "没解决", "没人接", "不专业", "投诉", "噪音", "超差", "没法", "不可能", "苛刻", "等不了", "太长",
             "太复杂", "学不会", "不兼容", "太麻烦", "太短", "不信", "太乐观", "不是一回事", "不批", "涨价", "返工", "太大",
             "放不下", "用不起", "图啥", "交代", "差太多", "不肯")
# mild reservations, the "整体可以 就是…" kind
RESERVATION = ("就是", "但是", "但", "不过", "只是", "还得", "有点", "能不能", "再优惠", "便宜点", "降点", "再降", "空间",
               "延长", "提前", "压一压", "还差", "怕", "担心", "跟不上", "包", "另外收费", "不含")
# lukewarm words with no polarity of their own, consumed first so 还行吧 is not read as 行吧
MILD = ("还行", "还可以", "一般般", "凑合", "马马虎虎")
# rep-side cues
ASK = ("多少", "几个", "几台", "几次", "几道", "几条", "几年", "多大", "多重", "多久", "什么", "怎么", "哪家", "哪些", "哪个",
       "哪块", "哪几", "有没有", "是否", "是不是", "还是", "吗", "呢", "大概", "一般", "方便说", "方便透露", "请教", "了解下",
       "想确认", "讲讲", "说说", "你们", "咱们", "您这边", "现在")
PITCH = ("我们这", "我们的", "这款", "这套", "这台", "方案", "案例", "回本", "效率", "优势", "配置", "标配", "省", "提升",
         "能到", "降到", "缩到", "做到", "实测", "报告", "参观", "样板", "推荐", "专门", "定制", "包了", "全包", "模块化")
HANDLE = ("理解", "放心", "其实", "确实", "不过", "解释", "担心", "顾虑", "保障", "试用", "分期", "质保", "退款", "您说得对",
          "别担心", "明白您", "我们可以", "可以先", "申请", "写进合同", "不要紧", "算笔账", "我们的问题", "是因为", "不是设备")
LOGISTICS = ("收到", "好的", "好嘞", "发票", "快递", "单号", "合同", "盖章", "到了", "方便吗", "几点", "快乐", "辛苦", "开票",
             "地址", "定位", "谢谢", "请假", "吃饭", "约", "会议室", "前台", "门卫", "放假", "对账", "付款", "回单", "到账",
             "签收", "寄", "邮箱", "拉个群", "电话", "手机号", "先忙", "记下", "稍等")

LISTS = (POSITIVE, COOL, COMPLAINT, RESERVATION, ASK, PITCH, HANDLE, LOGISTICS)
_PATTERNS = [re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True))) for words in LISTS]
_SENTIMENT = re.compile("|".join(sorted(map(re.escape, MILD + POSITIVE + COOL + COMPLAINT), key=len, reverse=True)))
_MILD = set(MILD)
_POS, _COOL, _COMP = set(POSITIVE), set(COOL), set(COMPLAINT)


def _polarity(text: str) -> tuple[int, int, int]:
    """Longest-match-first scan so an idiom is counted once, in its own list."""
    p = c = n = 0
    for m in _SENTIMENT.finditer(text):
        w = m.group(0)
        if w in _MILD:
            continue
        if w in _POS:
            p += 1
        elif w in _COOL:
            c += 1
        else:
            n += 1
    return p, c, n


def features(text: str, prev: str = "") -> list[float]:
    """14 dense features: polarity counts of the text, cue counts, question marks, length, objection in prev."""
    t = text or ""
    p, c, n = _polarity(t)
    counts = [len(pat.findall(t)) for pat in _PATTERNS[3:]]
    pp, pc, pn = _polarity(prev or "")
    prev_res = len(_PATTERNS[3].findall(prev or ""))
    q = 1.0 if ("?" in t or "？" in t) else 0.0
    return [math.log1p(x) for x in (p, c, n, *counts)] + [q, min(len(t), 60) / 60, math.log1p(pn), math.log1p(prev_res),
                                                          math.log1p(pp)]
