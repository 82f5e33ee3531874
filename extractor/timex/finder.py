"""Finding: candidate time spans with a small structured parse; no dates computed here.

One cheap trigger regex skips messages without time words; the atoms (each rule family a
named regex) are tried, leftmost first, only where they can start; adjacent atoms are then
merged (date + part of day + clock, year + month, weekday + date), ranges (A到B) and
deadline suffixes (前/之前/内) are attached, and the NOT-a-date cases are filtered.

A candidate is (start, end, parse) where parse is a dict of slots, e.g.
{"week": {"rel": 1, "wd": 3}, "pod": "am", "clock": {"h": 10, "m": 0}} for 下周三上午十点.
"""
from __future__ import annotations

import copy
import re
from functools import lru_cache

from .names import EASTER
from .normalize import normalize

_EASTER_RX = "|".join(sorted(EASTER, key=len, reverse=True))

CN = "零〇一二两三四五六七八九十廿卅"
NUM = rf"(?:\d{{1,2}}|[{CN}]{{1,3}})"
NUMN = rf"(?:\d{{1,4}}|[{CN}百千]{{1,5}}|几|半|数)"  # counts in offsets
NUMP = rf"(?:\d{{1,4}}|[{CN}百千]{{1,5}}|几)"
WD = "一二三四五六日天1-7"
MEASURE = "万千百元块角折倍%个件台套天周月年时点小分秒米吨斤克寸箱批次人家位条只张份层楼期度kKmMgGwW"

UNIT = r"(?:天|日|个?周|个?星期|个?礼拜|个?月|年|个?小时|个?钟头|个钟|分钟|秒钟?)"

