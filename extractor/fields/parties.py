"""Who: customer_name, contact, decision_role — speaker-aware.

The rep's own company, colleagues and managers never become the customer, the
contact or a decision role. Known CRM names passed by the caller are matched with
rapidfuzz and win over names read from the text.
"""
from __future__ import annotations

import re

from extractor.fields.base import CLAUSE_SPLIT, Ctx, Msg, suggestion
from extractor.fields.lexicon import (ADDRESS, BUSINESS, COMPETITOR_BRANDS, LOGISTICS_ONLY, SOCIAL_ONLY, HONORIFIC_RE, NAMED_BRAND_CHARS, SURNAMES, SURNAME_RE,
                                      NOT_NAME_WORDS, PLACES, TITLE_RE, framed_company, parse_company, parse_loose)

# customer speaking of its own company: 我们永盛汽配主要做刹车盘 / 我是西航动力设备部经理 / 我哋迅捷电子
SELF_REF = re.compile(r"(?:我是|我们是|我们这边是|我这边是|这里是|我们|我們|我哋|我地|阿拉|我司|本公司|咱厂|我(?=[\u4e00-\u9fa5]{2,10}的))")
# what may follow a company the customer names at the start of a clause: 德凯汽车系统苏州这个抬头
# (the customer's site: 澜拓储能二号楼三楼会议室; a self-introduction: 康宁医疗的周经理 / 博远物流的 同事推荐的)
CLAUSE_CO_TAIL = re.compile(rf"(?:[\u4e00-\u9fa5]{{2}}(?=这个抬头|的抬头))?(?:这边|这里|这个抬头|的抬头|抬头"
                            rf"|[一二三四五六七八九十\d]+号?(?:楼|厂区|车间|门|栋)|厂区|总部|大楼|园区|门口|门卫"
                            rf"|的(?=$|[\s，,]|(?:{SURNAME_RE})(?:{HONORIFIC_RE})|小[\u4e00-\u9fa5]|同事|人))")
# a legal name: 全称是浙江精锐轴承有限公司 / 抬头写 苏州恒昱精工有限公司
LEGAL = re.compile(r"(?P<co>[\u4e00-\u9fa5]{4,24}?)(?:股份)?有限(?:责任)?公司")
LEGAL_CUT = re.compile(r".*(?:全称是|全称为|全称|抬头是|抬头写|抬头|名称是|名字是|开成了|开成|写成|写|是|为|叫|的|了|给|我们|你们)")
# a legal name after 给/为/帮 is the customer's own customer (我们给浙江万得凯…供货)
LEGAL_THEIRS = re.compile(r"(?:给|帮|替)$")  # (not 为: 全称为 / 抬头为 introduce the customer's own name)
# the rep addressing the customer's company: 请问是宏达汽配吗 / 是华晟汽车部件的俞总吗 / 贵司华锐 / 到你们恒通
REP_ADDR_LEAD = re.compile(r"(?:您(?:上次|之前|刚才)?(?:说|提到)的?|贵司|贵公司|你们|您们|咱们|您那边|到你们|(?:请问)?是(?:做[\u4e00-\u9fa5]{1,8}的)?|请问|到)")
# ... or opening a clause with it: 宏达精工那台磨床的验收款 / 永锋那边的尾款
REP_TOPIC_TAIL = re.compile(r"(?:那边|这边|[那这][两几一二三四五六七八九十\d]*(?:台|批|套|单|份|条)|那个项目|这个项目"
                            r"|的(?:合同|尾款|货款|款|项目|订单|方案|报价|设备|样件|测试|需求|[A-Z]{2,5}))")
REP_TOPIC_TAIL_NAMED = re.compile(r"那个|这个")
ADDR_TAIL = re.compile(r"(?:吗|吧|的|这边|那边|那台|这台|那批|这批|找您|拜访|厂里|公司)")
OTHER_SIDE = re.compile(r"那边|那家|报|的价|价格|家的|用的|做的|也|都")
THIS_SIDE = re.compile(r"这边|这里")
# pronouns, time words and verbs a frame can drag into a "name" (拉我们法务 / 今年刀具)
# a clause, a person or a function caught by a name frame (演示那天我叫上 / 采购这边 / 自己开 / 老板以前就 / 接替小王 / 经手)
NOT_A_NAME = re.compile(r"我|你|他们|她|咱们|自己|这边|那边|那天|这天|以前|以后|经手|接替|叫上|拉上|带上"
                        r"|^(?:今年|明年|去年|现在|目前|这次|上次|拉|给|让|跟|采购|老板|领导|财务|法务)")
FRAMED_DEPT_RE = re.compile(r"(?:部|科|室|处|办|中心|车间|产线|仓库|工厂|分厂)$|^(?:采购|技术|设备|工艺|生产|质量|品质|研发|财务|法务|销售|老板|领导)")
HANDED_TO = re.compile(r"(?:转给|交给|转|交)(?:我们|我们的)?\s*$")
# only told about it (我跟采购部王姐说一声 她一直在问): the function is informed, not shown acting
TOLD_BEFORE = re.compile(r"(?:跟|和)(?:我们)?$")
TOLD_AFTER = re.compile(r"(?:部)?[^，,。\s]{0,4}?(?:说一声|讲一声|打个招呼|知会一声)")
TOLD_THEN_ACTS = re.compile(r"付|打款|转账|批|审|签|安排|下单")
VENDOR_SIDE = re.compile(r"(?:你们|您们|贵司|你那边|您那边)")
PROCUREMENT_NOUN = re.compile(r"(?:下次|这次|本次|上次|每次|下回)采购(?!部|经理|的|那边|这边|员|专员|主管|中心|科|处)|(?:的|政府|集中|统一|年度|刀具|设备|物资|招标)采购|采购(?:流程|计划|项目|需求|清单|周期|合同|系统)")
FINANCE_EXECUTES = re.compile(r"(?:让|转给|交给|叫|转)(?:财务|財務)|(?:财务|財務)(?:那关|那關|要先|规定|制度|的?规矩|那边规定|(?:那边)?流程|见票|處?那边说)")
DISCLAIMS = re.compile(r"\s*(?:经理)?(?:说了不算|做不了主|定不了|管不了)")
# the function said to stay out of it (这种框架合同金额小 法务不审的): a veto the classifier cannot lift
NOT_INVOLVED = re.compile(r"\s*(?:一般|也|都|从来)?(?:不审|不管(?![多怎什哪是谁几啥])|不参与|不过问)(?!不)")  # (not 采购不管多少钱都要比三家)
# the function only later, or only for its routine (技术上的细节到时候我让车间主任跟你对 / 我们法务后面会过一遍 /
# 我们采购只管下单走流程): not yet taking part in this decision
LATER_BEFORE = re.compile(r"(?:到时候|后面|(?<![完了过])以后|回头|将来)[^，,。 ]{0,8}$")  # (not 样件测完以后技术说)
LATER_AFTER = re.compile(r"(?:部)?(?:那边)?(?:后面|以后|到时候)(?:会|再)|(?:部)?只管")
# evaluating only after the vendor's own test (样品到了你们先测 测完我们品质部再评), not 技术部再评估一下
AFTER_VENDOR_TEST = re.compile(r"(?:测|试|做)完(?:了|以后|之后)?(?:我们|咱们)?[^，,。\s]{0,2}$")
LATER_REVIEW = re.compile(r"(?:部)?(?:那边)?再评(?!估|审)")
# a function only sending papers over (图纸我让技术部发你邮箱 / 我让技术部发你): no evaluation shown
SENDS_ONLY = re.compile(r"\s*(?:那边|这边)?(?:发你|发您|发给你|发给您|传给你|传你)")  # (not 技术那边发过来的意见)
DN_PERSON_TAIL = re.compile(rf"(?:(?:采购|财务|技术|设备|销售|工艺)?(?:{SURNAME_RE})(?:{HONORIFIC_RE}|姐|哥)|(?:采购|财务|技术|设备|销售|工艺)(?:{SURNAME_RE}))$")
DN_ROLE_TAIL = re.compile(r"(?:采购|财务|技术|设备|工艺|生产|质量|品质|研发|法务|销售|项目)(?:部|经理|主管)?$")
# the customer naming its own company before what it does: 我们蜀香源做火锅底料的 / 我们宏途这边 / 我哋美廚即刻落單
SELF_NAMED = re.compile(r"(?:我们|我哋|我地|我司)(?P<co>[\u4e00-\u9fa5]{2,6}?)(?=这边|这块|是做|做|主要|专门|生产|即刻|马上|今年|明年|每年|一年"
                        r"|这条|那条|这几条|那几条|流程|给[\u4e00-\u9fa5]{1,4}做|这个项目|的项目|的(?:厂|工厂|车间|产线)"
                        r"|新厂|老厂|新工厂|是集团|的版本)")
# weaker frames (我们星辰卫星那几个部件 / 我们佳讯手机板产线 / 我们陇能明年二期): a demonstrative or a
# product word follows many things besides a name (我们小王手机号 / 我们最近这批货 / 我们酸奶那几个新品),
# so the span must also look like a trade name and be named again elsewhere in the chat
SELF_NAMED_WEAK = re.compile(r"(?:我们|我哋|我地|我司)(?P<co>[\u4e00-\u9fa5]{2,6}?)(?=那几个|那几台|那台|那批|这批|这几年|明年"
                             r"|[一二三四五六七八九十\d]+号?厂|[A-Za-z]{0,3}产线|手机|电动)")
