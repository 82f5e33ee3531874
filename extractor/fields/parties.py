"""Who: customer_name, contact, decision_role — speaker-aware.

The rep's own company, colleagues and managers never become the customer, the
contact or a decision role. Known CRM names passed by the caller are matched with
rapidfuzz and win over names read from the text.
"""
from __future__ import annotations

import re

from extractor.fields.base import Ctx, Msg, suggestion
from extractor.fields.lexicon import (ADDRESS, COMPANY, GENERIC_COMPANY, HONORIFIC_RE, NOT_BRAND, SURNAMES,
                                      SURNAME_RE, SUFFIX_RE, TITLE_RE, clean_company)

# customer-side introductions: 我们永盛汽配主要做刹车盘 / 我是西航动力设备部经理雷鸣
CUST_INTRO = re.compile(rf"(?:我们|我们是|我是|我这边是|这里是|我们这边是|我们公司|我司)(?:公司)?(?P<co>[\u4e00-\u9fa5A-Za-z]{{2,8}}?(?:{SUFFIX_RE}))")
# rep addressing the customer's company: 请问是森达钣金的柳总吗 / 贵司华锐
REP_ADDR = re.compile(rf"(?:是|贵司|贵公司|你们|您们|咱们)(?P<co>[\u4e00-\u9fa5]{{2,6}}?(?:{SUFFIX_RE}))(?:的|这边|那边|吗|$)")


def _valid_company(co: str, own: set[str]) -> bool:
    co = clean_company(co)
    if len(co) < 3 or co in GENERIC_COMPANY:
        return False
    if co[0] in NOT_BRAND or co[:2] in ("我们", "你们", "他们", "这个", "那个", "一个", "什么", "这边", "那边", "其他", "别的"):
        return False
    return not any(co.startswith(o[:2]) for o in own if len(o) >= 2)


class CustomerName:
    name = "party-rules"

    def __call__(self, ctx: Ctx):
        own = ctx.rep_company
        cands: list[tuple[float, str, Msg, int, int, str]] = []
        for x in ctx.texts():
            if x.speaker == "customer":
                for m in CUST_INTRO.finditer(x.text):
                    co = clean_company(m.group("co"))
                    if _valid_company(co, own):
                        s = m.start("co") + m.group("co").find(co)
                        cands.append((0.85, co, x, s, s + len(co), f"客户自我介绍“{x.text[m.start():m.end()]}”"))
                for m in COMPANY.finditer(x.text):
                    co = clean_company(m.group("co"))
                    if _valid_company(co, own) and not any(c[1] == co for c in cands):
                        s = m.start("co") + m.group("co").find(co)
                        cands.append((0.55, co, x, s, s + len(co), f"客户提到公司“{co}”"))
            elif x.speaker == "rep":
                for m in REP_ADDR.finditer(x.text):
                    co = clean_company(m.group("co"))
                    if _valid_company(co, own):
                        s = m.start("co") + m.group("co").find(co)
                        cands.append((0.8, co, x, s, s + len(co), f"销售称呼客户公司“{x.text[m.start():m.end()]}”"))
        if ctx.conv.known_customers and cands:
            from rapidfuzz import fuzz, process
            for i, (sc, co, x, s, e, why) in enumerate(cands):
                hit = process.extractOne(co, ctx.conv.known_customers, scorer=fuzz.partial_ratio)
                if hit and hit[1] >= 80:
                    cands[i] = (min(0.97, sc + 0.1), hit[0], x, s, e, why + f",与CRM已有客户“{hit[0]}”匹配")
        if not cands:
            return []
        sc, co, x, s, e, why = max(cands, key=lambda c: c[0])
        return [suggestion("customer_name", co, sc, [x.evidence(s, e)], why, self.name)]


REAL_NAME = re.compile(rf"^(?:{SURNAME_RE})[\u4e00-\u9fa5]{{1,2}}$")
ADDRESS_FULL = re.compile(rf"^(?:{SURNAME_RE})(?:{HONORIFIC_RE})$")
SELF_INTRO = re.compile(rf"我是(?:[\u4e00-\u9fa5]{{2,10}}?(?:{SUFFIX_RE}))?(?P<title>{TITLE_RE.pattern})?(?P<name>(?:{SURNAME_RE})[\u4e00-\u9fa5]{{1,2}})")
SELF_TITLE = re.compile(rf"我是(?:[\u4e00-\u9fa5]{{2,10}}?(?:{SUFFIX_RE}))?(?:的)?(?P<title>{TITLE_RE.pattern})")


def _display_name_ok(name: str) -> bool:
    name = name.strip()
    return bool(REAL_NAME.match(name) or ADDRESS_FULL.match(name))