_ATOMS = [
    # 2026-03-05, 2026/3/5, 2026.3.5
    ("ymd", r"(?<![\d.])(?P<ymd_y>(?:19|20)\d\d)[-/.](?P<ymd_m>\d{1,2})[-/.](?P<ymd_d>\d{1,2})(?:号|日)?(?![\d.])"),
    # 10/31/1974, 3/3/15
    ("mdy", r"(?<![\d./])(?P<mdy_m>\d{1,2})/(?P<mdy_d>\d{1,2})/(?P<mdy_y>\d{4}|\d\d)(?![\d/])"),
    # offsets: 三天后 两周内 一个月后 两小时前 五个工作日内
    ("off", rf"(?<![\d\-~到至.])(?P<off_n>{NUMN})(?P<off_half>个半)?(?P<off_u>{UNIT}|个?工作日)(?P<off_h2>半)?"
            r"(?P<off_dir>以后|之后|过后|后|以前|之前|前|以内|之内|内)(?!天|年|面|期|台|端|者|来)"),
    # 下三天 上两周 前两个月 未来三天 接下来两周
    ("poff", rf"(?P<poff_p>上|前|下|后|未来|接下来|最近|近)(?P<poff_n>{NUMP})(?P<poff_u>{UNIT})(?!后|前|内|以|之)"),
    # 过两天 过几天 过一阵
    ("guo", r"过(?P<guo_n>两|二|三|几|一两)天"),
    # holidays with 前/后/后第一个工作日
    ("hol", rf"(?P<hol_name>(?:东正教)?(?:{_EASTER_RX})|(?:过完|过了)年(?=后|以后|之后|再|了|回来)?|春节|过年|农历新年|阳历新年|新春|元旦节?|清明节?|五一国际劳动节|(?<![一二三四五六七八九十\d])五一(?![一二三四五六七八九十\d路街道村厂桥广]|大道)|劳动节|端午节?|中秋节?|国庆节?"
            r"|(?<![\d十一二三四五六七八九])十一(?=后|前|之后|以后|之前|以前|期间|假期|长假|放假|黄金周|回来|过后|节后)"
            r"|(?<![\d\w])年(?=后|前|以后|之后|以前|之前|过后)|(?<=那)年(?=后上班|后第一)|(?<![春元年国劳中圣礼过])节(?=后|前|之后|以后|之前|过后)"
            r"|妇女节|儿童节|国际儿童节|八一建军节|建军节|圣诞节?|平安夜|愚人节|万圣节|情人节|圣瓦伦丁节|七夕节?|元宵节?|重阳节?"
            r"|腊八节?|小年|除夕|大年三十|双十一|双11|双十二|双12|教师节|母亲节|父亲节|感恩节|复活节|主复活日|老板节"
            r"|国际消费者权益日|消费者权益日|三一五|315晚会|澳门回归纪念日|香港回归纪念日|正月正时|正月朔日"
            r")"
            r"(?:假期|长假|期间|放假)?"
            r"(?P<hol_suf>(?:之|以)?后(?:的)?第一个工作日|(?:之|以)?后上班(?:第一天)?|收假后|(?:过|之|以)?后|(?:之|以)?前(?!后))?"),
    # lunar: 正月十五 腊月二十三 农历八月十五
    ("lun", rf"(?P<lun_pre>农历|阴历)?(?P<lun_m>正|冬|腊|(?<=农历)[一二三四五六七八九十]{{1,2}}|(?<=阴历)[一二三四五六七八九十]{{1,2}})月"
            rf"(?P<lun_d>初[一二三四五六七八九十]|二十[一二三四五六七八九]|廿[一二三四五六七八九]|[二三]十|十[一二三四五六七八九]?)"),
    ("lun1", r"(?<![月正冬腊年当最起])初(?P<lun1_d>[一二三四五六七八九十])(?![中步期次稿版始衷心级学生审试选])"),
    # 2026年3月5号, 3月5日, 二月十五号, 3月份, 7月初, 3月底, 3月中旬
    ("cnd", rf"(?:(?<![\dA-Za-z.])(?P<cnd_y>(?:19|20)\d\d|[零〇一二三四五六七八九]{{4}}|\d\d(?=年\d{{1,2}}月))年)?"
            rf"(?<![\d{CN}第个])(?P<cnd_m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?(?!份?[{CN}\d]*[个度])"
            rf"(?:(?P<cnd_d>[0-3]?\d|[{CN}]{{1,3}})(?P<cnd_ds>号|日)?(?![\d万元块台个件]|号线)"
            r"|(?P<cnd_p>初|底|末|中旬|上旬|下旬|中(?!心|国|间|方)))?(?(cnd_d)|(?(cnd_p)|(?!\d)))"),
    ("yr", r"(?<!\d)(?P<yr_y>(?:19|20)\d\d|[零〇一二三四五六七八九]{4})年(?P<yr_p>底|末|初|上半年|下半年)?(?![\d个多])"),
    ("ryr", r"(?P<ryr_w>今|明|去|前|后|下|上|来|这一|本)年(?!级|纪|龄|轻|度|会|终奖|薪)(?P<ryr_p>底|末|初|上半年|下半年|年底|年末|年初)?"),
    ("yp", r"(?<![今明去前后下上来本\d一二三四五六七八九十])(?P<yp_p>年底|年末|年初|上半年|下半年)"),
    ("qtr", r"(?:(?P<qtr_yw>今|明|去)年)?(?:(?P<qtr_q>[Qq])(?P<qtr_qn>[1-4])(?!\d)|第?(?P<qtr_cn>[一二三四1-4])季度|(?P<qtr_r>上|下|这|本)个?季度)(?P<qtr_p>末|底|初)?"),
    ("mrel", rf"(?P<mrel_w>上上|下下|上|下|这|本|今|次)个?月(?!份?[{CN}\d]*[个度]|薪|刊|饼|嫂|子)"
             rf"(?:(?P<mrel_d>[0-3]?\d|[{CN}]{{1,3}})(?P<mrel_ds>号|日)(?!线)|(?P<mrel_p>初|底|末|中旬|上旬|下旬|中(?!心|国|间|方)))?"),
    ("wk", rf"(?<!每)(?:(?P<wk_w>上上|下下|上|下|这|本|今|这个|下个|上个|次)一?个?(?P<wk_u1>周|星期|礼拜)(?:(?P<wk_d1>(?:[一二三四五六日天](?!起|些|样|直|共|下(?!午))|[1-7](?!\d))|末)|(?!期|边|围|转|全|长|报|年|刊|岁|记))"
           rf"|(?<!每)(?P<wk_u2>周|星期|礼拜)(?P<wk_d2>(?:[一二三四五六日天](?!起|些|样|直|共|下(?!午))|[1-7](?!\d))|末))"),
    ("nth", r"第(?P<nth_n>[一二三四五1-5])个(?:星期|周|礼拜)(?P<nth_d>[一二三四五六日天1-7])"),
    ("rd2", r"(?P<rd2_w>明后|今明)(?:两)?天"),
    ("rd", r"(?P<rd_w>大前|前|昨|今|明|大后|后|次|翌|当)(?:天|儿|日(?!元|本|报|常|记|子|头条))"
           r"|(?P<rd_ts>今|明|昨)(?P<rd_tp>早|晚|夜)(?!班|饭|餐)"),
    ("pod", rf"(?P<pod_w>凌晨|清晨|早晨|早上|一早|上午|中午|午后|下午|傍晚|晚上|晚间|夜里|半夜)(?!好|茶|饭|班)"
            rf"|(?<![今明昨每])(?P<pod_s>[早晚])(?=(?:\d{{1,2}}|[{CN}]{{1,3}})[点:])(?!一点(?![钟半]))"),
    ("clk", rf"(?<!以下)(?<!以上)(?:(?<![这那哪几第有些每\d.])|(?<=那)(?=[\d{CN}]{{1,3}}点(?:半|一刻|三刻|[0-5]?\d分|整)))(?P<clk_h>\d{{1,2}}|[{CN}]{{1,3}})(?P<clk_u>点钟|点|时)"
            rf"(?:(?P<clk_t>半(?!会|天|年|价)|一刻|三刻)|(?P<clk_z>整)|过?(?P<clk_m>[0-5]?\d(?!\d)|[{CN}]{{2,3}}|[一二三四五六七八九十](?=分|个字|\s|$|[,.!?。，！？]))(?P<clk_mu>分|个字)?|[踏搭](?:(?P<clk_kh>半)|(?P<clk_k>[{CN}\d]{{1,2}})))?"),
    ("hm", r"(?<![\d:.\[例率比])(?P<hm_h>[01]?\d|2[0-4])[:](?P<hm_m>[0-5]\d)(?::(?P<hm_s>[0-5]\d))?(?:\s*(?P<hm_ap>[aApP])[mM]?)?(?![\d:])"),
    ("ap", r"(?<![\d:.])(?P<ap_h>1[0-2]|0?[1-9])\s*(?P<ap_ap>[aApP])[mM](?![a-zA-Z])"),
    ("dr", rf"(?<![\d./\-])(?P<dr_a>[0-3]?\d)(?:-|~|到|至)(?P<dr_b>[0-3]?\d)(?P<dr_s>号|日)(?!线|车|楼|机|位|门)"),
    ("md", rf"(?<![\d./A-Za-z版本号型格径率比价重高长宽厚量差数度寸元¥$￥])(?P<md_m>1[0-2]|0?[1-9])(?P<md_sep>[./\-])(?P<md_d>[0-3]?\d)(?P<md_ds>号|日)?(?![\d./%]|-(?!\d{{1,2}}[./]\d)|\s*[{MEASURE}])(?<!/\d(?=的|款|首|预|尾|定))(?<!/\d\d(?=的|款|首|预|尾|定))(?<!\.\d(?=的(?:\s|$|[，,。])))"),
    ("dn", rf"(?<![\d{CN}第个月])(?P<dn_d>[0-3]?\d|[{CN}]{{1,3}})(?P<dn_s>号|日)(?!线|车|楼|机|位|门|厅|仓|库|口|院|馆|房|厂|件|码|台|桌|床|窗|柜|工位|店|铺|选手|球员|元|本|语|文|产|系|企|方|报|常|用|益|子)"),
    ("mp", r"(?<![今明去前后下上来本这次个\d年])(?P<mp_p>月底|月末|月初|月中|上旬|中旬|下旬)"),
    ("now", r"(?P<now_w>现在|此时|此刻|当前)"),
]