WEAK_NOT_NAME = re.compile(rf"^(?:[小老阿](?:{SURNAME_RE})|(?:{SURNAME_RE})(?:{HONORIFIC_RE}|姐|哥|师傅))$|^(?:最近|前面|后面|剩下|上面|下面"
                           r"|下游|上游|客户|质检|这边|那边|现在|今年|去年|原来|以前|之前|自己|二号|一号|新的|老的)")
# what a span caught by SELF_NAMED holds when it is a department or a clause, not a name (质量部拿去 / 采购那边走)
SELF_NAMED_JUNK = re.compile(r"您|你|时候|部|采购|董事|老板|领导|经理|总监|车间|拿|走|看|说|很|去|来|那边|这边|要|买|设备|集团")
# characters that never sit inside a short trade name said this way (我们还在做 / 我们厂这条线)
SELF_NAMED_STOP = set("我你他她它们的是在了也都还就要想会能不这那个些有没很太再又才已让把被从到给和跟与对")
# the rep naming the customer's site or line: 听说美嘉这边那台机器 / 过去皖美讲方案 / 凯力那条壳体线
REP_SITE = re.compile(r"(?:听说|过去|发给)(?P<co>[\u4e00-\u9fa5]{2,6}?)(?=这边|那边|那条|这条|那台|这台|讲|那个项目)")
# the rep checking whom it reached: 华宇汽配的刘经理是吧
REP_CHECKS = re.compile(rf"(?:^|(?<=[\s，,]))(?P<co>[\u4e00-\u9fa5]{{2,8}}?)的(?=(?:{SURNAME_RE})(?:{HONORIFIC_RE})(?:是吧|吗|吧))")
# the rep asking whether it reached the company: 请问是陇原果蔬的吗 / 是智联通讯的采购负责人吗
REP_ASKS = re.compile(r"(?:请问|您好|你好)\s*是\s*(?P<co>[\u4e00-\u9fa5]{2,8}?)的(?=吗|采购|负责人|技术|设备|老板|厂长|[\u4e00-\u9fa5]{0,2}(?:经理|总|工|主任)吗)")
# explicit frames where any characters may form the name: 请问是华屹电子的王总吗 / 我是康泰生物质量部的 / 我鑫源光伏的 姓符
_ADDR = rf"(?:{SURNAME_RE})(?:{HONORIFIC_RE})"
REP_FRAME = re.compile(rf"是(?:做[^的，,。\s]{{1,8}}的)?(?P<co>[\u4e00-\u9fa5]{{2,12}}?)的(?={_ADDR})")
CUST_FRAME = re.compile(rf"我是(?P<co>[\u4e00-\u9fa5]{{2,14}}?)的|我(?![们是])(?P<co2>[\u4e00-\u9fa5]{{2,10}}?)的(?=\s|姓|[，,]|$|(?:{SURNAME_RE})[\u4e00-\u9fa5]{{1,2}}(?:[\s，,]|$))"
                        rf"|我们(?P<co4>[\u4e00-\u9fa5]{{2,6}}?)是(?:做|一家|专门|专业)"
                        rf"|(?:^|(?<=[\s，,。!！?？]))(?P<co3>[\u4e00-\u9fa5]{{2,12}}?)的(?={_ADDR})")


def _named_again(ctx, co: str, x, start: int) -> bool:
    """The name appears somewhere else in the chat (another message, a display name, or later in
    the same message): a trade name recurs, a product or a person caught by a weak frame rarely does."""
    for y in ctx.texts():
        i = y.text.find(co)
        while i >= 0:
            if not (y is x and i == start):
                return True
            i = y.text.find(co, i + 1)
        if co in (y.m.name or ""):
            return True
    return False


def _shares_brand(a: str, b: str) -> bool:
    return len(a) >= 2 and len(b) >= 2 and (a[:2] == b[:2] or a in b or b in a)


OWN_BEFORE = re.compile(r"我(?:是|们是|这边是)?(?P<co>[\u4e00-\u9fa5]{2,8}?)的?$")
CUST_OWN_BEFORE = re.compile(r"是(?P<co>[\u4e00-\u9fa5]{2,8}?)的$")
SMALL_NAME = re.compile(r"小[\u4e00-\u9fa5]")


def _name_positions(text: str, names: set[str], *, small: bool) -> list[int]:
    """Start offsets of any of the names (and of 小X forms) in the text."""
    pos = set()
    for n in names:
        i = text.find(n)
        while i >= 0:
            pos.add(i)
            i = text.find(n, i + 1)
    if small:
        pos |= {m.start() for m in SMALL_NAME.finditer(text)}
    return sorted(pos)


SELF_NAMED_NOT = {"这边", "那边", "公司", "工厂", "厂里", "车间", "老板", "领导", "主要", "现在", "目前", "今年", "去年", "一直",
                  "自己", "这个", "那个", "这里", "这块", "厂子", "单位", "集团", "总部", "内部", "平时", "之前", "以前", "原来"}
PRODUCT_MODIFIERS = {"新款", "老款", "新的", "商用", "民用", "家用", "工业", "医用", "车用", "数控", "铁路", "电梯", "精密", "高速", "全自动", "自动", "智能",
                     "覆盖", "收割", "户外", "毛绒", "湿法", "干法", "伺服", "石英", "药包", "球阀", "水泵", "不锈",
                     "一期", "二期", "三期", "公立", "私立", "民营",
                     "水性", "油性", "车载", "保温", "防水", "防腐", "耐磨", "阻燃", "钢结"}  # 水性涂料 / 车载电子 / 钢结构: products
# a department or a clause caught by a self-reference frame (我是测试部的 / 我们检验科 / 我们财务科已经 /
# 另外我拉了质量部的 / 我配个好点的 / 我们所里), not a company
NOT_A_NAME_TAIL = re.compile(r"(?:[部室处组]|所里|厂里|(?:检验|财务|设备|采购|技术|质量|信息|后勤|总务|器械|护理|药剂)科)$|了|个|已经|好点"
                             # a kind of institution or a batch, not a name (我们口腔医院正畸病人多 / 我们第一批数控车床)
                             r"|^(?:口腔|儿童|妇幼|中医|人民|肿瘤|眼科|专科|综合|社区|乡镇)?(?:医院|保健院|卫生院)$"
                             r"|^第?[一二两三四五六七八九十几\d]+[批台套期]"
                             # a stance, not a company (我是支持的 / 我是同意的)
                             r"|^(?:支持|同意|反对|赞成|负责|倾向|无所谓|没意见)$")
_PRODUCT_HEAD = set("机器轮芯池统路测线件板")
_NAME_SUFFIX_OK = ("电机", "机械", "机电", "机床", "电器", "电子", "仪器", "电路板厂")


def _short_brand(co: str) -> str | None:
    """A two- or three-character trade name that framed_company turns down only for an
    ordinary character inside it (富通, 乐童), said in a self-naming frame."""
    if 2 <= len(co) <= 3 and not any(c in SELF_NAMED_STOP for c in co) and not FRAMED_DEPT_RE.search(co) \
            and co not in PLACES and co not in NOT_NAME_WORDS and co not in SELF_NAMED_NOT:
        return co
    return None


def _productish(co: str) -> bool:
    """A product or a quantity phrase caught by a company frame (我们电芯 / 我们冰箱压缩机 /
    报价是含两台机器人的 / 我们商用厨具这块), not a trade name. A trade name leads with at
    least two characters of its own (德凯汽车系统, 信航柔性电路, 新聚能电池)."""
    from extractor.fields.industry import WORD_RE
    if co[:1] in "含带共约总每各该此其两一分" or co[:2] in PRODUCT_MODIFIERS:
        return True
    words = list(WORD_RE.finditer(co))
    if words and words[0].start() == 0:
        return True  # 电芯 / 风电 / 储能电池 / 冰箱压缩机 / 光伏边框
    if not words:
        return len(co) >= 3 and co[-1] in _PRODUCT_HEAD and not co.endswith(_NAME_SUFFIX_OK)  # 高光机 / 模仁检测
    return False


