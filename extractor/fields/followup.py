"""next_follow_up: the next contact both sides agreed on, after rescheduling.

Walks the conversation in order keeping the current agreed plan. A time mention
becomes a plan when its clause talks about meeting, visiting, calling, replying or
demonstrating (not shipping, paying or the customer's internal events); a clock time
or part of day with no date refines the current plan's day; a cancellation or a
deferral (等通知, 改天, 具体哪天再说) drops it; a new date replaces it. A plan counts
as agreed when the other side acknowledged it or it answered the other side's proposal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.fields.base import Ctx, Msg, suggestion
from extractor.types import Evidence

SOURCE = "followup-rules"

CONTACT = re.compile(
    r"过来|过去|来访|拜访|上门|登门|见面|面谈|面聊|碰一下|碰个面|碰碰|碰头|聊|谈|打电话|回电|电话|致电|回复|答复|回您|回你|给您回|给你回|"
    r"准信|确认|看样机|样机|演示|demo|Demo|DEMO|开放日|来看|来厂|来我们|到我们|到你们|到贵司|参观|约|会议|开会|视频|线上|腾讯会议|"
    r"过一下|交流|沟通|联系|等您|等你|见|试机|试用|调机|打样|送样|现场|汇报|讲解|培训|对一下|对接|商量|定一下|敲定|签|拜会|门卫室|接您|接你")
NOT_CONTACT = re.compile(
    r"发货|到货|交货|交期|送货|物流|快递|付款|打款|到账|付清|付一半|付完|支付|开票|发票|下单|排产|生产|投产|上线|调试完|验收|截止|有效期|"
    r"发您|发你|发过去|发给您|发给你|寄|放假|休息|出差|封账|审批完|批下来|走完|报销|入库|装车|出货|备货|"
    r"之前付|前付|前到|前能到|能到|完工|完成|做完|做好|搞定|出来|定下来")
CANCEL = re.compile(r"不用来了|不用过来|别来了|不来了|来不了|去不了|取消|改天|等通知|等我消息|等我通知|等消息|回头再约|回头再说|"
                    r"再约|先不约|暂时不|搁置|推迟|延后|不方便|没空|没时间|不行|不在|在外面|出差")
VAGUE = re.compile(r"(?:具体|哪天|什么时候|时间)(?:.{0,4})(?:再说|再定|再约|再看|待定|另约|通知)|到时候再|看情况|说不准|不一定")
ACK = re.compile(r"^(?:好|好的|行|可以|没问题|嗯|嗯嗯|OK|ok|Ok|收到|好嘞|好滴|好哒|成|妥|一言为定|就这么定|那就这样|那就这么定|到时见|不见不散|👌|\[OK\]|\[好的\])")
RESCHED = re.compile(r"改到|改成|换到|挪到|推到|调到|改为|那就|还是")
DATE_WORD = re.compile(r"[天日号號周週星期礼禮拜月年节節初底末中旬今明后後昨前]|[0-9]+[./-][0-9]+")


@dataclass
class Plan:
    msg: Msg
    mention: object
    value: object  # datetime
    has_time: bool
    agreed: bool
    proposer: str
    evidence: list[Evidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _fmt(plan: Plan) -> str:
    v = plan.value
    return v.strftime("%Y-%m-%dT%H:%M") if plan.has_time else v.strftime("%Y-%m-%d")


def _is_ack(x: Msg) -> bool:
    return bool(ACK.match(x.text.strip()))


class FollowUp:
    name = SOURCE

    def __call__(self, ctx: Ctx):
        plan: Plan | None = None
        msgs = [x for x in ctx.msgs if x.text]
        for i, x in enumerate(msgs):
            mentions = [t for t in ctx.times(x) if t.value is not None]
            ntext = x.text
            # cancellation of the current plan without a new date
            if plan is not None and CANCEL.search(ntext):
                new_dates = [t for t in mentions if DATE_WORD.search(t.text) and t.value.date() != plan.value.date()]
                if not new_dates or not RESCHED.search(ntext):
                    if not new_dates:
                        plan = None
                        continue
            if plan is not None and VAGUE.search(ntext):
                plan = None
                continue
            for t in mentions:
                s, e = x.clause_at(t.start, t.end)
                clause = ntext[max(0, s - 12): min(len(ntext), e + 12)]
                has_date = bool(DATE_WORD.search(t.text))
                if t.grain not in ("day", "hour", "minute", "second"):
                    continue
                if t.value.date() < x.m.time.date():
                    continue
                contactish = bool(CONTACT.search(clause))
                blocked = bool(NOT_CONTACT.search(ntext[s:e])) or (not contactish and bool(NOT_CONTACT.search(clause)))
                short_reply = len(ntext) <= 16 and plan is None and i > 0 and msgs[i - 1].speaker != x.speaker
                if not has_date:
                    # 上午十点 / 下午 / 两点半 refine the day already planned
                    if plan is not None and (t.has_time_of_day):
                        plan.value = plan.value.replace(hour=t.value.hour, minute=t.value.minute)
                        plan.has_time = True
                        plan.evidence.append(x.evidence(t.start, t.end))
                        plan.notes.append(f"“{t.text}”补充了时间")
                        if x.speaker != plan.proposer:
                            plan.agreed = True
                        continue
                    if not contactish or blocked:
                        continue
                if blocked and not contactish:
                    continue
                if not contactish and not short_reply and not (plan is not None and RESCHED.search(clause)):
                    continue
                if CANCEL.search(ntext[s:e]) and not RESCHED.search(ntext):
                    continue
                agreed = False
                if i > 0 and msgs[i - 1].speaker != x.speaker and msgs[i - 1].speaker in ("rep", "customer"):
                    prev = msgs[i - 1].text
                    # answering the other side's proposal or question about a time
                    if re.search(r"[吗么嘛?？]|怎么样|如何|方便|有空|什么时候|哪天|几点", prev) or CONTACT.search(prev) or plan is not None:
                        agreed = True
                if plan is not None and t.value.date() == plan.value.date() and plan.proposer != x.speaker:
                    agreed = True
                plan = Plan(x, t, t.value, bool(t.has_time_of_day), agreed, x.speaker,
                            [x.evidence(t.start, t.end)], [t.explain or ""])
                break
            # acknowledgement by the other side
            if plan is not None and x is not plan.msg and x.speaker != plan.proposer and x.speaker in ("rep", "customer"):
                if _is_ack(x) or (mentions and any(t.value.date() == plan.value.date() for t in mentions)):
                    plan.agreed = True
        if plan is None:
            return []
        score = 0.9 if plan.agreed else 0.45
        if plan.mention.confidence is not None:
            score *= min(1.0, max(0.3, float(plan.mention.confidence)))
        who = "客户" if plan.proposer == "customer" else "销售"
        ans = "对方已确认" if plan.agreed else "对方尚未明确答复"
        said = plan.msg.m.text[plan.evidence[0].start:plan.evidence[0].end]
        expl = (plan.mention.explain or "").strip()
        extra = ";".join(n for n in plan.notes[1:] if n)
        reason = f"{who}约定“{said}”再联系/见面,{ans}" + (f";{expl}" if expl else "") + (f";{extra}" if extra else "")
        actions = _actions(ctx, plan)
        return [suggestion("next_follow_up", _fmt(plan), score, plan.evidence, reason, SOURCE, actions,
                           agreed=plan.agreed, has_time=plan.has_time)]


def _actions(ctx: Ctx, plan: Plan) -> list[str]:
    text = " ".join(x.text for x in ctx.msgs[max(0, plan.msg.index - 2): plan.msg.index + 2])
    acts = []
    if re.search(r"样机|演示|demo|看设备|参观|来厂|试机", text, re.I):
        acts.append("准备技术资料与样机演示")
    if re.search(r"技术|总工|工艺|设备部", text):
        acts.append("准备技术方案与参数对比")
    if re.search(r"价格|报价|优惠|折扣|便宜|贵", text):
        acts.append("准备竞品对比与分期方案")
    if re.search(r"合同|条款|法务", text):
        acts.append("准备合同条款修改意见")
    if re.search(r"尾款|付款|发票|回款|质保金", text):
        acts.append("核对应收账款与开票信息")
    return acts[:2]