# First-character dispatch. One regex of all atoms as alternatives would be tried one
# alternative after the other at every position; most atoms cannot start with the character there. The set of
# possible first characters of each atom is read off its parsed pattern (re's own parser),
# conservatively: anything it cannot bound counts as "any character". For a character,
# the regex of just the atoms that can start with it (in _ATOMS order, so the same
# alternative wins) is compiled on first use and shared by characters with the same set.
def _first_tests(seq) -> tuple[list, bool]:
    """(tests a first character must pass one of, whether `seq` can match empty)."""
    tests: list = []
    for op, av in seq:
        t, nullable = _first_item(op, av)
        tests += t
        if not nullable:
            return tests, False
    return tests, True


def _any(c: str) -> bool:
    return True


def _first_item(op, av) -> tuple[list, bool]:
    from re import _constants as C
    if op is C.LITERAL:
        return [lambda c, ch=chr(av): c == ch], False
    if op is C.IN:
        tests = []
        for o, a in av:
            if o is C.LITERAL:
                tests.append(lambda c, ch=chr(a): c == ch)
            elif o is C.RANGE:
                tests.append(lambda c, lo=a[0], hi=a[1]: lo <= ord(c) <= hi)
            elif o is C.CATEGORY and a is C.CATEGORY_DIGIT:
                tests.append(str.isdigit)
            else:  # NEGATE, other categories: unbounded
                return [_any], False
        return tests, False
    if op is C.BRANCH:
        tests, nullable = [], False
        for alt in av[1]:
            t, n = _first_tests(alt)
            tests += t
            nullable = nullable or n
        return tests, nullable
    if op is C.SUBPATTERN:
        return _first_tests(av[3])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        t, n = _first_tests(av[2])
        return t, n or av[0] == 0
    if op in (C.ASSERT, C.ASSERT_NOT, C.AT):
        return [], True  # zero width
    if op is C.GROUPREF_EXISTS:
        t1, n1 = _first_tests(av[1])
        t2, n2 = _first_tests(av[2]) if av[2] else ([], True)
        return t1 + t2, n1 or n2
    return [_any], True  # anything else: unbounded