class CustomerName:
    """The customer company, from precise contexts only.

    A company is a run of trade-name characters (鑫源, 秦川航宇), optionally with an
    industry suffix (液压, 精密电子), said where it can only be the customer: the
    customer's self-reference (我们X / 我是X的), a legal name (全称 X有限公司), a bare
    name as a whole clause (东昊模具), or the rep addressing it (请问是X吗 / 贵司X /
    X那台设备的尾款). The rep's own company and known competitor brands never qualify.
    """
    name = "party-rules"

    @staticmethod
    def _references(ctx: Ctx) -> set[str]:
        """Plants named as the rep's references (the customer: 听说你们给华菱家电做过… / the rep: 我们也给
        宏达电子装过): a later 华菱那条线 from the rep is that plant, not this customer. A name the rep
        addresses as the customer (王总 去年给宏达精工装过一台 现在用得怎么样) is not a reference: only the
        customer's 你们给X and the rep's 也/还/同样给X count, and the customer's own naming is never blocked."""
        out = set()
        for x in ctx.texts():
            rx = REFERENCE_SERVED_CUST if x.speaker == "customer" else REFERENCE_SERVED_REP if x.speaker == "rep" else None
            if rx is None:
                continue
            for m in rx.finditer(x.text):
                pc = parse_loose(x.text, m.end())
                if pc and (REFERENCE_AFTER.match(x.text, pc[0])
                           or re.match(r"[\u4e00-\u9fa5]{0,6}(?:做过|装过|供过|用过|交付)", x.text[pc[0]:pc[0] + 8])):
                    out.add(pc[1])
        return out

    def _own(self, ctx: Ctx) -> set[str]:
        own = set(ctx.rep_company)
        names = {n for n in ctx.rep_names if n}
        alts = set(names) | {n[1:] for n in names if len(n) == 3} | {n[:2] for n in names if n[:2] in SURNAMES}
        alts |= {n[0] for n in names}
        if alts:
            # the rep's name (or 小X) right after a company: fixed patterns searched just before
            # each name occurrence, so no regex is compiled per rep
            for x in ctx.texts("rep"):
                for p in _name_positions(x.text, alts, small=True):
                    m = OWN_BEFORE.search(x.text, max(0, p - 12), p)
                    if m:
                        co = m.group("co")
                        pc = parse_company(co, 0)
                        own.add(pc[1] if pc else co)
            for x in ctx.texts("customer"):  # 是精测智能的欧阳经理吧
                for p in _name_positions(x.text, alts, small=False):
                    m = CUST_OWN_BEFORE.search(x.text, max(0, p - 12), p)
                    if m:
                        own.add(m.group("co"))
        for x in ctx.texts("customer"):  # the customer's 你们X is the rep's company
            for m in re.finditer(r"你们|您们|贵司|贵公司", x.text):
                pc = parse_company(x.text, m.end())
                if pc:
                    own.add(pc[1])
        for x in ctx.texts("rep"):  # 我们是迅驰物流科技 / 我是天衡激光的
            for m in re.finditer(r"我们是|我是|我们|我司", x.text):
                pc = parse_company(x.text, m.end())
                if pc:
                    own.add(pc[1])
        return {o for o in own if len(o) >= 2}

    def __call__(self, ctx: Ctx):
        own = self._own(ctx)
        cands: list[tuple[float, str, Msg, int, int, str]] = []

        refs = self._references(ctx)

        def add(score, co, x, s, why, legal=False):
            if any(_shares_brand(co, o) for o in own) or (
                    not legal and x.speaker != "customer" and any(_shares_brand(co, r) for r in refs)):
                return
            if not legal and (_productish(co) or NOT_A_NAME.search(co) or NOT_A_NAME_TAIL.search(co)):
                return  # a full legal name (奇瑞汽车股份有限公司) is a name whatever words it holds
            cands.append((score, co, x, s, s + len(co), why))

        for x in ctx.texts():
            t = x.text
            if x.speaker == "customer":
                for m in LEGAL.finditer(t):
                    raw = m.group("co")
                    c = LEGAL_CUT.match(raw)
                    co = raw[c.end():] if c else raw
                    if c and LEGAL_THEIRS.search(raw[:c.end()]):
                        continue
                    if 4 <= len(co) <= 16 and not any(b in co for b in COMPETITOR_BRANDS):
                        add(0.93, co, x, m.start("co") + (c.end() if c else 0), f"客户给出公司全称“{t[m.start('co') + (c.end() if c else 0):m.end()]}”",
                            legal=True)
                for m in SELF_REF.finditer(t):
                    pc = parse_loose(t, m.end())
                    if not pc:
                        continue
                    end, co, suffixed = pc
                    after = t[end:end + 3]
                    if m.group(0) == "我" and not t.startswith("的", end):
                        continue
                    if not suffixed and re.match(r"部|科|室|处|办|中心", t[end:end + 2]):
                        continue  # 我们安环部: a department
                    if not suffixed and (re.match(HONORIFIC_RE, after) or co[:1] in SURNAMES and co[:2] not in SURNAMES and len(co) == 2 and m.group(0) == "我是"):
                        continue  # 我是高经理 / 我是林强: a person, not a company
                    add(0.9 if suffixed else 0.82, co, x, m.end(), f"客户自称“{t[m.start():end]}”")
                for m in HEADER_NAME.finditer(t):  # 抬头写鑫达压铸模具 不用写全称
                    co = re.sub(r"(?:股份)?有限(?:责任)?公司$|公司$", "", m.group("co"))
                    if 2 <= len(co) <= 16 and not HEADER_NOT.search(co) and not any(b in co for b in COMPETITOR_BRANDS):
                        add(0.9, co, x, m.start("co"), f"客户要求抬头写“{m.group('co')}”", legal=True)
                for m in NUMBERED_INSTITUTE.finditer(t):  # 我们703所这边要用所里的模板
                    add(0.86, m.group("co"), x, m.start("co"), f"客户自称“{t[m.start():m.end()]}”", legal=True)
                for rx in (SELF_NAMED, SELF_NAMED_WEAK):
                    for m in rx.finditer(t):
                        co = framed_company(m.group("co")) or _short_brand(m.group("co"))
                        if not co or _productish(co) or co in SELF_NAMED_NOT or any(b in co for b in COMPETITOR_BRANDS) \
                                or SELF_NAMED_JUNK.search(co):
                            continue
                        if rx is SELF_NAMED_WEAK and (WEAK_NOT_NAME.search(co) or (
                                len(co) == 2 and not _named_again(ctx, co, x, m.start("co")) and co[0] not in NAMED_BRAND_CHARS)):
                            continue  # a two-character span must recur or open with a trade-name character
                        add(0.82, co, x, m.start("co"), f"客户自称“{t[m.start():m.end('co')]}”")
                for m in CUST_FRAME.finditer(t):
                    g = next(k for k in ("co", "co2", "co3", "co4") if m.group(k))
                    co = framed_company(m.group(g))
                    if co and not any(b in co for b in COMPETITOR_BRANDS):
                        add(0.84, co, x, m.start(g), f"客户自称“{t[m.start():m.end()]}”")
                for cs, ce in _clauses(t):
                    pc = parse_company(t, cs, bare=False)
                    if pc and (pc[0] == ce or CLAUSE_CO_TAIL.match(t, pc[0])):
                        # the whole clause is the name (东昊模具 你应该听说过吧) or its topic (X这边 / X这个抬头)
                        add(0.86, pc[1], x, cs, f"客户报出公司名“{t[cs:ce]}”")
                    elif pc and not OTHER_SIDE.match(t, pc[0]):
                        # a clause opening with the full name: 盛科电子手机后盖检测线的方案
                        add(0.8, pc[1], x, cs, f"客户提到公司“{t[cs:pc[0]]}”")
                for m in THIS_SIDE.finditer(t):  # 鼎诚这边合同马上就能走 / 要等天工这边的
                    for k in (6, 5, 4, 3, 2):
                        s0 = m.start() - k
                        if s0 < 0:
                            continue
                        pc = parse_company(t, s0)
                        if not (pc and pc[0] == m.start()):
                            pc = _suffixed(t, s0)  # 济安制药这边: a suffixed name whatever its trade-name characters
                        if pc and pc[0] == m.start() and (s0 == 0 or t[s0 - 1] not in NAMED_BRAND_CHARS):
                            add(0.8 if pc[2] else 0.74, pc[1], x, s0, f"客户说“{t[s0:m.end()]}”")
                            break
            elif x.speaker == "rep":
                for m in REP_FRAME.finditer(t):
                    if m.start() > 0 and t[m.start() - 1] in "我们就也还都不这那":
                        continue
                    co = framed_company(m.group("co"))
                    if co:
                        add(0.84, co, x, m.start("co"), f"销售称呼客户“{t[m.start():m.end() + 2]}”")
                for rx in (REP_SITE, REP_CHECKS):
                    for m in rx.finditer(t):
                        co = framed_company(m.group("co"))
                        if co and not _productish(co) and co not in SELF_NAMED_NOT and not SELF_NAMED_JUNK.search(co) \
                                and not any(b in co for b in COMPETITOR_BRANDS):
                            add(0.8, co, x, m.start("co"), f"销售提到客户“{t[m.start('co'):m.end('co') + 2]}”")
                for m in REP_MENTION_LEAD.finditer(t):  # 对接华盛包装新印刷开槽机的事 / 就是锦江纺织那两台空压机的尾款
                    pc = parse_loose(t, m.end())
                    if not pc or not pc[2] or len(pc[1]) < 4 or REFERENCE_BEFORE.search(t, max(0, m.start() - 6), m.end()) \
                            or REFERENCE_AFTER.match(t, pc[0]):
                        continue
                    add(0.76, pc[1], x, m.end(), f"销售提到客户“{t[m.end():pc[0]]}”")
                for m in REP_ASKS.finditer(t):
                    co = framed_company(m.group("co"))
                    if co and not _productish(co):
                        add(0.84, co, x, m.start("co"), f"销售询问是否“{t[m.start('co'):m.end('co')]}”")
                for m in REP_ADDR_LEAD.finditer(t):
                    if m.group(0).startswith("是") and m.start() > 0 and t[m.start() - 1] in "我们就也还都不这那就":
                        continue
                    strict = m.group(0) in ("到", "请问") or m.group(0).startswith("您")
                    pc = parse_company(t, m.end()) if strict else parse_loose(t, m.end())
                    if not pc:
                        continue
                    end, co, suffixed = pc
                    if not suffixed and not (ADDR_TAIL.match(t, end) or (end == len(t) and m.group(0) in ("你们", "贵司", "贵公司", "到你们"))):
                        continue
                    if m.group(0).startswith("您") and not suffixed:
                        continue
                    if m.group(0) == "到" and not (suffixed or re.match(r"找您|拜访|那边|这边|$", t[end:])):
                        continue
                    add(0.88 if suffixed else 0.8, co, x, m.end(), f"销售称呼客户公司“{t[m.start():end]}”")
                for cs, ce in _clauses(t):
                    pc = parse_company(t, cs)
                    if not (pc and REP_TOPIC_TAIL.match(t, pc[0])):
                        pc = _suffixed(t, cs) or pc  # 雅梦家纺那台绗缝机的尾款
                    if pc and (REP_TOPIC_TAIL.match(t, pc[0]) or (pc[2] and REP_TOPIC_TAIL_NAMED.match(t, pc[0]))):
                        end, co, suffixed = pc
                        add(0.86 if suffixed else 0.78, co, x, cs, f"销售提到客户“{t[cs:end + 2]}”")
        # the customer's display name often carries the company: 卓越五金-管总 / 锦程-财务部
        seen = set()
        for x in ctx.texts("customer"):
            dn = (x.m.name or "").strip()
            if not dn or dn in seen:
                continue
            seen.add(dn)
            at = WECOM_AT.fullmatch(dn) or DN_PAREN.fullmatch(dn) or _dn_person_and_company(dn, ctx)
            if at:  # 姓名@企业简称 (WeCom), 姓名(公司), 卢工-巴渝齿轮: the part beside the person is their company
                co = at.group("co").strip()
                hit = next(((y, y.text.find(co)) for y in ctx.texts() if co in y.text), None)
                # never a role, a status, a number, a place or an e-mail domain (王伟(采购) / 吴经理(13905551234) /
                # 张工(休假中) / 李总@上海 / 刘洋@gmail.com); a Latin-only part must also be named in the chat
                pl = parse_loose(co, 0)
                companyish = bool(pl and pl[2] and pl[0] == len(co))
                if 2 <= len(co) <= 12 and (companyish or hit or not DN_LATIN.fullmatch(co)) and DN_CO.fullmatch(co) \
                        and not DN_NOT_CO.search(co) \
                        and co not in PLACES and co not in NOT_NAME_WORDS and not DN_ROLE_TAIL.fullmatch(co) \
                        and not _productish(co) and not NOT_A_NAME.search(co) and not AT_NOT_CO.search(co) \
                        and not any(_shares_brand(co, o) for o in own) and not any(b in co for b in COMPETITOR_BRANDS):
                    y, i = hit if hit else (x, 0)
                    cands.append((0.86 if hit else 0.82, co, y, i, i + (len(co) if hit else min(len(x.text), 12)),
                                  f"客户企业微信名“{dn}”标明其企业“{co}”"))
                    continue
            raw_parts = [q for q in re.split(r"[-_—|·/\s（）()【】\[\]@]+", dn) if q]
            if not raw_parts:
                continue  # a display name of separators only
            # AAA鸿基建材王总13905xx / 盛达阀门林姐: a lone part counts once its person tail is off
            parts = [DN_PERSON_TAIL.sub("", re.sub(r"[0-9xX*]{4,}$", "", re.sub(r"^[A-Za-z0-9]+", "", q))) for q in raw_parts]
            single = len(raw_parts) < 2
            if single and parts[0] == re.sub(r"^[A-Za-z0-9]+", "", raw_parts[0]):
                continue  # nothing person-like to split off: a nickname, not a company
            person = any(re.fullmatch(rf"(?:{SURNAME_RE})(?:{HONORIFIC_RE})?|(?:{SURNAME_RE})[\u4e00-\u9fa5]{{1,2}}", q)
                         for q in re.split(r"[-_—|·/\s（）()【】\[\]]+", dn) if q)
            for p in parts:
                if not single and DN_PERSON.fullmatch(p) and not parse_company(p, 0, bare=False) \
                        and (any(q and not DN_PERSON.fullmatch(q) for q in parts)
                             or all(re.fullmatch(r"[A-Za-z&]{1,5}", r) for r in raw_parts if r != p)):
                    continue  # 鲁海波-康立医疗 / 卓敏-IT: the person's own name is not the company (华锐-王工: both could be)
                p = DN_ROLE_TAIL.sub("", p) if len(p) > 4 else p  # 华屹电子采购 → 华屹电子
                if not p:
                    continue
                pc = parse_company(p, 0)
                if single:
                    pc = pc if pc and pc[2] else parse_loose(p, 0)
                    if not (pc and pc[2]):
                        continue  # a lone part must carry an industry suffix to be a company
                if not (pc and pc[0] == len(p)) and person and len(p) >= 3 and framed_company(p) == p and not _productish(p) \
                        and any(p.startswith(pl) and len(p) > len(pl) + 1 for pl in PLACES):
                    pc = (len(p), p, False)  # 宁波拓远-岑: a place-prefixed company beside a person (not 王-阳光明媚)
                if pc and pc[0] == len(p):
                    hit = next(((y, y.text.find(pc[1])) for y in ctx.texts() if pc[1] in y.text), None)
                    y, i = hit if hit else (x, 0)
                    span = len(pc[1]) if hit else min(len(x.text), 12)
                    sc = (0.84 if pc[2] else 0.76) + (0.04 if hit else 0.0)
                    if not any(_shares_brand(pc[1], o) for o in own):
                        cands.append((sc, pc[1], y, i, i + span, f"客户微信名“{dn}”含公司名“{pc[1]}”"))
                    break
        if ctx.conv.known_customers and cands:
            from rapidfuzz import fuzz, process
            for i, (sc, co, x, s, e, why) in enumerate(cands):
                hit = process.extractOne(co, ctx.conv.known_customers, scorer=fuzz.partial_ratio)
                if hit and hit[1] >= 80:
                    cands[i] = (min(0.97, sc + 0.1), hit[0], x, s, e, why + f",与CRM已有客户“{hit[0]}”匹配")
        if any(WRONG_PARTY.search(x.text) for x in ctx.texts("customer")):
            cands = [c for c in cands if c[2].speaker == "customer"]  # 你打错了吧: the rep's guess was wrong
        self.last_candidates = cands  # for audits and tests
        if not cands:
            return []
        # several mentions of one company (东昊模具 … 东昊) support each other
        best = max(cands, key=lambda c: (c[0], len(c[1])))
        support = {c[2].index for c in cands if _shares_brand(c[1], best[1])}
        sc, co, x, s, e, why = best
        sc = min(0.97, sc + 0.03 * (len(support) - 1))
        ev = x.evidence(s, e)
        if ev.text and len(ev.text) == len(co) and ev.text != co and not ctx.conv.known_customers:
            co = ev.text  # as written in the chat (宏昇增压, not the normalised 宏升增压)
        if len(support) > 1:
            why += f",共{len(support)}条消息提到"
        return [suggestion("customer_name", co, sc, [ev], why, self.name)]


