"""budget: the customer's own stated budget or ceiling — never a quote, discount,
receivable or the rep's guess."""
from __future__ import annotations

import re

from extractor.fields.amounts import find_amounts
from extractor.fields.base import Ctx, suggestion

BUDGET_CUE = re.compile(r"预算|上限|最多(?:能|只能)?(?:给|出|花|投)?|顶多|封顶|不超过|控制在|以内|之内|打算投|准备投|计划投|批了|批的|能接受的?(?:价格|范围)?|心理价")
NOT_BUDGET = re.compile(r"报价|单价|尾款|货款|质保金|欠|逾期|发票|优惠|折扣|便宜|降|让|运费|定金|首付|预付款|已付|付了|还差|贵了|多了|差价|押金|罚|违约金|工资|营收|产值|年产")
RANGE_HINT = re.compile(r"左右|上下|大概|差不多|大约")
NEGATED = re.compile(r"没有预算|没预算|预算还没|预算没")


class Budget:
    name = "budget-rules"

    def __call__(self, ctx: Ctx):
        best = None
        for x in ctx.texts():
            if NEGATED.search(x.text):
                continue
            cue_hits = list(BUDGET_CUE.finditer(x.text))
            if not cue_hits:
                continue
            for s, e, (lo, hi) in find_amounts(x.text):
                cue = min(cue_hits, key=lambda c: min(abs(c.start() - e), abs(s - c.end())))
                dist = min(abs(cue.start() - e), abs(s - cue.end()))
                if dist > 12:
                    continue
                near = x.text[max(0, min(s, cue.start()) - 6): max(e, cue.end()) + 2]
                if NOT_BUDGET.search(near) and "预算" not in near:
                    continue
                strong = "预算" in cue.group(0) or "上限" in cue.group(0)
                if x.speaker == "customer":
                    score = 0.9 if strong else 0.6
                elif x.speaker == "rep":
                    # a rep restating the customer's budget is weak; a guess is not a budget
                    if re.search(r"您|你们|贵司", near) and strong and not re.search(r"估计|应该|大概|是不是|吧", near):
                        score = 0.45
                    else:
                        continue
                else:
                    continue
                span_s, span_e = min(s, cue.start()), max(e, cue.end())
                cand = (score, x, span_s, span_e, lo, hi)
                if best is None or score > best[0] or (score == best[0] and x.index > best[1].index):
                    best = cand
        if best is None:
            return []
        score, x, s, e, lo, hi = best
        who = "客户" if x.speaker == "customer" else "销售转述客户"
        shown = f"{lo}" if lo == hi else f"{lo}–{hi}"
        return [suggestion("budget", {"min": lo, "max": hi}, score, [x.evidence(s, e)],
                           f"{who}说“{x.m.text[x.evidence(s, e).start:x.evidence(s, e).end]}”,即预算 {shown} 元", self.name)]