def _atom_first_tests() -> dict[str, list]:
    from re import _parser
    out = {}
    for name, pat in _ATOMS:
        tests, nullable = _first_tests(_parser.parse(pat))
        out[name] = [_any] if nullable else tests
    return out


_FIRST: dict[str, list] | None = None
_BY_SET: dict[tuple, re.Pattern] = {}
_DISPATCH: dict[str, re.Pattern | None] = {}


_NUMERALS = "0123456789" + CN


def _dispatch(c: str) -> re.Pattern | None:
    """The regex of the atoms that can start with `c` (None: none can). All numerals share
    one regex (the atoms any numeral can start): compiling a dozen near-identical numeral
    sets costs more start-up than the few extra first-character failures cost later."""
    global _FIRST
    if _FIRST is None:
        _FIRST = _atom_first_tests()
    group = _NUMERALS if c in _NUMERALS else c
    names = tuple(n for n, _ in _ATOMS if any(t(x) for x in group for t in _FIRST[n]))
    rx = None
    if names:
        rx = _BY_SET.get(names)
        if rx is None:
            rx = _BY_SET[names] = re.compile("|".join(f"(?P<{n}>{p})" for n, p in _ATOMS if n in names))
    _DISPATCH[c] = rx
    return rx
# Every atom contains one of these keys: they are the cheap trigger (no key → no time).
_KEY = re.compile(
    r"[号日礼天周月年点时午晚早节旬季秒钟拜期夜晨宵夕旦诞庆春秋活初Qq:/]|现在|此[时刻]|当前|目前|三一五|五一|十一|清明|重阳|腊八"
    r"|\d[.\-~]\d|\d\s*[apAP]|[今明后昨前当次翌]儿|双1[12]|双十[一二]")