# the customer saying the rep reached the wrong party (你打错了吧 / 不是我们公司 / 我们不是华锐): the rep's
# guess at the name is dropped; not 不是我们不付 / 我们不是不想换 (a negated verb, not a denial of identity)
WRONG_PARTY = re.compile(r"打错|拨错|找错|不是我们(?:公司|单位|厂|家)(?![\u4e00-\u9fa5]{0,3}(?:的问题|的原因|的事))"
                         r"|我们不是(?![不没很太一说在要想用买嫌])[\u4e00-\u9fa5]{0,8}(?:公司|厂|那家)(?=$|[\s，,。!！?？吧啊])")


def _clauses(t: str):
    s = 0
    for m in CLAUSE_SPLIT.finditer(t):
        if m.start() > s:
            yield s, m.start()
        s = m.end()
    if s < len(t):
        yield s, len(t)


REAL_NAME = re.compile(rf"^(?:{SURNAME_RE})[\u4e00-\u9fa5]{{1,2}}$")
ADDRESS_FULL = re.compile(rf"^(?:{SURNAME_RE})(?:{HONORIFIC_RE}|生|太)$")
NICK_FORM = re.compile(rf"^[小老阿](?:{SURNAME_RE})$")
LATIN_NAME = re.compile(r"^[A-Z][a-z]{1,12}(?: [A-Z][a-z]{1,12})?$")
_TITLE = TITLE_RE.pattern
# 我是恒储能源项目部的付立新 / 我是声悦电子耳机事业部的工艺工程师王凯 / 我是盛和精工法务部的言律师
SELF_INTRO = re.compile(rf"我是(?:[^，,。！!？?\s]{{0,16}}?)的?(?P<title>{_TITLE})?"
                        rf"(?P<name>(?:{SURNAME_RE})(?:{HONORIFIC_RE}|[\u4e00-\u9fa5]{{1,2}}))(?![\u4e00-\u9fa5])"
                        rf"(?:\s*(?P<title2>{_TITLE})(?![\u4e00-\u9fa5]))?")
