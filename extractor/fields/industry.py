"""industry: from what the customer says it makes (刹车盘 → 汽车, 心脏支架 → 医疗器械)."""
from __future__ import annotations

import re

from extractor.fields.base import Ctx, suggestion
from extractor.fields.lexicon import INDUSTRY_WORDS

_ALL = sorted(((w, ind) for ind, ws in INDUSTRY_WORDS.items() for w in ws), key=lambda p: -len(p[0]))
WORD_RE = re.compile("|".join(re.escape(w) for w, _ in _ALL))
WORD_IND = {w: ind for w, ind in _ALL}
SELF_CUE = re.compile(r"我们(?:是|主要|这边|厂|公司)?(?:做|生产|搞|造)|我们是|主要做|是做|做.{0,6}的|生产|产线|车间|工厂|厂里|我们的|客户是|给.{0,6}配套")


class Industry:
    name = "industry-lexicon"

    def __call__(self, ctx: Ctx):
        votes: dict[str, list] = {}
        for x in ctx.texts():
            for m in WORD_RE.finditer(x.text):
                ind = WORD_IND[m.group(0)]
                window = x.text[max(0, m.start() - 12): m.end() + 6]
                if x.speaker == "customer":
                    w = 1.0 if SELF_CUE.search(window) else 0.6
                elif x.speaker == "rep":
                    if not re.search(r"您|你们|贵司|贵厂|您那边|你们那边|行业", window):
                        continue
                    w = 0.35
                else:
                    continue
                votes.setdefault(ind, []).append((w, x, m.start(), m.end()))
        if not votes:
            return []
        ind, hits = max(votes.items(), key=lambda kv: sum(h[0] for h in kv[1]))
        total = sum(h[0] for h in hits)
        others = sum(h[0] for k, v in votes.items() if k != ind for h in v)
        w, x, s, e = max(hits, key=lambda h: h[0])
        score = min(0.95, 0.45 + 0.3 * min(total, 1.5)) * (total / (total + others))
        return [suggestion("industry", ind, score, [x.evidence(s, e)],
                           f"{'客户' if x.speaker == 'customer' else '销售'}提到“{x.text[s:e]}”,属于{ind}行业", self.name)]