# Every atom starts with one of these characters (tests/test_timex_finder.py checks it on
# all corpora): an atom's regex is only tried at those positions, found by a C-speed scan.
_START = re.compile(r"[0-9零〇一二两三四五六七八九十廿卅百千几半数Qq上下前后未接最近过这本今明昨去来大次翌当第春农阳新元清劳端中国"
                    r"妇儿建圣平愚万情重腊小除双教母父感复主老消澳香正年节阴冬凌早午傍晚夜现此目周星礼月初东忏煎棕基濯神设沈耶黑拉天灰]")

_GAP_JOIN = re.compile(r"^(?:的|\s|,\s*|、)?$")
_RANGE = re.compile(r"^\s*(?:到|至|~|-|—|－|或者|或)\s*$")
_DEADLINE = re.compile(r"(?:之前|以前|前|为止|截止|之内|以内|内)")
_ENUM_AFTER = re.compile(r"^(?:建议|意见|要求|看法|想法|问题|原因|内容|理由|事|需求|优势|好处|疑问|顾虑|担心|不足|改进|考虑|共识"
                         r"|说明|补充|注意|需要|结论|体会|因素|方面|条件|差异|区别|变化|原则|措施|目标|计划|经验|教训|作用|特点|优点|缺点"
                         r"|亮点|诉求|反馈|儿|点)")

RANK = {"year": 0, "half": 1, "quarter": 1, "month": 2, "week": 3, "day": 3, "rd": 3, "mpart": 3,
        "nth": 3, "hol": 3, "lunar": 3, "pod": 4, "clock": 5}


def _p_ymd(g) -> dict | None:
    return {"year": {"abs": g("ymd_y")}, "month": {"abs": g("ymd_m")}, "day": {"abs": g("ymd_d")}}


def _p_mdy(g) -> dict | None:
    return {"year": {"abs": g("mdy_y")}, "month": {"abs": g("mdy_m")}, "day": {"abs": g("mdy_d")}}


def _p_off(g) -> dict | None:
    n = g("off_n") + ("半" if g("off_half") or g("off_h2") else "")
    d = g("off_dir")
    mode = "after" if "后" in d else "before" if "前" in d else "within"
    return {"offset": {"n": n, "unit": g("off_u"), "mode": mode}}


def _p_poff(g) -> dict | None:
    p = g("poff_p")
    mode = "past" if p in ("上", "前", "最近", "近") else "next"
    return {"offset": {"n": g("poff_n"), "unit": g("poff_u"), "mode": mode}}


def _p_guo(g) -> dict | None:
    return {"offset": {"n": g("guo_n"), "unit": "天", "mode": "after", "soft": True}}


def _p_hol(g) -> dict | None:
    name = g("hol_name")
    if name in ("过完年", "过了年"):
        return {"hol": {"name": "年", "suf": "后"}}
    return {"hol": {"name": name, "suf": g("hol_suf") or ""}}


def _p_lun(g) -> dict | None:
    return {"lunar": {"m": g("lun_m"), "d": g("lun_d")}}


def _p_lun1(g) -> dict | None:
    return {"lunar": {"m": None, "d": "初" + g("lun1_d")}}


def _p_cnd(g) -> dict | None:
    d: dict = {"month": {"abs": g("cnd_m")}}
    if g("cnd_y"):
        d["year"] = {"abs": g("cnd_y")}
    if g("cnd_d"):
        d["day"] = {"abs": g("cnd_d"), "suffix": bool(g("cnd_ds"))}
    elif g("cnd_p"):
        d["mpart"] = g("cnd_p")
    return d