# 我是宏利泵业采购经理 / 我是这个项目的质量经理 / 我采购部的 (a department alone is no title)
SELF_TITLE = re.compile(rf"我是(?:[^，,。！!？?\s]{{0,16}}?)的?(?P<title>{_TITLE})(?![\u4e00-\u9fa5]{{0,1}}[\u4e00-\u9fa5]{{2}}(?:的|了))")
NAME_PARTICLE_END = re.compile(r"[的了吗呢啊吧呀么着]$")
DEPT_ONLY = re.compile(r"(?:采购|技术|设备|工艺|生产|质量|品质|研发|财务|工程|制造|项目)(?:部|中心|科|处)?")
def _norm_name(name: str) -> str:
    try:
        from extractor.normalize import normalize
        return normalize(name).text
    except Exception:  # pragma: no cover
        return name


def _display_person(name: str) -> tuple[str, float] | None:
    """A display name that names a person: (the name as displayed, score)."""
    raw = name.strip()
    n = _norm_name(raw)
    if len(set(n)) == 1 or (len(n) == 3 and n[1] == n[2]):
        return None  # 钱钱钱: a nickname
    if REAL_NAME.match(n) or ADDRESS_FULL.match(n):
        return raw, 0.85
    # Kevin王凯 / 卓越五金-管总 / 销售部-李娜 / 俞立新@中衡谱检: the person part of a composite display name;
    # the part before @ in WeCom's own format 姓名@企业简称 (CONTRACT) is as sure as a plain name
    parts = [p for p in re.split(r"[-_—|·/@＠\s（）()【】\[\]]+", re.sub(r"^[A-Za-z]+(?=[\u4e00-\u9fa5])", "", n)) if p]
    if len(parts) >= 1:
        for p in reversed(parts):
            if (REAL_NAME.match(p) or ADDRESS_FULL.match(p)) and not parse_company(p, 0):
                i = n.find(p)
                return (raw[i:i + len(p)] if raw != n and len(raw) == len(n) else p), \
                    0.85 if n[i + len(p):i + len(p) + 1] in ("@", "＠") else 0.8
    return None


def _addr_ok(text: str, start: int) -> bool:
    """An address form counts when it opens a clause or follows a polite lead-in (not 机台和师傅)."""
    if start == 0:
        return True
    prev = text[start - 1]
    if prev in "和跟与及或同给让叫":
        return False
    # a surname that is also a common word (和/同/向/于) inside a run of text: 机台和师傅
    return not (text[start] in "和同向于连方时关成从由" and "\u4e00" <= prev <= "\u9fa5")


def _known_contact(name: str, known: list[str]) -> str | None:
    """A CRM contact this name refers to: the same person written fully (王磊 for 王总 when
    only one known 王 fits), or a close spelling (rapidfuzz ratio ≥ 85)."""
    from rapidfuzz import fuzz, process
    if name in known:
        return name
    if len(name) >= 2 and name[-1:] in "总工姐哥董" or re.fullmatch(rf"(?:{SURNAME_RE})(?:{HONORIFIC_RE})", name):
        same = [k for k in known if k[:1] == name[:1] and not re.fullmatch(rf"(?:{SURNAME_RE})(?:{HONORIFIC_RE})", k)]
        return same[0] if len(same) == 1 else None
    hit = process.extractOne(name, known, scorer=fuzz.ratio)
    return hit[0] if hit and hit[1] >= 85 else None


class Contact:
    """The customer-side person the rep deals with.

    From the customer's display name when it names a person (李娜, 王总, Kevin王凯,
    卓越五金-管总), a self-introduction (我是…的付立新), or the form the rep
    addresses them by (柳总您好). Only on chats with business in them: holiday
    greetings, gifts, referrals and shipping notices record no contact.
    """
    name = "party-rules"

    def __call__(self, ctx: Ctx):
        rep_names = ctx.rep_names
        rep_surnames = {n[0] for n in rep_names if n}
        cust = [x for x in ctx.msgs if x.speaker == "customer"]
        if not cust:
            return []
        texts = [x.text for x in ctx.texts()]
        if any(SOCIAL_ONLY.search(t) or LOGISTICS_ONLY.search(t) for t in texts) and not any(BUSINESS.search(t) for t in texts):
            return []  # a holiday greeting or a shipping notice, not a deal
        rep_text = " ".join(x.text for x in ctx.texts("rep"))
        cands = []  # (score, name, (msg, start, end), why, speaker-name)
        counts: dict[str, int] = {}
        for x in cust:
            if x.m.name:
                counts[x.m.name.strip()] = counts.get(x.m.name.strip(), 0) + 1
        # 1. the customer's display name, when it names a person
        for dn, k in counts.items():
            if dn in rep_names:
                continue
            hit = _display_person(dn)
            nm, sc = hit if hit else (None, 0.0)
            n_dn = _norm_name(dn)
            if nm is None and NICK_FORM.match(n_dn) and dn in rep_text:
                nm, sc = dn, 0.75  # 小何, as the rep also calls them
            if nm is None and LATIN_NAME.match(dn) and dn.split()[0] in rep_text:
                nm, sc = dn, 0.78  # Kelly Zhang, greeted as Kelly
            if nm is None:
                continue
            ev = self._evidence(ctx, nm, dn)
            if ev is None:
                continue
            n_nm = _norm_name(nm)
            if re.fullmatch(r".(?:姐|哥)", n_nm):
                formal = [(y, m) for y in ctx.texts("rep") for m in ADDRESS.finditer(y.text)
                          if m.group(0)[0] == n_nm[0] and not m.group(0).endswith(("姐", "哥")) and _addr_ok(y.text, m.start())]
                if formal:
                    y, m = formal[0]
                    nm, ev = m.group(0), (y, m.start(), m.end())
            cands.append((sc + 0.01 * min(k, 5), nm, ev, f"客户的微信名“{dn}”是人名", dn))
        # 2. self-introductions: 我是…的付立新
        for x in cust:
            for m in SELF_INTRO.finditer(x.text):
                nm, nm_end = m.group("name"), m.end("name")
                if NAME_PARTICLE_END.search(nm):  # 我是采购部的王姐呀 → 王姐; 我是采购这边的 → 边 alone, no name
                    nm, nm_end = nm[:-1], nm_end - 1
                    if len(nm) < 2:
                        continue
                if nm in rep_names or parse_company(nm, 0):
                    continue
                cands.append((0.84, nm, (x, m.start("name"), nm_end), f"客户自我介绍“{x.text[m.start():nm_end]}”",
                              (x.m.name or "").strip()))
        # 3. how the rep addresses the customer: 柳总您好 / 付会计您好
        if not cands:
            addr: dict[str, list] = {}
            for y in ctx.texts("rep"):
                for m in ADDRESS.finditer(y.text):
                    a = m.group(0)
                    if a[0] in rep_surnames and any(a.startswith(r[0]) for r in rep_names if r):
                        continue
                    if not _addr_ok(y.text, m.start()):
                        continue
                    addr.setdefault(a, []).append((y, m.start(), m.end()))
            for y in ctx.texts("customer"):
                for m in re.finditer(rf"我是(?P<a>(?:{SURNAME_RE})(?:{HONORIFIC_RE})|(?:{SURNAME_RE})[\u4e00-\u9fa5]{{1,2}})(?![\u4e00-\u9fa5])", y.text):
                    addr.setdefault(m.group("a"), []).insert(0, (y, m.start("a"), m.end("a")))
            if addr:
                a, evs = max(addr.items(), key=lambda kv: len(kv[1]))
                cands.append((0.75 if len(evs) > 1 else 0.66, a, evs[0], f"销售称呼对方“{a}”", ""))
        if not cands:
            return []
        sc, nm, (y, s, e), why, who = max(cands, key=lambda c: c[0])
        title, title_ev = self._title(ctx, who, nm)
        if title and _norm_name(nm).endswith(title):
            title, title_ev = None, None  # 言律师: the title is already the address form
        evidence = [y.evidence(s, e)]
        if y.text[s:e] == nm and len(evidence[0].text) == len(nm) and evidence[0].text != nm:
            nm = evidence[0].text  # as written (許經理 in a Hong Kong chat, not the normalised 许经理)
        if title and title_ev:
            tx, ts, te = title_ev
            if (tx.index, ts, te) != (y.index, s, e):
                evidence.append(tx.evidence(ts, te))
            why += f",自我介绍职务“{title}”"
        if ctx.conv.known_contacts:
            known = _known_contact(nm, ctx.conv.known_contacts)
            if known:
                why += f",与CRM已有联系人“{known}”匹配"
                nm, sc = known, min(0.97, sc + 0.05)
        return [suggestion("contact", {"name": nm, "title": title}, sc, evidence, why, self.name)]

    @staticmethod
    def _evidence(ctx: Ctx, nm: str, dn: str):
        n = _norm_name(nm)
        for y in ctx.texts():
            i = y.text.find(n)
            if i >= 0:
                return (y, i, i + len(n))
        for y in ctx.texts("rep"):
            for m in ADDRESS.finditer(y.text):
                if m.group(0)[0] == n[0] and _addr_ok(y.text, m.start()):
                    return (y, m.start(), m.end())
        # the name is only the speaker's display name: their own first message is the evidence
        x = next((x for x in ctx.texts("customer") if (x.m.name or "").strip() == dn), None)
        if x is None:
            return None  # they never wrote anything (only images, voice, a recalled message)
        return (x, 0, min(len(x.text), 12))

    @staticmethod
    def _title(ctx: Ctx, who: str, nm: str):
        """A job title the contact states about themself (not a department alone)."""
        for x in ctx.texts("customer"):
            if who and (x.m.name or "").strip() != who:
                continue
            m = SELF_INTRO.search(x.text)
            if m and (m.group("title") or m.group("title2")):
                g = "title" if m.group("title") else "title2"
                t = m.group(g)
                if not DEPT_ONLY.fullmatch(t):
                    return t, (x, m.start(g), m.end(g))
            m = SELF_TITLE.search(x.text)
            if m:
                t = m.group("title")
                if not DEPT_ONLY.fullmatch(t):
                    return t, (x, m.start("title"), m.end("title"))
        return None, None


