"""Chinese advice that explains itself: the rep's figures against the team's, one quoted example
of the rep's own messages, and what to practise (or, for a strong dimension, what to keep doing)."""
from __future__ import annotations

from statistics import mean

STRONG, WEAK = 60, 40
TIPS = {
    "需求挖掘": "建议在介绍方案和报价之前,先问清客户的加工零件与材料、月产量和节拍、现有设备和痛点、预算与决策流程,每次对话至少问2–3个具体问题",
    "方案呈现": "建议把方案对准客户说过的需求来讲,给出具体参数、同行案例和回本测算,讲完确认一句是否解决了客户的问题",
    "异议处理": "建议先认同客户的顾虑,再用数据、案例、试用、分期或合同保障等具体办法回应,最后确认客户是否接受,不要只回“好的”或把问题推给公司",
}
KEEP = {
    "需求挖掘": "这类问题能让客户主动讲出痛点,建议保持,并整理成话术分享给团队",
    "方案呈现": "方案讲得具体、贴合需求,建议保持,并把用过的案例和测算整理成团队素材",
    "异议处理": "回应异议有理有据,建议保持,并把常见异议的应对整理成团队话术",
}
NOUN = {"需求挖掘": "需求类问题", "方案呈现": "次方案呈现", "异议处理": "次异议回应"}


def _q(text: str, n: int = 32) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= n else t[:n] + "…"


def _s(x) -> str:
    return "暂无" if x is None else f"{x:+.2f}"


def _tone(x) -> str:
    if x is None:
        return "这类消息后客户都没有再回复"
    if x >= 0.3:
        return "客户随后的回应多为积极肯定"
    if x <= -0.2:
        return "客户随后的回应偏冷淡或带着异议"
    return "客户回应多为简短确认或中性答复"


def _density_phrase(d: str, dens: float, team: float) -> str:
    if d == "需求挖掘":
        return f"平均每次对话问{dens:.1f}个需求类问题(团队平均{team:.1f}个)"
    if d == "方案呈现":
        return f"平均每次对话有{dens:.1f}次方案呈现(团队平均{team:.1f}次)"
    return f"平均每次对话回应异议{dens:.1f}次(团队平均{team:.1f}次)"


def advise(r: dict, team_dims: dict, reps: list[dict]) -> list[str]:
    n = len(r["convs"])
    out = []
    rates = [x["objections_answered"] / x["objections"] for x in reps if x["objections"]]
    team_rate = mean(rates) if rates else None
    for d in ("需求挖掘", "方案呈现", "异议处理"):
        dim = r["dims"][d]
        dens, sent, score = dim["action_density"], dim["customer_sentiment"], dim.get("score", 50)
        tdens, tsent = team_dims[d]["action_density"], team_dims[d]["customer_sentiment"]
        acts = r["acts"][d]
        replied = [a for a in acts if a["sentiment"] is not None]
        head = f"【{d} {score}分】近{n}次对话中,您{_density_phrase(d, dens, tdens)},"
        head += f"之后客户情绪均值{_s(sent)}(团队{_s(tsent)}),{_tone(sent)}。"
        if d == "异议处理" and r["objections"]:
            rate = r["objections_answered"] / r["objections"]
            head += f"客户共提出{r['objections']}次异议,您正面回应了{rate:.0%}"
            head += f"(团队平均{team_rate:.0%})" if team_rate is not None else ""
            if r["obj_outcomes"]:
                head += f",您回复异议后客户情绪均值{mean(r['obj_outcomes']):+.2f}"
            head += "。"
        if score >= STRONG:
            ex = max(replied, key=lambda a: a["sentiment"], default=None) or (acts[0] if acts else None)
            text = head + "做得好:"
            if ex is not None:
                text += f"例如您说“{_q(ex['msg'].text)}”"
                text += f",客户回复“{_q(ex['reply'].text, 24)}”。" if ex["reply"] is not None else "。"
            out.append(text + KEEP[d] + "。")
            continue
        example = ""
        if d == "需求挖掘" and r["pitch_before_ask"]:
            c, m = r["pitch_before_ask"][0]
            example = f"例如在还没问清需求时,您就直接介绍“{_q(m.text)}”。"
        elif d == "异议处理" and r["unanswered"]:
            c, o, m = r["unanswered"][0]
            example = f"例如客户说“{_q(o.text, 24)}”,您回复的是“{_q(m.text, 24)}”,没有正面回应这个顾虑。"
        if not example:
            if score <= WEAK:  # the coldest-received, the longest among equals
                ex = min(replied, key=lambda a: (a["sentiment"], -len(a["msg"].text)), default=None)
            else:  # a typical one: the longest answered message
                ex = max(replied, key=lambda a: len(a["msg"].text), default=None)
            ex = ex or (acts[0] if acts else None)
            if ex is not None:
                if d == "异议处理" and ex["objection_before"] is not None:
                    example = f"例如客户说“{_q(ex['objection_before'].text, 24)}”,您回复“{_q(ex['msg'].text)}”"
                else:
                    example = f"例如您说“{_q(ex['msg'].text)}”"
                example += f",客户回“{_q(ex['reply'].text, 24)}”。" if ex["reply"] is not None else "。"
        if score <= WEAK:
            out.append(head + "这是您相对团队最需要提升的方面之一。" + example + TIPS[d] + "。")
        else:
            out.append(head + "与团队水平接近。" + example + "可以进一步提升:" + TIPS[d] + "。")
    return out


def low_data_advice(r: dict) -> list[str]:
    n = len(r["convs"])
    return [f"所选时间段内您有{n}次对话,但只有{r['substantive']}条实质性销售消息(需求挖掘、方案呈现或异议处理),"
            f"其余多为问候、物流、发票或约时间,数据不足以与团队比较,暂不评分。"
            f"建议在跟进中多了解客户需求、结合需求介绍方案,积累更多销售对话后再看诊断。"]