def _p_yr(g) -> dict | None:
    d = {"year": {"abs": g("yr_y")}}
    if g("yr_p"):
        d["ypart"] = g("yr_p")[-2:] if len(g("yr_p")) > 1 else g("yr_p")
    return d


def _p_ryr(g) -> dict | None:
    w = {"今": 0, "这一": 0, "本": 0, "明": 1, "下": 1, "来": 1, "后": 2, "去": -1, "上": -1, "前": -2}[g("ryr_w")]
    d = {"year": {"rel": w}}
    if g("ryr_p"):
        p = g("ryr_p")
        d["ypart"] = p[-1] if p in ("年底", "年末", "年初") else p
    return d


def _p_yp(g) -> dict | None:
    p = g("yp_p")
    return {"ypart": p[-1] if p in ("年底", "年末", "年初") else p}


def _p_qtr(g) -> dict | None:
    d = {}
    if g("qtr_yw"):
        d["year"] = {"rel": {"今": 0, "明": 1, "去": -1}[g("qtr_yw")]}
    if g("qtr_qn"):
        d["quarter"] = {"abs": int(g("qtr_qn"))}
    elif g("qtr_cn"):
        d["quarter"] = {"abs": "一二三四".index(g("qtr_cn")) + 1 if g("qtr_cn") in "一二三四" else int(g("qtr_cn"))}
    else:
        d["quarter"] = {"rel": {"上": -1, "下": 1, "这": 0, "本": 0}[g("qtr_r")]}
    if g("qtr_p"):
        d["qpart"] = g("qtr_p")
    return d


def _p_mrel(g) -> dict | None:
    w = {"上上": -2, "下下": 2, "上": -1, "下": 1, "次": 1, "这": 0, "本": 0, "今": 0}[g("mrel_w")]
    d = {"month": {"rel": w}}
    if g("mrel_d"):
        d["day"] = {"abs": g("mrel_d"), "suffix": True}
    elif g("mrel_p"):
        d["mpart"] = g("mrel_p")
    return d


def _p_wk(g) -> dict | None:
    w = g("wk_w")
    day = g("wk_d1") or g("wk_d2")
    rel = None if w is None else {"上上": -2, "下下": 2, "上": -1, "上个": -1, "下": 1, "下个": 1, "次": 1,
                                   "这": 0, "本": 0, "今": 0, "这个": 0}[w]
    d = {"week": {"rel": rel}}
    if day == "末":
        d["week"]["wd"] = "end"
    elif day:
        d["week"]["wd"] = "一二三四五六".index(day) + 1 if day in "一二三四五六" else 7 if day in "日天" else int(day)
    return d


def _p_nth(g) -> dict | None:
    n = g("nth_n")
    day = g("nth_d")
    return {"nth": {"n": "一二三四五".index(n) + 1 if n in "一二三四五" else int(n),
                    "wd": "一二三四五六".index(day) + 1 if day in "一二三四五六" else 7 if day in "日天" else int(day)}}


def _p_rd2(g) -> dict | None:
    a = 1 if g("rd2_w") == "明后" else 0
    return {"rd": a, "range_to": {"rd": a + 1}}


def _p_rd(g) -> dict | None:
    if g("rd_ts"):
        off = {"今": 0, "明": 1, "昨": -1}[g("rd_ts")]
        return {"rd": off, "pod": {"早": "早上", "晚": "晚上", "夜": "晚上"}[g("rd_tp")]}
    return {"rd": {"大前": -3, "前": -2, "昨": -1, "今": 0, "当": 0, "明": 1, "次": 1, "翌": 1, "后": 2, "大后": 3}[g("rd_w")]}


def _p_pod(g) -> dict | None:
    if g("pod_s"):
        return {"pod": "早上" if g("pod_s") == "早" else "晚上"}
    return {"pod": g("pod_w")}


