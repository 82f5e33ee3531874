"""next_follow_up: the next contact both sides agreed on, after rescheduling.

Walks the conversation in order keeping the current plan. For every time mention the
clause around it decides:
- a clause about shipping, paying, sending documents or the customer's internal
  meetings is never a plan (6月15号前发货, 今天出新版报价, 明天上午我们开采购委员会);
- a clause about meeting, visiting, calling, replying or demonstrating makes a plan,
  and so does a bare date given as the answer to a scheduling question (下周四上午吧);
- a deadline (X前/之前/内) is a plan only as a promised reply (国庆前给我个准话);
- a clock time or part of day with no date refines the current plan's day;
- busy/cancel words drop the plan or the date they sit next to (年前太忙了, 等通知),
  and a deferral (具体哪天再约) leaves no plan.
A plan counts as agreed when the other side acknowledged it, answered a proposal with
it, or proposed it in answer to a question; unagreed plans are not shown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from extractor.fields.base import Ctx, Msg, suggestion
from extractor.fields.guard import guarded
from extractor.types import Evidence

SOURCE = "followup-rules"

CONTACT = re.compile(
    r"过来|过去|过嚟|来访|拜访|上门|登门|见面|面谈|面聊|当面|碰一下|碰个面|碰碰|碰头|聊|谈|打电话|打给|打我|打你|打您|回电|电话|致电|call|"
    r"回复|答复|回您|回你|给您回|给你回|回话|准信|准话|信儿|确认|样机|演示|demo|Demo|DEMO|开放日|来看|来厂|来我们|到我们|到你们|到贵司|到您|"
    r"参观|参加|约|会议|打俾|打畀|傾|搵你|搵您|电话会|视频会|视频|线上|腾讯会议|过一下|对一下|对一次|交流|沟通|联系|等您|等你|见|试机|试用|调机|现场|汇报|讲解|培训|对接|"
    r"敲定|拜会|门卫|接您|接你|你来|您来|来吧|来一趟|来一下|来坐坐|坐坐|我到|我来|我们来|一起过|上门|带.{0,4}(?:过来|过去)|"
    r"(?:让|叫)(?:他|她|他们|人|师傅|工程师)(?:过)?来|开个(?:短|小|线上|视频|电话)?会|video|Video|视像|跟您|跟你|问问|问一下|问我|再问|讲讲|讲一下|来讲|讲方案|派人|你们来|过技术协议|来测|再来|来一次|去你们|去您|去贵司|去你那|到你那|看实机|看看实机|驻厂|驻场|到场|到现场|最终|"
    r"再试|来试|拿料试|试一下|试切|试模|测一下|再测|复测|重测|答疑会|踏勘|说明会|交流会|推介会|(?:我|我们|工程师|师傅|人)[^，,。 ]{0,3}到(?!货|账|期|款|位)|(?:准时|按时)(?:到(?!货|账|款|期|位)|过去|过来|参加)")
# contact words strong enough to win over a shipping/paying word in the same clause (再跟您确认下到账)
STRONG = re.compile(r"(?:我|我们)(?:过来|过去|来)(?:取|拿)|(?:试用机|试用的|样机)[^，,。 ]{0,6}(?:送过去|送过来|送到)|跟您|跟你|给您打|给你打|问问|问一下|问我|再问|联系您|联系你|当面|见面|拜访|碰一下|碰个面|打电话|电话会|视频会|"
                    r"去您|去你们|到您那|到你们那|来您|演示|你来|您来|你们来|腾讯会议|拜年|拜个年|再跟.{0,5}(?:确认|联系|沟通)|会议链接|视频会议|线上会")
INTERNAL = re.compile(r"(?:我们|我这边|我们这边|集团|公司)(?:内部)?.{0,3}(?:开会|开.{0,4}会|评审|上会|讨论|审计|盘点)")
DEFER = re.compile(r"有(?:结果|消息|进展|动静|需要)了?(?:我|再)(?:再)?(?:通知|告诉|联系|找|跟)|回头再约|回头再说|回头再定|回来再约|出来再约|到时候再约|等.{0,12}(?:我|再)(?:再)?(?:联系|通知|找|告诉)(?:你|您)|等.{0,12}(?:我|再)(?:再)?跟(?:你|您)(?:说|讲|确认)|(?:完|好)(?:了)?我(?:再)?通知|改天|等通知|等我消息|等我通知|再通知|不用来了|不用过来|取消|都不方便|都不行|先不约|暂时不约|"
                   r"(?:好|完|了|定)再说|到时候再说|忙完了?(?:再|告诉)|(?:年|节|[一五]|十一|月|季度|清明|端午|中秋|国庆|元旦|春节|过年|假期)(?:以|之)?后再(?:说|看|聊吧|细聊|详聊|慢慢聊)|"
                   r"过(?:两|几|一)天再说|回来(?:了)?再(?:说|约|聊)|那就再说吧|那再说吧|回头再跟(?:你|您)(?:说|讲|联系)|回头(?:再)?(?:告诉|通知|答复|回复)(?:你|您)")
NOT_CONTACT = re.compile(
    r"发货|到货|交货|交期|送货|送到|物流|快递|顺丰|付款|打款|到账|到期|付清|付一半|付完|支付|走款|开票|发票|下单|排产|生产|投产|上线|调试|验收|截止|有效期|"
    r"(?<![出研开])发(?!现|展|言|布会)|寄|回签|报过去|报给|出.{0,4}(?:报价|方案|报告|版|图纸|合同)|做好|改好|填好|放假|休息|休[一两三]|出差|封账|报销|入库|装车|出货|备货|"
    r"送过去|送过来|送来|换过来|换过去|开过去|开给您|开给你|委员会|评审会|能到|前到|生日|愉快|快乐|实施|安装|施工|顾问|(?<![应支])付|聊得|谈得|见过|来过|去过|聊过|谈过|得很|整理"
    # ordered goods taken to the customer (今天给你们送那台磨床), not a trial unit handed over (ruling 24)
    r"|送(?:那|这)?[一两二三四五六七八九十\d]*[台套批箱](?![^，,。!?！？]*(?:样机|样品|试用|试机|试试|试一下|演示))"
    # the rep reporting inside its own company (我今天就跟领导汇报 / 跟公司申请): no contact with the customer
    r"|(?:跟|向|找)(?:我们)?(?:领导|公司|上面|总部|老板|经理|我们经理)(?:汇报|请示|申请|报备|商量|反映)(?![^，,。!?！？]{0,4}再)")
CANCEL = re.compile(r"不中(?![用标断])|先别约|别约了|不用约|(?<!你们)(?<!工程师)(?<!师傅)去(?!贵司|你们|您那|你那|现场|厂里|车间|我们厂)[^，,。 ]{0,4}培训|别打(?:我|了)|不用打|别(?:联系|找)我|不用来了|不用过来|别来了|不来了|来不了|去不了|过不去|取消|改天|等通知|等我消息|等我通知|回头再约|回头再说|"
                    r"先不约|暂时不|搁置|推迟|延后|不方便|没空|没时间|停产|检修|放假|不对|审厂|都不行|(?<!行)不行(?!不)|不在|在外面|出差|太忙|很忙|忙不过来|来不及|赶不上|不太方便|有事|有会|开会|去外地|在外地|你先跟|您先跟|不确定|给不了|答复不了|回不了|别过来|先别来")
# an answer that leaves a proposed day open: checking with someone, seeing whether it can be moved,
# declining the visit (不用 材料够了), or handing the choice back (您定了跟我说)
_TELL_BACK = r"(?:(?:确定|确认)了?|(?<![一确])定了)(?:再|我再|我)?(?:跟|告诉|通知|回复?)(?:你|您)"  # 确定了跟你说
_WORKSHOP = r"(?:得|要|再)问问车间|看看排产"
_OPEN = r"(?:确认|问|看)(?:一)?下[^，,。 ]{0,4}哪天|看看能不能(?:调|挪|换|改)"  # leaves it open even after 好的
HEDGE = re.compile(r"^\s*(?:不用|不必|没必要|不需要|用不着)(?:了|来|过来|麻烦|跑|(?:特意|专门)[^\s，,。]{0,3})?(?:\s|[，,。]|$)|我(?:再)?看看吧|我(?:再|先)?问问(?:老板|领导|车间|他们|同事|上面)?(?:吧|再说)?\s*$|"
                   rf"晚点(?:再)?(?:回|告诉|通知)(?:您|你)|(?:你|您)定了?(?:再)?(?:跟|告诉)我|{_TELL_BACK}|{_WORKSHOP}|{_OPEN}|"
                   r"我(?:再|得|要)?(?:看看|看一下|看下|问问|问一下|问下|查一下|查下)[^，,。 ]{0,6}(?:时间|安排|排产|日程|行程)")
# the day restated with a check (下周一我看看时间 确定了跟你说 / 下周三我得问问车间排产 / 周五我再看看)
HEDGE_RESTATED = re.compile(rf"{_TELL_BACK}|{_WORKSHOP}|"
                            r"我(?:再|得|要)?(?:看看|看一下|问问|问一下|查一下)(?:时间|安排|排产|日程|行程)?(?:吧|再说)?(?:\s|[，,。]|$)")
OPEN_HEDGE = re.compile(_OPEN)
# … but not an answer that accepts while it adds something (不用 人来就行 / 好 厂区地址晚点告诉你)
ACCEPTS = re.compile(r"就行|来吧|过来吧|就可以")
# a proposal put off to a period (下个月初再过去汇报? … 下个月再说吧); said after an agreement it is
# about something else (10号我再跟您确认到账 好的 … 第三条线明年有计划吗 明年再说)
PERIOD_DEFER = re.compile(r"(?:下个?月|下周|下礼拜|下星期|明年|过段时间|过阵子|过一阵)再说")
# a day offered back as a question (下周三我在成都 周四行吗) is a counter-proposal, agreed only once answered
COUNTER_Q = re.compile(r"行吗|行不行|可以吗|可不可以|方便吗|方便不|好吗|怎么样|得唔得|得不得|行不|好不好")
QMARK = re.compile(r"[?？]\s*$")  # (明天下午两点再给您回个电话 详细聊下需求? asks)
# … unless the last clause is a question of its own (周四上午吧 你们几个人过来?)
OWN_QUESTION = re.compile(r"(?:几|哪|什么|吗|多少|谁|怎么|啥|呢)[^\s，,。]*[?？]\s*$")
OPEN_QUESTION = re.compile(r"哪天|什么时候|啥时候|几点|哪个时间|什么时间")  # (下周哪天方便 … 周四上午行吗 answers it)
HANDOVER = re.compile(r"样件|样品|样机|样刀|试用机|试用|新件|测试件")
TRIAL_UNIT = re.compile(r"试用机|样机|试用")
ORDERED = re.compile(r"正式订|订的|下单的|采购的|买的")
TAKE_OVER = re.compile(r"送过去|送过来|送到|拿过去|带过去|带过来")
# someone else on the rep's side to call (我让售后今天联系您): not the rep's agreed next contact
THIRD_PARTY_CALL = re.compile(r"让(?:售后|工程师|技术|同事|他们|师傅|服务|客服|合作伙伴)[^，,。 ]{0,4}(?:联系|打给|给您打|给你打|对接)")
LINK_SEND = re.compile(r"链接.{0,6}发|发.{0,6}链接")
AFTER_MEETING = re.compile(r"(?:先看了|先见了|见了面|见面|当面|(?<!回)来了|先[焊切测试打做磨跑]了)再说")  # 先看了再说 / 先焊了再说 (not 领导看了再说 / 老板回来了再说)
# a day left open in the question itself (具体哪天再说) asks nothing
OPEN_DAY = re.compile(r"具体(?:哪天|时间|日子|几点)?.{0,6}再(?:说|定|约|看)")
# a period with a courtesy visit (年后有空去拜访您 / 年后来厂里坐坐 / 节后有空再去拜访您)
SOCIAL = re.compile(r"有空(?!吗|的话)|有时间(?!吗|的话)|坐坐|喝茶|吃饭")
BUSINESS = re.compile(r"演示|培训|调试|协议|方案|测|试|讲|报价|合同|验收|安装|派.{0,3}(?:工程师|人)")
VAGUE = re.compile(r"到时候看吧|有空一定(?:去|来|到)|"
                   r"有空(?:来|过来)[^，,。 ]{0,4}(?:坐坐|喝茶|玩)|有事(?:随时|再|就)?(?:打|找|联系|call)|具体(?!几点)(?:哪天|时间|日子|安排)?.{0,10}(?:再说|再定|再约|再看|待定|另约|通知|告诉|约|说)|到时候再|看情况|说不准|不一定|定了告诉|定了再|再看看.{0,4}时间|等我消息|等我通知|等通知")
RESCHED = re.compile(r"改到|改成|换到|挪到|推到|调到|改为|改在|换成")
ACK = re.compile(r"^\s*(?:好|行|可以|没问题|嗯|OK|ok|Ok|收到|成|妥|一言为定|就这么定|那就这样|到时见|不见不散|👌|👍|\[OK\]|\[好的\]|\[抱拳\]|等你消息|等您消息|得|冇问题|要得|中)")
REPLY_VERB = re.compile(r"最终|答复|联系|沟通|准话|准信|回复|回话|回您|回你|给您回|给你回|回个话|给个话|给我个(?!新?(?:方案|报价|报告|清单|资料|图纸|合同|样))|打给|电话|确认|碰|见|过来|过去|(?<![下出起回])来")
TIME_QUESTION = re.compile(r"得唔得|得不得|点样|怎么样|如何|方便|有空|什么时候|哪天|几点|时间|行不行|可以吗|行吗|好吗|还是|要不(?!要|是|然)")
PARTICLES = re.compile(r"第一天|第一个工作日|头一天|以后|之后|左右|前后|[吧呢啊呀哈嘛的了行好可以嗯那就我在都在有空在这个周也那吧要是]")
NOW_WORDS = re.compile(r"^(?:现在|此时|此刻|当前|目前|刚才|刚刚|马上|立刻|今后|以后)$")
DATE_WORD = re.compile(r"[天日号號周週星期礼禮拜月年节節初底末中旬今明后後昨前]|[0-9]+[./-][0-9]+")
BARE_WEEKDAY = re.compile(r"^(?:周|星期|礼拜|週|禮拜)[一二三四五六日天1-7]")
NUMERIC_FP = re.compile(r"^(?:微米|毫米|厘米|公分|米|mm|um|μm|%|倍|公斤|kg|吨|个点|块|元|万|丝|度|寸|秒|分钟)")
ARRIVE = re.compile(r"^(?:赶)?到")
ARRIVE_AFTER = re.compile(r"(?:之前|前)?(?:赶)?到")
DAY_NAMED = re.compile(r"[今明后]天|[今明]晚|[今明]早|周|礼拜|星期|号|日|月")
GOODS = re.compile(r"货|设备|机器|样品|样件|配件|备件|发票|款")
BARE_DAY = re.compile(r"^(?:[0-3]?\d|[一二三四五六七八九十廿卅]{1,3})[号日]")
MONTH_WORD = re.compile(r"月")
_HOLIDAYS = r"春节|国庆|五一|十一|中秋|端午|清明|元旦|过年"
PERIOD_AFTER = re.compile(rf"^(?:年|节|{_HOLIDAYS}|假期)(?:以|之)?后$")
# the mention is a past event (中午就停了 / 昨天已经到了)
PAST_AFTER = re.compile(r"(?:就|已经|都)(?!(?:可以|行|好|成|OK|ok))[^，,。 ]{0,4}了")  # (两点就行了 accepts)
REDIRECT = re.compile(r"^(?:你|您)先跟")  # 下周一我在合肥 你先跟何工对接: the day is declined
DELIVERY = re.compile(r"司机|物流|货车|车到了|到货")
# … unless someone comes along to look around (我和司机小刘过去拉样件 顺便看看你们的设备)
LOOK_AROUND = re.compile(r"顺便(?:看|参观|聊|谈|见)|参观|看看你们的|看一下你们的")
# the shipment around an arrival said in another clause or message (司机刘师傅已经过了嘉兴了 大概下午三点左右到您厂里)
SHIPMENT = re.compile(r"司机|物流|单号|发车|装车(?!间)|出库|发出|到货|发货|快递|顺丰|德邦|卸货|卸车|收货|叉车|行车|吊车")
ARRIVAL = re.compile(r"到|收货|卸|仓库")
VISIT_IN_MESSAGE = re.compile(r"过嚟|过来|过去|拜访|讲下|讲一下")
PERSON_VISIT = re.compile(r"拜访|见面|当面|面谈|聊|谈|演示|讲|培训|开会|会议|试用|样机|我(?:们)?(?:过来|过去|到)")
# a question about a deadline or a shipment: answering it is not agreeing on a contact (RFQ截止是什么时候)
NOT_SCHED_Q = re.compile(r"截止|交期|交货|发货|到货|货.{0,6}(?:发|到)|(?:最晚|最快)什么时候(?:能)?到|付款|打款|到账|有效期|开票|下单|上会|评审|招标|挂网|开标|定下来")
NOW_STATE = re.compile(r"了|啦|嘛")
PERIOD_NOW = {"年底", "年末", "月底", "月末", "周末", "年初", "月初", "中午", "晚上", "下午", "上午", "早上"}
PAY_TERMS = re.compile(r"(?:尾|货|进度|验收|首付|预付|[一二三]期)款|质保金|见票")
VISIT_TALK = re.compile(r"过去|过来|拜访|聊|谈|对一下|当面|见面")
LATER_DAY = re.compile(r"再(?:约|定)(?:一下)?具体(?:时间|日子|哪天)")
HOLIDAY_NAME = re.compile(rf"节|{_HOLIDAYS}|假")
HOLIDAY_PAST = re.compile(r"\s*(?:去哪|去哪儿|玩得|过得|去了|玩了|回来了|怎么过的|去哪玩)")
# a regular meeting that takes the day said (礼拜一上午要开周会); only beside a date, since 九点半吧 九点我们开早会
# moves the hour, not the day
BUSY_DAY = re.compile(r"周会|例会|早会|晨会")
AROUND_MEETING = re.compile(r"开完|(?:周会|例会|早会|晨会)(?:后|之后|上|完)")
DEADLINE_WORD = re.compile(r"截止|交期|交货|发货|到货|有效期|开标|投标")
SEASON_GREETING = re.compile(r"拜年|拜个早年|新年快乐|新年好|过年好|放假|假期愉快|节日快乐|大吉|春节快乐")
GREETING = re.compile(r"(?:周末|节日|新年|春节|中秋|国庆|元旦)(?:愉快|快乐|好)")
# large alternations searched in most messages: a cheap necessary-literal guard in front (guard.py)
CONTACT, NOT_CONTACT, CANCEL = guarded(CONTACT), guarded(NOT_CONTACT), guarded(CANCEL)


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


def _clauses(x: Msg, t) -> tuple[str, str, str]:
    """(clause around the mention without the mention, the next clause, the previous clause)."""
    s, e = x.clause_at(t.start, t.end)
    inner = x.text[s:t.start] + x.text[t.end:e]
    nxt = ""
    m = re.match(r"[\s，,。！!？?；;~～…]*([^\s，,。！!？?；;~～…]*)", x.text[e:])
    if m:
        nxt = m.group(1)
    prv = x.text[:s].rstrip(" ，,。！!？?；;~～…")
    prv = re.split(r"[\s，,。！!？?；;~～…]", prv)[-1] if prv else ""
    return inner, nxt, prv


def _valid(x: Msg, t) -> bool:
    if t.value is None or t.grain not in ("day", "hour", "minute", "second"):
        return False
    if NOW_WORDS.match(t.text):
        return False
    if t.value.date() < x.m.time.date():
        return False
    if NUMERIC_FP.match(x.text[t.end:t.end + 3]) or x.text[t.start:t.start + 1] == "零":
        return False
    if GREETING.search(x.text[max(0, t.start - 2): t.end + 4]):
        return False
    if HOLIDAY_NAME.search(t.text) and HOLIDAY_PAST.match(x.text, t.end):
        return False  # 国庆去哪玩了: the holiday just past, not the next one
    if NOW_STATE.match(x.text, t.end) and t.text in PERIOD_NOW:
        return False  # 年底了 车间都在赶货: it *is* year-end now, not a plan
    if PAST_AFTER.match(x.text, t.end, t.end + 8) and (not DAY_NAMED.search(t.text) or HOLIDAY_NAME.search(t.text)):
        return False  # 中午就停了: a bare time of day that already happened (下周一就可以过来了 stays)
    return True


INVITE = re.compile(r"你们(?:派人|派个人|安排人)?(?:过)?来|您(?:过)?来|来讲|讲一下方案|讲方案|讲一下|派人来|派个人来")
MEETING = re.compile(r"委员会|评审会")
FAILED_CONTACT = re.compile(r"没接|没人接|打不通|不在|关机|占线|没回|未接")
BOTLIKE = re.compile(r"机器人|助手|系统|通知|提醒|bot|Bot|BOT|小秘书")


def _colleague(x: Msg) -> bool:
    """A message of speaker `other` that is a person on the rep's side (an engineer the rep
    pulled in: 明天早上八点我带备件过去), not a bot or a system notice."""
    name = x.m.name or ""
    return x.speaker == "other" and getattr(x.m, "kind", "text") != "system" and not name.startswith("wb") \
        and not BOTLIKE.search(name) and not BOTLIKE.search(x.text[:8])


VISIT_USELESS = re.compile(r"(?:你|您)(?:人)?(?:来|过来|跑一趟)(?:了)?也没(?:用|意义)")  # (not 你不过来也没用 / 样品寄过来也没用)
GETTING_THERE = re.compile(r"(?:地铁|交通|公交|停车|打车)$")
COMPLAINT_BEFORE = re.compile(r"质量|精度|效果|性能|服务|售后|机器|设备|产品|速度|态度")


def _time_only_clause(x: Msg, t) -> bool:
    """The mention is its clause, give or take a particle (下个月中旬吧), not a time inside other
    business (我们七月中要招标定下来)."""
    cs, ce = x.clause_at(t.start, t.end)
    return (ce - cs) - (t.end - t.start) <= 3


def _cancels(text: str) -> bool:
    """A message without a date that calls the plan off (不来了 / 取消 / 那天不行), not a
    complaint that happens to say 不行 (你们这质量真不行)."""
    for m in CANCEL.finditer(text):
        if m.group(0) in ("不行", "不对") and COMPLAINT_BEFORE.search(text, max(0, m.start() - 6), m.start()):
            continue
        if m.group(0) in ("不方便", "不太方便") and GETTING_THERE.search(text, max(0, m.start() - 5), m.start()):
            continue  # 地铁不方便 侬开车来: directions for the visit, not calling it off
        return True
    return False


# an acknowledgement sent as a sticker code or an emoji alone ([OK] / 👌 / [抱拳]): normalisation
# deletes these from the text the rules read, so they are recognised on the original
ACK_CODE = re.compile(r"^\s*(?:\[(?:OK|好的|抱拳|强|ThumbsUp|握手|胜利|Yeah!|OK!)\]|(?:👌|👍|🙏|✅|🤝)[\U0001F3FB-\U0001F3FF\uFE0F]*)+\s*$")


def _ack(x: Msg) -> bool:
    return ACK.match(x.text) is not None or (not x.text.strip() and ACK_CODE.match(x.m.text or "") is not None)


def first_reply(ctx: Ctx, plan: "Plan", x: Msg) -> bool:
    """The acknowledgement answers the proposal: between them the proposer did not change the subject
    (另外 / 对了 …), nor answer an off-topic message of the other side (R: 月底我再跟您确认下? C: 就是机械手
    偶尔掉件 你让售后看看 R: 好的 我让售后这周跟您约 C: 嗯 — that 嗯 answers the service call). A question
    about the visit in between (几点? / 你们几个人过来? / 需要带样品吗) keeps it on the plan."""
    between = [y for y in ctx.msgs[plan.msg.index + 1: x.index] if y.text and y.speaker in ("rep", "customer")]
    for k, y in enumerate(between):
        if _side(y) == plan.proposer and TOPIC_SHIFT.match(y.text):
            return False
        if _side(y) == _side(x) and not _on_plan(ctx, y, plan) and any(_side(z) == plan.proposer for z in between[k + 1:]):
            return False
    return True


TOPIC_SHIFT = re.compile(r"^\s*(?:[^\s，,]{0,6}[\s，,])?(?:另外|对了|还有|顺便|再问)")
ON_PLAN = re.compile(r"几点|几个人|带|[?？吗呢]\s*$|稍等|我看下|看一下")


def _on_plan(ctx: Ctx, y: Msg, plan: "Plan") -> bool:
    return bool(CONTACT.search(y.text) or TIME_QUESTION.search(y.text) or ON_PLAN.search(y.text)
                or any(t.value is not None and t.value.date() == plan.value.date() for t in ctx.times(y)))


def _side(x: Msg) -> str:
    return "customer" if x.speaker == "customer" else "rep"


class FollowUp:
    name = SOURCE

    def __call__(self, ctx: Ctx):
        plan: Plan | None = None
        best_conf: dict = {}  # day → the highest confidence of any usable mention of it
        month_anchor = None  # (message index, year, month) of the latest mention that names a month
        agreed_days: set = set()  # days already agreed (a later 国庆后 15号 restating one keeps it agreed)
        msgs = [x for x in ctx.msgs if (x.text or _ack(x)) and (x.speaker in ("rep", "customer") or _colleague(x))]
        mentioned: dict = {}  # date → speaker who first named it in a usable clause
        last_dated = None  # (message index, mention) of the latest usable dated mention
        social_days: set = set()  # periods offered only as a courtesy (年后有空去拜访您)
        goods_days: dict = {}  # day → index of the message that set a delivery on it (not a contact)
        last_text = None  # the latest message with text (a sticker is no question)
        for i, x in enumerate(msgs):
            prev, last_text = last_text, (x if x.text else last_text)
            mentions = [t for t in ctx.times(x) if _valid(x, t)]
            if plan is None and not mentions:
                continue  # nothing to plan, nothing to agree to or call off
            # answering the other side's proposal or scheduling question
            answering = prev is not None and _side(prev) != _side(x) and bool(
                TIME_QUESTION.search(OPEN_DAY.sub(" ", prev.text)) or CONTACT.search(prev.text)) and not (
                NOT_SCHED_Q.search(prev.text) and not CONTACT.search(prev.text))
            for t in mentions:
                if MONTH_WORD.search(t.text) and (CONTACT.search(x.text) or (
                        answering and CONTACT.search(prev.text) and _time_only_clause(x, t))):
                    # only a month named in a message about the contact or answering a scheduling question (下个月中我过去 …
                    # 15号前后? / 十二月中 那就12月15号吧 我们去你们厂 … 15号可以 / 您看什么时候方便 下个月中旬吧 … 那15号可以吗),
                    # not a payment's or a tender's month (剩下的下个月十号左右 … 二十九号下午
                    # 我再给您打个电话: the 29th of this month)
                    month_anchor = (i, t.value.year, t.value.month)
            for t in mentions:
                if t.confidence is not None:
                    d = t.value.date()
                    best_conf[d] = max(best_conf.get(d, 0.0), float(t.confidence))
            vague = bool(VAGUE.search(x.text)) or (LATER_DAY.search(x.text) is not None and not any(
                DAY_NAMED.search(t.text) and not PERIOD_AFTER.match(t.text) for t in mentions))
            # (节后吧 … 那节后我们再约具体时间 sets no day; 可以 下周四 再约具体时间 keeps Thursday)
            new_plan = False
            latest_date = None
            day_said = None  # the last date said in this message, for a clock time said after it
            rescheduling = False  # this message dropped the plan's day: a new date in it replaces the plan
            for t in mentions:
                inner, nxt, prv = _clauses(x, t)
                has_date = bool(DATE_WORD.search(t.text))
                if not has_date:
                    if plan is None and day_said is not None and t.has_time_of_day and (CONTACT.search(inner + nxt) or rescheduling):
                        v = day_said.value.replace(hour=t.value.hour, minute=t.value.minute)
                        agreed = answering or (rescheduling and _side(x) == "customer")
                        plan = Plan(x, t, v, True, agreed, _side(x),
                                    [x.evidence(day_said.start, day_said.end), x.evidence(t.start, t.end)],
                                    [day_said.explain or "", f"“{t.text}”补充了具体时间"])
                        new_plan = True
                        continue
                    short = len(PARTICLES.sub("", inner)) <= 3
                    if plan is not None and t.has_time_of_day and (short or CONTACT.search(inner)) \
                            and not NOT_CONTACT.search(inner) and not CANCEL.search(inner):
                        h = t.value.hour
                        if plan.has_time and plan.value.hour - h == 12:
                            h = plan.value.hour  # 今晚七点前到 … 好 七点前: the same evening
                        plan.value = plan.value.replace(hour=h, minute=t.value.minute)
                        plan.has_time = True
                        plan.evidence.append(x.evidence(t.start, t.end))
                        plan.notes.append(f"“{t.text}”补充了具体时间")
                        if _side(x) != plan.proposer:
                            plan.agreed = True
                        continue
                    anaphora = re.search(r"那天|当天|那时|到时候|那会儿", prv + inner)
                    if plan is None and last_dated is not None and i - last_dated[0] <= 2 and t.has_time_of_day and (
                            anaphora or CONTACT.search(inner + nxt + prv) or (answering and TIME_QUESTION.search(prev.text))):
                        li, lt = last_dated
                        v = lt.value.replace(hour=t.value.hour, minute=t.value.minute)
                        other = _side(msgs[li]) != _side(x)
                        plan = Plan(x, t, v, True, other or answering, _side(x),
                                    [msgs[li].evidence(lt.start, lt.end), x.evidence(t.start, t.end)],
                                    [lt.explain or "", f"“{t.text}”补充了具体时间"])
                        new_plan = True
                        continue
                    if not CONTACT.search(inner + nxt):
                        continue
                day_said = t
                rest0 = PARTICLES.sub("", inner)
                scope = inner + (" " + nxt if len(rest0) <= 3 else "")  # 今天就重开 顺丰寄过去: the next clause says what happens
                then_call = nxt.startswith("再") and bool(STRONG.search(nxt))  # 周五下午我查一下到账 再跟您说一声
                strong = bool(STRONG.search(scope)) or then_call or (
                    HANDOVER.search(prv + " " + inner + " " + nxt) is not None and TAKE_OVER.search(scope) is not None
                    and not ORDERED.search(x.text) and (TRIAL_UNIT.search(prv + " " + inner + " " + nxt) is not None
                                                        or STRONG.search(nxt) is not None))
                # (试用机已经备好了 下周一给您送过去 / 样件做好 下周二我们送过去 当面跟您过一下数据: a hand-over)
                if not strong and INVITE.search(x.text) and MEETING.search(scope) and not NOT_CONTACT.search(MEETING.sub("", scope)):
                    strong = True  # 周四我们开评审会 … 你们派人来讲一下: the rep presents at their meeting
                blocked = (not strong and NOT_CONTACT.search(scope)) or NOT_CONTACT.search(t.text) or (
                    _side(x) == "customer" and INTERNAL.search(inner) and not re.search(r"你们|您|贵司|腾讯会议|视频|电话|线上|你过来|你来", x.text))
                if plan is not None and plan.agreed and PERIOD_AFTER.match(t.text) \
                        and 0 <= (plan.value.date() - t.value.date()).days <= 7:
                    continue  # 25号上午十点 agreed … 年后当面跟您详细聊: the period restates the agreed day loosely
                if DEFER.search(x.text, *x.clause_at(t.start, t.end)):
                    continue  # 年后再说吧 (有需要我打你电话): the period is put off, whatever the next clause says
                if PERIOD_AFTER.match(t.text) and not BUSINESS.search(x.text) and (SOCIAL.search(inner + " " + nxt) or (
                        t.value.date() in social_days and not STRONG.search(scope))):
                    social_days.add(t.value.date())
                    continue  # 年后有空去拜访您 … 好 年后聊: a courtesy and its echo, no day agreed
                busy = BUSY_DAY.search(inner) is not None and not CONTACT.search(inner) and not INVITE.search(x.text) \
                    and not AROUND_MEETING.search(inner)  # (周一开完例会我给你回电话 / 下周一上午例会 你们过来讲一下)
                if CANCEL.search(inner) or REDIRECT.search(nxt) or busy:
                    if plan is not None and plan.value.date() == t.value.date():
                        plan, rescheduling = None, True  # 周四不行 / 后天放假了: the planned day is off
                        if t.has_time_of_day:
                            day_said = t  # 下周一上午我们有会 下午吧: only that part of the day is off
                    continue
                if not strong and PAY_TERMS.search(scope) and not VISIT_TALK.search(scope):
                    blocked = True  # 二期款按合同是见票后30天 (not 周四上午过去 对一下尾款)
                delivery = (DELIVERY.search(scope + " " + nxt) and not LOOK_AROUND.search(x.text)) or (ARRIVAL.search(inner) and not PERSON_VISIT.search(scope) and (
                        SHIPMENT.search(x.text) or (not STRONG.search(scope) and prev is not None and SHIPMENT.search(prev.text))))
                if delivery:
                    blocked = True  # 到之前司机会给您打电话: the delivery, not a contact
                if plan is not None and plan.agreed and THIRD_PARTY_CALL.search(x.text, *x.clause_at(t.start, t.end)):
                    continue  # 下个月初我再跟您确认到账 可以 … 我让售后今天联系您: the agreed call stands
                if not blocked and plan is not None and plan.agreed and LINK_SEND.search(scope) \
                        and t.value.date() < plan.value.date():
                    blocked = True  # 周三下午三点 agreed … 会议链接周二发您: sending the link, not the meeting
                if not blocked and goods_days.get(t.value.date()) == i - 1 and not CONTACT.search(inner) \
                        and len(PARTICLES.sub("", inner)) <= 1:
                    blocked = True  # 下周二上午到您那 (the truck) … 下周二 嗯 行: the delivery day restated in answer
                if blocked:
                    if delivery and not PERSON_VISIT.search(x.text):
                        goods_days[t.value.date()] = i
                    continue
                mentioned.setdefault(t.value.date(), _side(x))
                last_dated = (i, t)
                rest = PARTICLES.sub("", inner)
                contact = bool(CONTACT.search(inner)) or then_call or (len(rest) <= 3 and bool(CONTACT.search(nxt) or CONTACT.search(prv)))
                if t.kind == "deadline":
                    counter = plan is not None and plan.proposer != _side(x) and plan.mention.kind == "deadline" \
                        and DAY_NAMED.search(t.text) is not None and not t.has_time_of_day \
                        and not ARRIVE_AFTER.match(x.text, t.end) and not NOT_CONTACT.search(prv + " " + inner + " " + nxt)  # (交期 第一批九月底前到: a delivery)
                    if not REPLY_VERB.search(inner + nxt) and not counter and not (
                            t.has_time_of_day and DAY_NAMED.search(t.text) and ARRIVE.match(inner) and not GOODS.search(x.text)):
                        continue  # (今晚七点前到 with no goods in sight: someone arriving, a visit;
                        #            这周之内给您回复 … 周五之前吧: a counter-deadline)
                    contact = True  # 明天中午前给我最终价 / 周四之前给个答复: a promised reply
                time_only = len(rest) <= 1
                if time_only and not contact and not inner.strip() and DEADLINE_WORD.search(prv):
                    continue  # 投标截止是10月15号 国庆后 注意时间: the deadline said again
                if time_only and PERIOD_AFTER.match(t.text) and rest in ("见", "再见") and t.value.date() not in agreed_days and any(
                        SEASON_GREETING.search(y.text) for y in msgs[max(0, i - 3): i + 1]):
                    continue  # 给您拜个早年 … 年后见: a season's farewell
                if time_only and not contact and DEFER.search(x.text) and not _ack(x):
                    continue  # 下周三 嗯 … 等我问好了再跟你说吧: the day is repeated while it is put off
                if time_only and not contact and prev is not None and CONTACT.search(prev.text):
                    contact = True  # 1月8号可以吗 after 我们要去你们厂做预验收
                if RESCHED.search(inner):
                    contact = True
                if not contact and plan is not None and plan.proposer != _side(x) and TIME_QUESTION.search(inner):
                    contact = True  # 元旦后开个线上会 … 1月5号上午十点您看可以吗: a day offered for the plan
                if not contact and TIME_QUESTION.search(inner) and STRONG.search(x.text) or (
                        not contact and TIME_QUESTION.search(inner) and VISIT_IN_MESSAGE.search(x.text)):
                    contact = True  # 打完我亲自送过嚟 … 下个礼拜一 上昼得唔得: the day asked for that visit
                if not contact and not (time_only and (answering or plan is not None or rescheduling)):
                    continue
                value = t.value
                said_before = [u.value.date() for u in mentions if u.end <= t.start and DATE_WORD.search(u.text)
                               and not BARE_WEEKDAY.match(u.text)]
                anchor = latest_date or (max(said_before) if said_before else None)
                if BARE_WEEKDAY.match(t.text) and anchor is not None:  # 13号周六上午: the Saturday of the 13th
                    while value.date() < anchor:
                        value += timedelta(days=7)
                elif BARE_WEEKDAY.match(t.text) and plan is not None and plan.value.weekday() == value.weekday() \
                        and 0 < (plan.value.date() - value.date()).days <= 14:
                    value += plan.value.date() - value.date()  # 下礼拜三我再跟您确认 … 可以 礼拜三吧: that Wednesday
                if BARE_DAY.match(t.text) and month_anchor is not None and i - month_anchor[0] <= 2 \
                        and (month_anchor[1], month_anchor[2]) > (value.year, value.month):
                    try:  # 下个月中我过去 15号前后?: the 15th of the month just named
                        value = value.replace(year=month_anchor[1], month=month_anchor[2])
                    except ValueError:
                        pass
                # a deadline the other side set is agreed only once acknowledged (你们月底前给个回复 left unanswered)
                counter_q = (COUNTER_Q.search(inner) is not None or (QMARK.search(x.text, t.end) is not None
                                                                      and OWN_QUESTION.search(x.text, t.end) is None)) \
                    and not (prev is not None and OPEN_QUESTION.search(prev.text))
                agreed = (answering and t.kind != "deadline" and not counter_q) or (plan is not None and plan.proposer != _side(x) and not counter_q) \
                    or (rescheduling and _side(x) == "customer") \
                    or (plan is not None and plan.agreed and plan.value.date() == value.date()) \
                    or mentioned.get(value.date(), _side(x)) != _side(x) \
                    or value.date() in agreed_days  # the other side named this day first, or it was agreed already
                plan = Plan(x, t, value, bool(t.has_time_of_day), agreed, _side(x),
                            [x.evidence(t.start, t.end)], [t.explain or ""])
                new_plan = True
                latest_date = value.date()
            if vague:
                far = [t for t in ctx.times(x) if t.value is not None]
                other_time = plan is not None and plan.agreed and bool(far) and all(
                    abs((t.value.date() - plan.value.date()).days) > 30 or t.grain in ("quarter", "year") or "半年" in t.text
                    for t in far)  # (下半年还要再上一条 到时候再找你们: another deal, months away)
                if not other_time:  # 明年…到时候再找你 speaks of next year, not of the agreed call (a month off at least)
                    plan = None
                continue
            if plan is not None and x.speaker == "customer" and VISIT_USELESS.search(x.text):
                plan = None  # 明天是上班 但你来也没用: the day restated only to turn the visit down
                continue
            hedged = plan is not None and HEDGE.search(x.text) is not None and not ACCEPTS.search(x.text) and (
                not _ack(x) or OPEN_HEDGE.search(x.text) is not None)  # (好的 我确认下哪天有空 再跟您说 still leaves it open)
            if hedged and new_plan and HEDGE_RESTATED.search(x.text) and plan.msg is x and plan.proposer == _side(x) and plan.agreed and (
                    prev is None or _side(prev) != _side(x)):
                plan = None  # 下周一我看看时间 确定了跟你说: the day restated, left open
                continue
            if hedged and not new_plan and _side(x) != plan.proposer and (
                    not plan.agreed or (prev is not None and plan.msg is prev)):
                plan = None  # 周四行吗 … 我问问老板 / 周四吧 … 我看看能不能调一下 晚点回您: the day is left open
                continue
            if not new_plan and plan is not None and x is not plan.msg:
                if _side(x) != plan.proposer:
                    if any(t.value.date() == plan.value.date() and not DEFER.search(x.text, *x.clause_at(t.start, t.end))
                           for t in mentions) and (_ack(x) or not DEFER.search(x.text)):
                        plan.agreed = True  # 行 明天上午让他来 调好了再说尾款: the day restated, the 再说 is about the money
                        #                     (五一后再说吧 restates the day only to put it off)
                    elif DEFER.search(AFTER_MEETING.sub(" ", x.text)) or (not plan.agreed and PERIOD_DEFER.search(x.text)):
                        plan = None  # (先看了再说: the talk comes after the visit, which stands)
                    elif _ack(x) and first_reply(ctx, plan, x):
                        plan.agreed = True
                    elif not mentions and (_cancels(x.text) if plan.agreed else CANCEL.search(x.text)):
                        # an agreed visit survives a complaint (你们这质量真不行); a proposal answered with one is not agreed
                        plan = None
                elif DEFER.search(x.text):
                    plan = None
            if plan is not None and plan.agreed:
                agreed_days.add(plan.value.date())
            if latest_date is None:
                for t in mentions:
                    latest_date = max(latest_date or t.value.date(), t.value.date())
        if plan is None or not plan.agreed:
            return []  # an unanswered proposal is not an agreed follow-up: nothing to show
        if plan.has_time and plan.value.date() == plan.msg.m.time.date() and any(
                y.index > plan.msg.index and _side(y) == plan.proposer and y.m.time >= plan.value
                and not FAILED_CONTACT.search(y.text) for y in msgs):
            return []  # 今天下午给您回复 … (15:30) 我们领导同意了: the promised contact happened in the chat
        score = 0.9
        conf = plan.mention.confidence
        if conf is not None:
            # the same day named another way too (下下周三 … 5.27号周三): as sure as the surer one
            conf = max(float(conf), best_conf.get(plan.value.date(), 0.0))
            score *= min(1.0, max(0.3, conf))
        who = "客户" if plan.proposer == "customer" else "销售"
        ans = "对方已确认" if plan.agreed else "对方尚未明确答复"
        ev0 = plan.evidence[0]
        expl = (plan.mention.explain or "").strip()
        extra = ";".join(n for n in plan.notes[1:] if n)
        reason = f"{who}约定“{ev0.text}”再联系/见面,{ans}" + (f";{expl}" if expl else "") + (f";{extra}" if extra else "")
        return [suggestion("next_follow_up", _fmt(plan), score, plan.evidence, reason, SOURCE, _actions(ctx, plan),
                           agreed=plan.agreed, has_time=plan.has_time)]


def _actions(ctx: Ctx, plan: Plan) -> list[str]:
    text = " ".join(x.text for x in ctx.msgs[max(0, plan.msg.index - 3): plan.msg.index + 2])
    acts = []
    if re.search(r"样机|演示|demo|看设备|参观|来厂|试机|试模|打样|现场", text, re.I):
        acts.append("准备技术资料与样机演示")
    elif re.search(r"技术|总工|工艺|设备部|质量部", text):
        acts.append("准备技术方案与参数对比")
    if re.search(r"价格|报价|优惠|折扣|便宜|贵|让", text):
        acts.append("准备竞品对比与分期方案")
    if re.search(r"合同|条款|法务", text):
        acts.append("准备合同条款修改意见")
    if re.search(r"尾款|付款|发票|回款|质保金", text):
        acts.append("核对应收账款与开票信息")
    return acts[:2]
