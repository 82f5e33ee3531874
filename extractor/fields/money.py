"""budget: the customer's own stated budget or ceiling — never a quote, discount,
receivable or the rep's guess.

A budget is an amount near a budget cue (预算, 上限, 最多, 以内, 封顶…) in the customer's
own words, or the customer's answer to the rep's question about the budget
(您这边预算大概多少 → 八十来万吧). A ceiling (以内/不超过) is a point (min = max)."""
from __future__ import annotations

import re

from extractor.fields.amounts import find_amounts
from extractor.fields.base import Ctx, suggestion

BUDGET_CUE = re.compile(r"预算|立项|盘子|能批的|指导价|心里(?:的价位|就)|心理价位|留了|(?:超过|超了).{0,8}不批|准备了|准备的|批了|批下来|上限|最多(?:能|只能)?(?:给|出|花|投|批)?|顶多|顶天|封顶|不超过|控制在|以内|之内|打算投|准备投|计划投|批了|批的|能接受的?(?:价格|范围)?|心理价|总共就|一共就|加起来")
NOT_BUDGET = re.compile(r"(?<!不)超(?:了|出|过)|报价|报的|报了|你们报|单价|尾款|货款|质保金|欠|逾期|发票|优惠|折扣|便宜|降|让|运费|定金|首付|预付|已付|付了|还差|贵了|多了|差价|押金|罚|违约金|工资|营收|产值|年产|损失|省|电费|回本|一台|每台")
QUOTED = re.compile(r"报(?:价|了|的)?\s*$|报价是\s*$")
STRONG_CUE = re.compile(r"预算|上限|立项|盘子|封顶|不批|能批|指导价|顶天")
PART = re.compile(r"这块|这部分|这一块|分到|切出来|其中|单就|光是|落到")
TARGET = re.compile(r"你们.{0,6}(?:要到|做到|降到|到)|才划算|才能做|才考虑|才有戏|要到.{0,8}以内|报到")
ASK_BUDGET = re.compile(r"预算|大概.{0,4}(?:多少|什么范围|投多少)|打算投|准备投|心理价")
NEGATED = re.compile(r"没有预算|没预算|预算还没|预算没|预算.{0,3}未定|预算.{0,3}不确定|还没报预算|预算还在")
GUESS = re.compile(r"估计|应该|是不是|大概是|吧\?|吧？|我按")


class Budget:
    name = "budget-rules"

    def __call__(self, ctx: Ctx):
        best = None
        msgs = [x for x in ctx.msgs if x.text and x.speaker in ("rep", "customer")]
        # amounts said with their unit anywhere in the conversation (报价一百四十八万 / 72万): a bare
        # 一百二 of the same order is then as clear as one with its unit
        scale_cache: list = []

        def scale() -> list[int]:
            if not scale_cache:
                scale_cache.append([hi for y in msgs for _, _, (_, hi), unit in find_amounts(y.text) if unit and hi >= 10_000])
            return scale_cache[0]
        for i, x in enumerate(msgs):
            if NEGATED.search(x.text):
                continue
            cue_hits = list(BUDGET_CUE.finditer(x.text))
            prev = msgs[i - 1] if i > 0 else None
            answer = (x.speaker == "customer" and prev is not None and prev.speaker == "rep"
                      and ASK_BUDGET.search(prev.text) is not None)
            # 项目预算批下来了 / 一百五十万到两百万之间: the amount follows in the customer's next message
            answer = answer or (x.speaker == "customer" and prev is not None and prev.speaker == "customer"
                                and "预算" in prev.text and not any(True for _ in find_amounts(prev.text)))
            if not cue_hits and not answer:
                continue
            for s, e, (lo, hi), has_unit in find_amounts(x.text, assume_wan=True):
                if cue_hits:
                    cue = min(cue_hits, key=lambda c: min(abs(c.start() - e), abs(s - c.end())))
                    dist = min(abs(cue.start() - e), abs(s - cue.end()))
                    cue_after = cue.start() >= e
                else:
                    cue, dist, cue_after = None, 0, False
                part = PART.search(x.text[max(0, s - 10): s]) and "预算" in x.text
                if cue is not None and dist > 12:
                    if not answer and not part:
                        continue
                    cue = None if not part else cue
                lo_ctx = min(s, cue.start()) if cue else s
                hi_ctx = max(e, cue.end()) if cue else e
                near = x.text[max(0, lo_ctx - 6): hi_ctx + 2]
                strong = cue is not None and (STRONG_CUE.search(cue.group(0)) is not None
                                              or STRONG_CUE.search(x.text[max(0, s - 6): s]) is not None)  # 预算批了一百五
                if NOT_BUDGET.search(x.text[max(0, s - 6): e + 2]) and not strong:
                    continue
                if QUOTED.search(x.text[max(0, s - 4): s]):
                    continue  # 你们报52万 我们预算…: the quote, whatever cue follows
                if not has_unit and not (strong or answer):
                    continue  # a bare number is read in 万 only in a budget statement or answer
                if TARGET.search(x.text[max(0, s - 10): e + 6]) and not strong:
                    continue  # 你们至少要到150以内 / 一百二十五以内才划算: a price target, not a budget
                if x.speaker == "customer":
                    score = 0.9 if strong else 0.82  # weak cues (最多, 一共就, 以内) are as reliable on train
                    if not has_unit and not (strong and dist <= 4) and not any(v / 3 <= hi <= v * 3 for v in scale()):
                        score -= 0.1  # a bare number far from its cue, in a chat with no amounts in 万
                    if cue is not None and cue_after and strong and "预算" in x.text[e:e + 4]:
                        score -= 0.05
                else:
                    # a rep restating the customer's budget is weak; a guess is not a budget
                    if strong and re.search(r"您|你们|贵司", near) and not GUESS.search(x.text):
                        score = 0.45
                    else:
                        continue
                span_s, span_e = (min(s, cue.start()), max(e, cue.end())) if cue else (s, e)
                if part:
                    score += 0.03  # 整个项目1.2个亿, MES这块切出来大概八百万: the part for this purchase
                score -= 0.002 * dist  # the amount nearest its cue
                cand = (score, x, span_s, span_e, lo, hi)
                if best is None or score > best[0] or (score == best[0] and x.index > best[1].index):
                    best = cand
        if best is None:
            return []
        score, x, s, e, lo, hi = best
        ev = x.evidence(s, e)
        who = "客户" if x.speaker == "customer" else "销售转述客户"
        shown = f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"
        return [suggestion("budget", {"min": lo, "max": hi}, score, [ev],
                           f"{who}说“{ev.text}”,即预算 {shown} 元", self.name)]