def _p_clk(g) -> dict | None:
    c = {"h": g("clk_h"), "u": g("clk_u")}
    t = g("clk_t")
    if g("clk_z"):
        c["z"] = True
    if t:
        c["m"] = {"半": 30, "一刻": 15, "三刻": 45, "整": 0}[t]
    elif g("clk_m"):
        c["m"] = g("clk_m")
        c["mu"] = g("clk_mu") or ""
    elif g("clk_kh"):
        c["m"] = 30
    elif g("clk_k"):
        c["m"] = g("clk_k")
        c["mu"] = "个字"
    return {"clock": c}


def _p_hm(g) -> dict | None:
    c = {"h": g("hm_h"), "m": g("hm_m"), "colon": True}
    if g("hm_s"):
        c["s"] = g("hm_s")
    if g("hm_ap"):
        c["ap"] = g("hm_ap").lower()
    return {"clock": c}


def _p_ap(g) -> dict | None:
    return {"clock": {"h": g("ap_h"), "ap": g("ap_ap").lower()}}


def _p_dr(g) -> dict | None:
    if int(g("dr_a")) >= int(g("dr_b")):
        return None
    return {"day": {"abs": g("dr_a"), "suffix": True}, "range_to": {"day": {"abs": g("dr_b"), "suffix": True}}}


def _p_md(g) -> dict | None:
    return {"month": {"abs": g("md_m")}, "day": {"abs": g("md_d"), "suffix": bool(g("md_ds")), "numeric": True}}


def _p_dn(g) -> dict | None:
    return {"day": {"abs": g("dn_d"), "suffix": True}}


def _p_mp(g) -> dict | None:
    return {"mpart": g("mp_p")[1:] if g("mp_p").startswith("月") else g("mp_p")}


def _p_now(g) -> dict | None:
    return {"now": g("now_w")}


_PARSE = {name: globals()["_p_" + name] for name, _ in _ATOMS}


def _atom(m: re.Match) -> dict | None:
    """The parse dict of one atom match (None: the match is not a time after all)."""
    return _PARSE[m.lastgroup](m.group)


def _ranks(p: dict) -> list[int]:
    return [RANK[k] for k in p if k in RANK]


def _can_merge(a: dict, b: dict, gap: str) -> bool:
    if not _GAP_JOIN.match(gap):
        return False
    if ("offset" in a and set(b) <= {"pod", "clock"} and not set(b) & set(a) and "clock" not in a
            and a["offset"]["mode"] in ("after", "within") and a["offset"]["unit"] in ("天", "日")):
        return _GAP_JOIN.match(gap) is not None and "," not in gap  # 两天后上午十点
    if any(k in a for k in ("offset", "now", "range_to")) or any(k in b for k in ("offset", "now", "range_to")):
        return False
    if set(a) & set(b) - {"pod"} or ("pod" in a and "pod" in b):
        return False
    ra, rb = _ranks(a), _ranks(b)
    if not ra or not rb:
        return False
    # weekday then explicit date (周日, 二月十号): the date decides, the weekday checks it
    if "week" in a and len(a) == 1 and ("day" in b and "month" in b):
        return True
    if "," in gap or "、" in gap:
        return False
    if "rd" in b or "week" in b and "month" in a and "day" in a:
        return False
    if "ypart" in a and "month" in b:
        return False
    return max(ra) < min(rb) or ("year" in a and "week" not in b and max(ra) <= min(rb) and "year" not in b)