_ACT = r"(?:都|也|要|都要|也要|还|还是|已经|刚|那边|这边|的)?"
ROLE_PATTERNS = {
    # 质量/工艺/设备/技术部 → 技术; a bare 工艺 (工艺BOM, 工艺参数) is a topic, not a department
    "技术": r"技术部|技术总监|技术负责人|技术经理|技术主管|技术评估|技术委员会|技术那边|技术这边|技术的同事|技术的人"
            r"|工艺(?!BOM|bom|参数|路线|文件|卡|流程|要求|难度|上)|工艺工程师|设备工程师|质量工程师|品质工程师|质量经理|品质经理|研发总监|研发经理|研发中心|研发(?:几个人|的人|的同事|那边|这边|部门|团队)|我们(?:研发|工艺|质量|品质)(?!部)|工艺那边|工艺这边|工艺的人|工艺的同事|设备部|设备科|设备处|设备经理|设备的人|设备的同事|设备那边"
            r"|质量部|品质部|品管|质检部|总工|工程部|研发部|技术人员|我们工程师|厂里工程师|我们技术"
            r"|计量室|品保|质量(?:那边|这边|科|处|的人)|试模组|车间主任|工艺科|技术上(?:我这边)?(?:是)?通过|实验室|检测中心|测试组"
            r"|(?<![A-Za-z])(?:QA|IQC|OQC|SQE|IT)(?![A-Za-z])|测试部|总体室|生产部|生产(?:这边|那边)|安环部|信息部"
            r"|(?:设备|工艺|质量|品质|IT|生产|规划)(?:部|部门)?(?:和|跟|、)(?:设备|工艺|质量|品质|IT|生产|规划|技术)(?:部|部门)?(?:的人|的同事)?(?:都|也)",
    # 采购 as a party (采购部, 让采购下单, 跟采购谈); 走采购流程 / 走招标 only describe the process
    "采购": r"采购(?!流程|申请|系统|合同|订单|价|成本|量|额|计划|周期|的设备|设备|预算)|供应商准入",
    "老板": r"老板|老细|总经理|董事长|老总|一把手|大老板|董事会|总裁|老板娘|院长(?!办公会)|厂长(?=.{0,4}(?:拍板|签|定|批|同意))|(?<![A-Za-z])GM(?![A-Za-z])",
    # 财务 taking part in paying or approving; handing it paperwork (交财务, 财务要封账/备案) is not
    "财务": r"财务(?!要封账|封账|备案|要附|那边没法做)|会计|出纳|付款审批|CFO|账期审批",
    "法务": r"法务|律师|法律顾问|合同审核|合规部",
}
ROLE_RES = {k: re.compile(v) for k, v in ROLE_PATTERNS.items()}
OWN_SIDE = re.compile(r"我们(?:公司|这边)?的?(?:领导|经理|老板|法务|财务|技术|工程师|总经理)|我(?:们)?领导|我让我们|我跟我们|我司|跟我们")
# the owner shown deciding: approving, refusing, pausing, signing, setting the budget, evaluating this purchase
BOSS_DECIDES = re.compile(r"(?:老板|老细|老細|总经理|董事长|老总|一把手|董事会|总裁|院长|GM).{0,10}(?:同意|批|拍板|签|定|决定|不同意|否|说|话|要求|觉得|认可|审|犹豫|不批|要看|看|瞅|瞧|睇|过目|点头|暂停|先停|停一停|不想|不让|不肯|倾向|想|要上|开会|最多|上限|只给|发话|意思|点名|指定|选|亲自|抓|把关|嫌|用)|"
                          r"(?:等|让|要|请|找|报给|报|给|跟|就差|只差|还差|同)(?:我们)?(?:老板|老细|老細|总经理|董事长|老总|董事会).{0,6}(?:批|签|定|看|拍板|审|决定|同意|汇报|一齐|一起|回来)|"
                          r"(?:就差|只差|还差)(?:我们)?(?:老板|总经理|董事长)|(?:我|我自己)就是老板|"
                          r"(?:等|得等).{0,3}厂长.{0,3}(?:拍板|签|定|批)|在(?:我们)?老板(?:那|手上)")
PASSING = re.compile(r"(?:老板|老总|总经理|董事长).{0,8}(?:(?:去|在|参加).{0,4}(?:看展|展会)|出国|旅游|度假|以前(?:就)?在.{0,8}干过|去[^，,。 ]{1,4}(?:开会|出差))|"
                     r"(?:老板|老总).{0,8}(?:请你|请您)吃饭|(?:老板|老总).{0,3}(?:也)?(?:肯定不|估计不|不会)(?:批|同意)|(?:老板|老总|总经理|董事长)(?:在外地|.{0,3}(?:出差|不在|在外面|忙|去了|回来|要找我|找我))|老板.{0,12}回来|老板也提过|祝.{0,4}老板|老板好|推荐|介绍|"
                     r"(?:老板|老总).{0,2}(?:也)?不会批|(?:得|要)跟(?:我们)?老板(?:说|讲|汇报)")  # a verdict only predicted
# the boss away or on leave (老板这周在休年假 / 老细去咗旅行 / 老板人在越南看厂 / 老板也去广州了 / 老板在开年终总结会), the
# boss's belongings (老板的车借走了), a first look handed down (老板让我先来看看 觉得行再说): passing, unless a decision
# follows in the message (老板人在深圳 已经同意了 / 老板在开会 说这个价格批不了 / 老板也去现场看了 很满意)
BOSS_AWAY = re.compile(r"(?:老板|老总|总经理|董事长|老细).{0,6}(?:休(?:年)?假|旅行|去咗|人在|也去[^，,。 ]{1,4}了|在外地)|"
                       r"(?:老板|老总)的(?:车|家|孩子|儿子|女儿|朋友|亲戚)|(?:老板|老总|总经理|董事长).{0,4}在开[^，,。 ]{0,6}会|"
                       r"(?:老板|老总|总经理|老细).{0,2}(?:让|叫)(?:我)?先(?:来)?(?:看看|了解|问问|过来看)")
BOSS_THEN_ACTS = re.compile(r"同意|批|签|拍板|定了|(?<!再)说|话|要求|满意|不行|倾向|认可|点头|讨论|研究|睇|看了|试了|审")
# what a named function does right after it is named (采购这边走流程 / 技术那边测完了 / 法务提了两条意见);
# on train, 技术 and 采购 named with such a verb were a decision role 94% / 90% of the time, without one 76% / 74%
BOSS_THEN_DECIDES = re.compile(r"[\s，,]*(?:等)?(?:他)?(?:回来|回来后|回来了)?(?:就|再|才)?(?:签|定|批|拍板|决定)")
ROLE_ACTS = re.compile(r"谈|对接|下单|审|签|走(?!了|开|掉)|比价|比了|(?<![一再])定|觉得|嫌|要求|规定|参与|参加|评|测|验证|把关|(?<![你您])看|认|卡|同意|批|(?<![你您])说|提|过了|点头|"
                       r"跟你|跟您|找你|联系你|问|商量|反映|负责|管|拍板|确认|试|叫上|拉上|一起|(?:也|都)在(?![外家])|也来|陪同|带队|算|核|统计|听|验")
ACT_MATTERS = ("技术", "采购", "法务")


_SENTENCE_END = re.compile(r"[。！!？?；;]")  # not spaces or commas: 采购这边 已经走签批了 is one thought in chat


def _clause_end(t: str, start: int, limit: int) -> int:
    """Where the sentence starting before `start` ends, at most `limit` characters on
    (采购。走了: the verb of another sentence is not what 采购 does)."""
    m = _SENTENCE_END.search(t, start)
    return min(len(t), start + limit, m.start() if m else len(t))