class Contact:
    name = "party-rules"

    def __call__(self, ctx: Ctx):
        rep_names = ctx.rep_names
        rep_surnames = {n[0] for n in rep_names if n}
        cust = [x for x in ctx.msgs if x.speaker == "customer"]
        if not cust:
            return []
        cands = []  # (score, name, title, evidence-msg, start, end, why)
        # 1. the customer's display name, when it is a person's name or an address form
        names = {}
        for x in cust:
            if x.m.name:
                names.setdefault(x.m.name.strip(), x)
        title = None
        title_ev = None
        for x in cust:
            m = SELF_INTRO.search(x.text) or SELF_TITLE.search(x.text)
            if m and m.group("title"):
                t = m.group("title")
                if not re.fullmatch(r"(?:采购|技术|设备|工艺|生产|质量|品质|研发|财务|工程|制造|项目)(?:部|中心|科|处)?", t):
                    title, title_ev = t, (x, m.start("title"), m.end("title"))
        for nm, x in names.items():
            if _display_name_ok(nm) and nm not in rep_names:
                # evidence: where the name (or its surname+honorific) appears in text, else the first message
                ev = None
                for y in ctx.texts():
                    i = y.text.find(nm)
                    if i >= 0:
                        ev = (y, i, i + len(nm))
                        break
                if ev is None:
                    for y in ctx.texts("rep"):
                        m = ADDRESS.search(y.text)
                        if m and m.group(0)[0] == nm[0]:
                            ev = (y, m.start(), m.end())
                            break
                if ev is None:
                    ev = (x, 0, min(len(x.text), 12))
                cands.append((0.85, nm, ev, f"客户的微信名“{nm}”是人名"))
        # 2. how the rep addresses the customer: 柳总您好 / 付会计您好
        if not cands:
            counts: dict[str, list] = {}
            for y in ctx.texts("rep"):
                for m in ADDRESS.finditer(y.text):
                    a = m.group(0)
                    if a[0] in rep_surnames and any(a.startswith(r[0]) for r in rep_names if r):
                        continue
                    counts.setdefault(a, []).append((y, m.start(), m.end()))
            for y in ctx.texts("customer"):
                for m in re.finditer(rf"我是(?P<a>(?:{SURNAME_RE})(?:{HONORIFIC_RE})|(?:{SURNAME_RE})[\u4e00-\u9fa5]{{1,2}})", y.text):
                    counts.setdefault(m.group("a"), []).insert(0, (y, m.start("a"), m.end("a")))
            if counts:
                a, evs = max(counts.items(), key=lambda kv: len(kv[1]))
                y, s, e = evs[0]
                cands.append((0.75 if len(evs) > 1 else 0.65, a, (y, s, e), f"销售称呼对方“{a}”"))
        if not cands:
            return []
        sc, nm, (y, s, e), why = max(cands, key=lambda c: c[0])
        evidence = [y.evidence(s, e)]
        if title and title_ev:
            tx, ts, te = title_ev
            evidence.append(tx.evidence(ts, te))
            why += f",自我介绍职务“{title}”"
        return [suggestion("contact", {"name": nm, "title": title}, sc, evidence, why, self.name)]


ROLE_PATTERNS = {
    "技术": r"技术部|技术总监|技术负责人|技术经理|技术主管|技术评估|技术那边|技术这边|技术的同事|工艺|设备部|设备科|设备处|设备经理|质量部|品质部|品管|质检部|总工|工程部|研发部|技术人员|我们工程师|厂里工程师",
    "采购": r"采购部|采购经理|采购主管|采购总监|采购那边|采购这边|采购流程|采购申请|采购系统|采购的同事|采购来|采购走|采购审批|招标|比价|供应商准入|我们采购|我负责采购|采购拍板|采购部门",
    "老板": r"老板|总经理|董事长|老总|一把手|大老板|董事会|总裁|老板娘|厂长拍板|GM",
    "财务": r"财务|会计|出纳|付款审批|财务部|财务总监|CFO|账期审批",
    "法务": r"法务|律师|法律顾问|合同审核|合规部",
}
ROLE_RES = {k: re.compile(v) for k, v in ROLE_PATTERNS.items()}
OWN_SIDE = re.compile(r"我们(?:公司|这边)?的?(?:领导|经理|老板|法务|财务|技术|工程师)|我(?:们)?领导|我让我们|我跟我们|我司")
PASSING = re.compile(r"老板.{0,3}(?:出差|不在|在外面|忙|去了|回来)|祝.{0,4}老板|老板好")


class DecisionRoles:
    name = "party-rules"

    def __call__(self, ctx: Ctx):
        out = {}
        for x in ctx.texts():
            for role, rx in ROLE_RES.items():
                for m in rx.finditer(x.text):
                    s, e = m.start(), m.end()
                    window = x.text[max(0, s - 6): e + 6]
                    if x.speaker == "rep":
                        # the rep's own people are never the customer's decision chain
                        if OWN_SIDE.search(x.text[max(0, s - 8): e]):
                            continue
                        if not re.search(r"您|你们|贵司|贵公司|您那边|你那边|您们", x.text[max(0, s - 10): e + 4]):
                            continue
                        score = 0.6
                    elif x.speaker == "customer":
                        if OWN_SIDE.search(x.text[max(0, s - 8): e]) and not re.search(r"我们(?:公司|这边)?的?" + role, window):
                            pass
                        score = 0.8
                    else:
                        continue
                    if role == "老板" and PASSING.search(window):
                        continue
                    if role == "财务" and x.speaker == "customer" and x.m.name and re.search(r"会计|财务|出纳", x.m.name):
                        score = 0.85
                    if role not in out or out[role][0] < score:
                        out[role] = (score, x, s, e)
        # the customer speaking as 财务/采购 (付会计, 采购部宁晓燕) is that role
        for x in ctx.texts("customer"):
            nm = x.m.name or ""
            if re.search(r"会计|财务|出纳", nm) and "财务" not in out:
                out["财务"] = (0.8, x, 0, min(len(x.text), 10))
        res = []
        for role, (score, x, s, e) in out.items():
            who = {"customer": "客户", "rep": "销售"}[x.speaker]
            res.append(suggestion("decision_role", role, score, [x.evidence(s, e)],
                                  f"{who}提到客户方“{x.text[s:e]}”参与决策", self.name))
        return res