def _drop(p: dict, text: str, s: int, e: int) -> bool:
    """NOT-a-date filter for a merged candidate (enumerations, idioms, lone numbers)."""
    if "clock" in p and "m" not in p["clock"] and "u" in p["clock"] and text[e:e + 1] and (text[e].isdigit() or text[e] in CN and text[e + 1:e + 2] not in ("起", "些", "样", "下", "直", "共", "会")):
        return True  # 两点五毫米: a decimal, not a clock
    if set(p) == {"clock"}:
        c = p["clock"]
        after = text[e:e + 4]
        if c["u"] if "u" in c else False:
            if _ENUM_AFTER.match(after) and "m" not in c:
                return True
            if c["h"] in ("一", "1") and "m" not in c and c.get("u") != "点钟":
                return True  # 快一点 / 一点点 / 差一点
            if c.get("u") == "时" and "m" not in c:
                return True  # 一时半会儿, 同时
    if set(p) == {"day"} and not p["day"].get("suffix"):
        return True
    if set(p) == {"pod"} and text[e:e + 1] in ("好",):
        return True
    return False


def _merge_atoms(atoms: list, text: str) -> list:
    out: list = []
    i = 0
    n = len(atoms)
    while i < n:
        s, e, p = atoms[i]
        p = dict(p)
        j = i + 1
        while j < n:
            s2, e2, p2 = atoms[j]
            gap = text[e:s2]
            if _can_merge(p, p2, gap):
                if "week" in p and len(p) == 1 and "day" in p2 and "month" in p2:
                    p2 = dict(p2, check_wd=p["week"])
                    p = {}
                p.update(p2)
                e = e2
                j += 1
                continue
            break
        # range: A 到 B
        if j < n and _RANGE.match(text[e:atoms[j][0]]) and "offset" not in p and "now" not in p:
            s2, e2, p2 = atoms[j]
            k = j + 1
            while k < n and _can_merge(p2, atoms[k][2], text[e2:atoms[k][0]]):
                p2 = {**p2, **atoms[k][2]}
                e2 = atoms[k][1]
                k += 1
            if "offset" not in p2 and "now" not in p2 and not (text[e:atoms[j][0]].strip() == "-" and "clock" not in p2 and "day" not in p2):
                p["range_to"] = p2
                e = e2
                j = k
        # deadline suffix
        if "offset" not in p and "now" not in p and "hol" not in p:
            dm = _DEADLINE.match(text, e, e + 3)
            if dm and text[dm.end():dm.end() + 1] not in ("后", "天"):
                p["deadline"] = "within" if "内" in dm.group(0) else "before"
                e = dm.end()
        if not _drop(p, text, s, e):
            out.append((s, e, p))
        i = j
    return out


def _scan_atoms(norm: str) -> list:
    """Non-overlapping atoms, leftmost first, as (start, end, parse); empty if no key."""
    if _KEY.search(norm) is None:
        return []
    atoms = []
    pos = 0
    dispatch = _DISPATCH
    search = _START.search
    while (sm := search(norm, pos)) is not None:
        i = sm.start()
        c = norm[i]
        rx = dispatch[c] if c in dispatch else _dispatch(c)
        m = rx.match(norm, i) if rx is not None else None
        if m is None:
            pos = i + 1
            continue
        pos = m.end() if m.end() > i else i + 1  # atoms are never empty; never loop
        p = _atom(m)
        if p:
            atoms.append((i, m.end(), p))
    return atoms


@lru_cache(maxsize=4096)
def _find_norm(norm: str) -> tuple:
    atoms = _scan_atoms(norm)
    return tuple(_merge_atoms(atoms, norm)) if atoms else ()


def candidates(text: str) -> tuple:
    """Candidate spans (start, end, parse) into `text`, sorted by start; shared with the
    finder's cache, so callers must not change the parse dicts (find_candidates copies)."""
    if not text:
        return ()
    norm = normalize(text)
    if "晏" in text and ("晏昼" in text or "晏晝" in text):
        return tuple((s, e, dict(p, cantonese=True)) for s, e, p in _find_norm(norm))
    return _find_norm(norm)


def find_candidates(text: str) -> list[tuple[int, int, dict]]:
    """Candidate spans (start, end, parse) into `text`, sorted by start. No dates computed."""
    return [(s, e, copy.deepcopy(p)) for s, e, p in candidates(text)]