# brought into the next meeting by the contact (我叫上采购部的戴经理 / 带上我们工艺的两个人 / 我同我哋工程部): taking part
ROLE_BROUGHT = re.compile(r"(?:叫上|拉上|带上|喊上|约上|我带|我叫|我拉|我同)(?:我们|我哋|咱们)?(?:一个|两个|几个|个)?的?$")
# the customer's own function speaking as a side (我们采购这边也没法往上报 / 我们技术这边是倾向你们的)
OUR_BEFORE = re.compile(r"(?:我们|我哋|咱们)[\u4e00-\u9fa5]{0,4}$")
SIDE_AFTER = re.compile(r"(?:部|部门)?(?:这边|那边|这块)")
WECOM_AT = re.compile(r"(?P<p>[^@]{1,12})@(?P<co>[^@]{2,16})")
# where the rep names the customer's company mid-sentence: at a clause start or after a frame word
REP_MENTION_LEAD = re.compile(r"(?:^|[\s，,。])(?:就是|给|对接|关于|咱们|上次给|上周给|上个月给)|(?:寄到|发到|送到)(?=[\u4e00-\u9fa5]{2,8}?(?:您那|你们那|那边|这边|了))"
                              r"|(?:过去|去)(?=[\u4e00-\u9fa5]{2,8}?(?:您那|你们那|现场|看现场|做))|咱们?(?=[\u4e00-\u9fa5]{2,10}?(?:那|这|的))")
REFERENCE_SERVED_CUST = re.compile(r"你们(?:之前|以前|去年|也|还)?(?:给|帮)")
REFERENCE_SERVED_REP = re.compile(r"(?:也|还|同样)(?:给|帮)|(?:像|比如|例如)(?=[\u4e00-\u9fa5]{2,8}(?:那|这|也|都|用))")
REFERENCE_BEFORE = re.compile(r"像|比如|例如|给过|做过|客户有|客户里|也给|也有|隔壁|同行")
# a reference customer the rep served (上个月给宏达电子装了一台同型号的), not this customer
REFERENCE_AFTER = re.compile(r"也|都|用的|用了|那样|一样|的客户|的人|装了|装过|调机|同型号|供过|做过|交付了|案例")
NUMBERED_INSTITUTE = re.compile(r"(?:我们|我們|我哋)(?P<co>[0-9]{2,4}(?:所|厂|院))")
HEADER_NAME = re.compile(r"抬头(?:要|就|请)?(?:写|是|开|改成|改为)?(?:成|为)?[:：]?\s*(?P<co>[\u4e00-\u9fa5A-Za-z]{2,22}?)(?=[\s，,。！!？?；;]|不用|就行|就好|的|$)")


PROCESS_HEADS = {"码垛", "焊装", "焊接", "搬运", "喷涂", "打磨", "装配", "上下", "协作", "分拣", "检测", "清洗", "包装", "切割",
                 "折弯", "冲压", "注塑", "涂胶", "点胶", "一期", "二期", "三期", "公立", "私立", "民营", "市级", "县级", "低压",
                 "高压", "激光", "视觉", "在线", "离线", "全自", "半自", "我们", "咱们", "你们", "车覆"}


HEADER_NOT = re.compile(r"全称|简称|我们|你们|咱们|错|对的|一致|问题|不对|有误|改|写|开|集团$|^(?:公司|单位|这个|那个|和|跟|要|也|还|就|都|没|不|少|多|缺|漏)"
                        r"|[一二两三四五六七八九十\d]个字")


def _suffixed(t: str, pos: int):
    """A company name with an industry suffix at a clause start `pos` (济安制药 / 雅梦家纺), trade-name
    characters not checked against the brand list, never a product or process phrase
    (低压铸造 / 码垛机器人 / 二期充电)."""
    if pos > 0 and t[pos - 1] not in " \t，,。！!？?；;:：":
        return None
    pc = parse_loose(t, pos)
    if pc and pc[2] and len(pc[1]) >= 4 and not _productish(pc[1]) and pc[1][:2] not in PRODUCT_MODIFIERS \
            and pc[1][:2] not in PROCESS_HEADS:
        return pc
    return None


DN_PAREN = re.compile(r"(?P<p>[^()（）]{1,12})[(（](?P<co>[^()（）]{2,16})[)）]")
DN_SPLIT = re.compile(r"\s*[-_—|·/\s]\s*")
DN_PERSON = re.compile(rf"(?:{SURNAME_RE})(?:{HONORIFIC_RE}|师傅|姐|哥|[\u4e00-\u9fa5]{{1,2}})|[A-Z][a-z]+(?: [A-Z][a-z]+)?|老[\u4e00-\u9fa5]|小[\u4e00-\u9fa5]")
DN_CO = re.compile(r"[\u4e00-\u9fa5A-Za-z]{2,12}")


def _dn_person_and_company(dn: str, ctx: Ctx):
    """卢工-巴渝齿轮 / 秦总 远东精锻 / 金刚机械 曹师傅: two parts, one a person; the other is the
    company when the chat also names it (a nickname beside a name — 王-阳光明媚 — is not)."""
    parts = [q for q in DN_SPLIT.split(dn.strip()) if q]
    if len(parts) != 2:
        return None
    for i in (0, 1):
        person, co = parts[i], parts[1 - i]
        if DN_PERSON.fullmatch(person) and not DN_PERSON.fullmatch(co) and DN_CO.fullmatch(co) \
                and not DN_ROLE_TAIL.fullmatch(co) and co not in NOT_NAME_WORDS \
                and any(co in y.text for y in ctx.texts()):
            return re.match(r"(?P<co>.+)", co)
    return None


DN_LATIN = re.compile(r"[A-Za-z]+")  # a Latin-only part (Jason@163 …) needs the chat to name it too
DN_NOT_CO = re.compile(r"老板|老总|总经理|董事长|采购|财务|技术|法务|销售|休假|请假|出差|在忙|离职|勿扰|已退|外出|会议中"
                       r"|^(?:IT|HR|QA|QC|IQC|OQC|PMC|ME|PE|EHS|PM|R&D|RD)$", re.I)
AT_NOT_CO = re.compile(r"(?:部|科|室|处|组|车间|中心|办)$|^(?:微信|企业微信|家|公司|工厂)$")
# the contact's own function, from how they are named: 付会计 / 采购部宁晓燕
ROLE_OF_NAME = {"财务": re.compile(r"会计|财务|出纳"), "采购": re.compile(r"采购"), "法务": re.compile(r"法务|律师")}


# papers or material routed to a function (直接寄到我们聚丰轴承采购部 / 寄给我们财务就行 / 收件人写采购部 /
# 资料发技术部邮箱): the function only receives them, never a role (guideline rulings 26, 27)
FINANCE_STANDING_RULE = re.compile(r"(?:部|那边|这边)?(?:有规定|规定|(?:每年|每月|年底|月底|年末|月末|一般|节前|年前)[^，,。 ]{0,6}封账)(?![前之])")
# (财务月底统一付 schedules this payment; 财务赶在封账前把这笔款付了 pays it: roles)
PAYS_NOW = re.compile(r"付|打款|安排|转账|走款")
GROUP_LEVEL = re.compile(r"集团(?:的|那边的?|总部的?)?$")
GROUP_IT = re.compile(r"IT|信息")
GROUP_EVALUATES = re.compile(r"测|评估|评审|审核|验证|把关")  # (集团IT定的 is a group mandate, 跟集团IT提一下 a pitch)
NO_SUCH_FUNCTION = re.compile(r"(?:没有|没|不设|无)(?:专门的?|专职的?|自己的)?$")
# … as a function (没有法务 合同我自己看 / 没有财务部), not a missing approval (没有老板签字 / 没采购同意 / 没有法务审核过的)
FUNCTION_END = re.compile(r"(?:部|部门|岗位|人员|的人)?(?:\s|[，,。!！?？]|$|[^\s，,。]{0,2}(?:自己|我们自己|都是))")
ROUTED_BEFORE = re.compile(r"(?:寄|邮|递|送|发|开|交)(?:到|给)(?:我们|咱们|我們)?[\u4e00-\u9fa5A-Za-z]{0,6}$|收件人(?:写|填|是)?(?:我们)?$|抄送(?:一下|一份)?(?:给)?(?:我们|咱们)?[\u4e00-\u9fa5]{0,4}$")
ROUTED_AFTER = re.compile(r"(?:部|科|处)?(?:[\u4e00-\u9fa5]{1,3}会计)?(?:邮箱|收件|就行|就可以|地址|[\s，,]*收件人|\s?收(?=\s|$|[，,。]))")
# a boss explicitly out of this decision, said of the boss mention itself (这种二十万以内的我自己就能批 不用报老板 /
# 老板一般不管 / 这摊事我管): not 不用找别家了 老板已经批了, 老板他自己定, 这事我管不了 得老板拍板
BOSS_WORD = r"(?:老板|老总|总经理|董事长)"
BOSS_OUT_AT = re.compile(rf"(?:不用|不需要|不必)(?:报|找|请示|问|经过|报给|等)(?:我们)?{BOSS_WORD}|{BOSS_WORD}(?:他)?(?:一般|平时|基本)?(?:不管|不过问|不插手)")
BOSS_ALREADY = re.compile(r"已经|签|批|同意|说|定|拍板")
SPEAKER_IS_BOSS = re.compile(r"就是老板|我是老板|我就是")
BOSS_OUT_NEAR = re.compile(r"我自己(?:就能|能|就可以|可以)?(?:批|定|做主)|(?:这摊事|这事|这块)我管(?![不没])|(?<!老板)(?<!老板 )我说了算")





def _boss_out(t: str, s: int, e: int, cs: int, ce: int) -> bool:
    """The boss mention at t[s:e] is explicitly kept out of this decision: a pattern naming that
    boss (不用报老板), or the speaker deciding alone in the same clause, unless the speaker is the
    boss (我自己就是老板 这事我说了算); 这事我管不了 得老板拍板 is no such pattern."""
    for m in BOSS_OUT_AT.finditer(t, max(0, s - 8), min(len(t), e + 8)):
        if m.start() <= s < m.end():
            if "等" in m.group(0) and BOSS_ALREADY.search(t, e, min(len(t), e + 14)):
                continue  # 不用等老板了 他昨天已经签字了: no need to wait because the boss has decided
            return True
    lo = max(0, cs - 14)
    if SPEAKER_IS_BOSS.search(t, lo, ce):
        return False
    return bool(BOSS_OUT_NEAR.search(t, lo, min(len(t), ce + 12)))


class DecisionRoles:
    """Customer-side functions shown taking part (evaluating, approving, paying, reviewing).

    Role words count in the customer's messages, or in the rep's when said of the customer
    (您那边财务 / 你们法务审完了吧); never the rep's own people, never a boss mentioned in
    passing (老板出差了 / 老板上周刚回来) or a referral (设备部的老赵推荐我).
    """
    name = "party-rules"
    REP_SCORE = 0.6
    CONVINCED = 0.75  # candidates below this are hints (a role word with nothing done): kept, scored lower

    def __call__(self, ctx: Ctx):
        out: dict[str, tuple[float, Msg, int, int, str]] = {}
        vetoed: dict[str, tuple[float, Msg, int, int, str]] = {}
        absent: set[str] = set()  # functions the customer says it does not have

        def put(role, score, x, s, e, why):
            if role not in out or out[role][0] < score:
                out[role] = (score, x, s, e, why)

        for x in ctx.texts():
            if x.speaker not in ("rep", "customer"):
                continue
            for role, rx in ROLE_RES.items():
                for m in rx.finditer(x.text):
                    s, e = m.start(), m.end()
                    cs, ce = x.clause_at(s, e)
                    near = x.text[max(0, s - 3): e + 4]
                    excluded = (
                        (role == "采购" and PROCUREMENT_NOUN.search(near))  # 刀具采购 / 走政府采购: the activity
                        or (role == "财务" and FINANCE_EXECUTES.search(near))  # 我让财务这周付了 / 财务那关: a rule
                        or DISCLAIMS.match(x.text, e, min(len(x.text), e + 8))  # 我这个设备部经理说了不算
                        or DISCLAIMS.match(x.text, e + 2, min(len(x.text), e + 10))
                        or (role == "技术" and SENDS_ONLY.match(x.text, e))
                        or (role != "老板" and (LATER_BEFORE.search(x.text, max(0, s - 10), s) or LATER_AFTER.match(x.text, e)))
                        or (role != "老板" and AFTER_VENDOR_TEST.search(x.text, max(0, s - 8), s) and LATER_REVIEW.match(x.text, e))
                        or (role != "老板" and TOLD_BEFORE.search(x.text, max(0, s - 4), s) and TOLD_AFTER.match(x.text, e)
                            and not TOLD_THEN_ACTS.search(x.text, e, min(len(x.text), e + 24)))
                        or (x.speaker == "customer" and (HANDED_TO.search(x.text, max(0, s - 6), s)  # 我转给财务了
                                                         or VENDOR_SIDE.search(x.text, max(0, s - 4), s))))  # 去你们实验室
                    if x.speaker == "customer" and role != "老板" and NO_SUCH_FUNCTION.search(x.text, max(0, s - 8), s) \
                            and FUNCTION_END.match(x.text, e):
                        vetoed[role] = (0.02, x, s, e, f"客户说没有“{x.text[s:e]}”")
                        absent.add(role)
                        continue  # 我们小公司 没有法务 合同我自己看: whoever else names it
                    if x.speaker == "customer" and NOT_INVOLVED.match(x.text, e):
                        vetoed.setdefault(role, (0.02, x, s, e, f"客户说“{x.text[s:e]}”不参与"))
                        continue
                    if role == "技术" and GROUP_IT.match(x.text, s) and GROUP_LEVEL.search(x.text, max(0, s - 4), s) \
                            and not GROUP_EVALUATES.search(x.text, e, _clause_end(x.text, e, 14)):
                        # 信息系统都要经过集团IT / 跟集团IT讲一遍: the group's IT to be pitched (guideline §9 ✘ 集团IT);
                        # 集团IT的阮工在测你们的接口 / 集团研发中心在评估 evaluate, and stay roles
                        continue
                    if x.speaker == "customer" and role == "财务" and FINANCE_STANDING_RULE.match(x.text, e) \
                            and not PAYS_NOW.search(x.text, e, ce):
                        vetoed.setdefault(role, (0.02, x, s, e, f"客户提到“{x.text[s:e]}”的常规制度,不是此笔付款的决策"))
                        continue  # 我们财务每年十二月中就封账 / 财务有规定 见票后六十天付: a standing rule, not this payment
                    if excluded:
                        # not a veto: the classifier may still find the function acting in another message
                        # (as vetoes these cost 26 true roles on train+dev for no precision gained)
                        continue
                    if PASSING.search(x.text, cs, ce) and (role == "老板" or re.search("推荐|介绍", x.text[cs:ce])) \
                            and not BOSS_THEN_DECIDES.match(x.text, ce):  # (老板去集团开会了 回来就签字 decides)
                        continue
                    away = BOSS_AWAY.search(x.text, cs, ce) if role == "老板" else None
                    if away and not BOSS_THEN_ACTS.search(x.text, away.end()) and not BOSS_THEN_DECIDES.match(x.text, ce):
                        continue
                    if x.speaker == "customer" and (
                            (role != "老板" and (ROUTED_BEFORE.search(x.text, max(0, s - 12), s) or ROUTED_AFTER.match(x.text, e))
                             and not ROLE_ACTS.search(x.text, e, _clause_end(x.text, e, 14)))
                            or (role == "老板" and _boss_out(x.text, s, e, cs, ce))):
                        # explicitly not taking part: kept as a veto, so the classifier cannot lift the mention
                        vetoed.setdefault(role, (0.02, x, s, e, f"客户提到“{x.text[s:e]}”但只是收件方或不参与此决策"))
                        continue
                    if x.speaker == "rep":
                        if OWN_SIDE.search(x.text[max(0, s - 8): e]):
                            continue  # the rep's own people are never the customer's decision chain
                        if not re.search(r"您|你们|贵司|贵公司|您那边|你那边|您们", x.text[max(0, s - 10): e + 4]):
                            continue
                        put(role, self.REP_SCORE, x, s, e, f"销售提到客户方“{x.text[s:e]}”")
                    elif role == "老板" and not BOSS_DECIDES.search(x.text, max(0, cs - 6), min(len(x.text), ce + 10)):
                        # a boss named without approving, refusing, pausing or budgeting (没法跟老板交代, 老板只看总价)
                        put(role, 0.5, x, s, e, f"客户提到“{x.text[s:e]}”")
                    elif role in ACT_MATTERS and not ROLE_ACTS.search(x.text, e, _clause_end(x.text, e, 14)) \
                            and not ROLE_BROUGHT.search(x.text, max(0, s - 6), s) \
                            and not (OUR_BEFORE.search(x.text, max(0, s - 6), s) and SIDE_AFTER.match(x.text, e)):
                        # 技术/采购/法务 named without doing anything (我是采购部的 你说 / 实验室): far less often a role
                        put(role, 0.72, x, s, e, f"客户提到“{x.text[s:e]}”")
                    else:
                        put(role, 0.85 if role in ACT_MATTERS else 0.8, x, s, e, f"客户提到“{x.text[s:e]}”参与决策")
        # the contact's own function, from the name they go by (付会计, 采购部宁晓燕) or the rep's address (庞会计早)
        for x in ctx.texts("customer"):
            nm = x.m.name or ""
            for role, rx in ROLE_OF_NAME.items():
                if rx.search(nm) and (role not in out or out[role][0] < 0.8):
                    put(role, 0.8, x, 0, min(len(x.text), 10), f"客户的微信名“{nm}”表明其为{role}")
        for y in ctx.texts("rep"):
            for m in ADDRESS.finditer(y.text):
                a = m.group(0)
                for role, rx in ROLE_OF_NAME.items():
                    if rx.search(a[1:]) and _addr_ok(y.text, m.start()) and (role not in out or out[role][0] < 0.78):
                        put(role, 0.78, y, m.start(), m.end(), f"销售称呼客户“{a}”,对方是{role}")
        for role, v in vetoed.items():
            if role not in out or (role in absent and not (out[role][0] >= self.CONVINCED and out[role][1] is not v[1])) \
                    or (out[role][0] < self.CONVINCED and out[role][1] is v[1]):
                out[role] = v  # a hint in the same message as an explicit non-part stays out
        return [suggestion("decision_role", role, score, [x.evidence(s, e)], why, self.name,
                           **({"veto": True} if (role in vetoed and out[role] is vetoed[role]) else {}))
                for role, (score, x, s, e, why) in out.items()]
