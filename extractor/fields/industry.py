"""industry: from what the customer makes (刹车盘 → 汽车, 心脏支架 → 医疗器械).

Words of a sales lexicon vote, weighted by who says them and how: the customer
describing its own business (我们做…的, 我们…厂) counts most; the customer mentioning a
product counts; the rep naming the customer's product or project counts less. Longer
lexicon words win over the shorter words inside them (手机壳模具 → 模具 via 模具厂/做模具).
"""
from __future__ import annotations

import math
import re

from extractor.fields.base import Ctx, suggestion

INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "汽车": ("汽车", "汽配", "刹车盘", "刹车鼓", "制动盘", "制动鼓", "刹车片", "轮毂", "变速箱", "变速器", "车桥", "底盘", "主机厂", "整车",
           "车灯", "座椅", "转向节", "转向机", "曲轴", "凸轮轴", "连杆", "保险杠", "缸体", "缸盖", "车身", "白车身", "tier1", "Tier1",
           "汽车零部件", "摩托车", "新能源车", "车企", "减震器", "传动轴", "汽车玻璃", "风挡", "挡风玻璃", "车门", "铰链", "排气管", "油箱",
           "活塞", "气门", "差速器", "半轴", "汽车线束", "线束", "车规", "IATF", "16949", "4S店", "电驱", "电机壳体", "齿轮轴", "同步器",
           "汽车覆盖件", "仪表盘", "后视镜", "雨刮", "车轮", "轮胎", "安全带", "方向盘", "副车架", "控制臂", "悬架", "制动", "饰件", "内饰", "车型", "挂车", "半挂车", "货车", "卡车", "重卡", "客车", "车架", "主机厂", "大梁", "纵梁",
           "商用车", "喷油嘴", "汽车灯", "门板", "车门板", "比亚迪", "吉利", "上汽", "一汽", "广汽", "奇瑞", "蔚来", "小鹏",
           "特斯拉", "长城汽车", "长安汽车", "理想汽车", "主机厂配套", "涡轮增压", "增压器", "车用", "气体发生器", "安全气囊"),
    "新能源": ("电池", "电芯", "储能", "光伏", "锂电", "新能源", "充电桩", "逆变器", "极片", "氢能", "风电", "电池包", "PACK", "pack",
            "硅片", "组件厂", "正极", "负极", "隔膜", "电解液", "电池片", "光伏支架", "光伏玻璃", "燃料电池", "电堆", "极耳", "模组线",
            "储能柜", "风机叶片", "叠片", "卷绕", "化成", "分容", "锂电池", "钠电", "电池壳", "电池托盘", "汇流排", "BMS", "光伏组件"),
    "3C电子": ("手机", "后盖", "中框", "笔记本", "平板", "耳机", "TWS", "PCB", "pcb", "电路板", "显示屏", "面板", "消费电子", "3C",
             "智能手表", "连接器", "摄像头", "电子产品", "屏幕", "充电器", "数据线", "键盘", "路由器", "SMT", "smt", "主板", "FPC",
             "柔性电路", "柔性线路板", "镜头模组", "盖板", "玻璃盖板", "芯片", "半导体", "封装", "晶圆", "元器件", "电容", "电感",
             "贴片", "插件", "锡膏", "BGA", "显示模组", "触摸屏", "背光", "手机壳", "笔电", "平板电脑", "电子厂", "端子", "音箱", "电源适配器", "服务器", "机箱"),
    "医疗器械": ("医疗器械", "医疗", "支架", "骨科", "骨钉", "种植体", "导管", "手术", "牙科", "植入", "医用", "注射器", "输液", "心脏",
              "血管", "器械注册", "关节", "医院", "针头", "试纸", "血糖", "灭菌", "输液袋", "器械公司", "体外诊断", "IVD", "医疗展",
              "呼吸机", "监护仪", "内窥镜", "手术刀", "缝合", "敷料", "口罩", "透析", "人工关节", "脊柱", "齿科", "隐形眼镜", "NMPA", "GMP",
              "CT机", "核磁", "彩超", "影像设备", "康复器械", "手术机器人", "导丝", "介入", "髋臼", "超声探头",
              "保健院", "卫生院"),
    "航空航天": ("航空", "航天", "飞机", "机匣", "卫星", "火箭", "发动机叶片", "叶片", "起落架", "机翼", "航发", "导弹", "直升机",
              "尾桨", "叶盘", "整体叶盘", "航宇", "航空紧固件", "试车台", "复材", "蒙皮", "机身", "舱段", "涡轮盘", "航材", "军工",
              "无人机", "空客", "商飞", "波音", "AS9100", "航天器", "推进器", "航标", "舱门"),
    "模具": ("模具", "模架", "压铸模", "注塑模", "冲压模", "模仁", "模胚", "型腔", "开模", "修模", "模具厂", "做模", "赶模",
           "电极", "火花机", "模具钢", "冲模", "拉伸模", "级进模"),
    "通用机械": ("液压阀", "液压", "阀门", "阀体", "泵", "轴承", "齿轮", "减速机", "减速器", "通用机械", "压缩机", "气缸", "法兰",
              "工程机械", "挖掘机", "挖机", "装载机", "起重机", "农机", "机床配件", "紧固件", "电机壳", "泵阀", "链条",
              "风机", "电机轴", "柱塞", "传动", "空压机", "机械加工", "机加工", "机械厂", "臂架", "铸铁件", "油缸",
              "螺杆", "联轴器", "重工", "工业泵", "阀业", "泵业", "矿山机械", "纺机", "包装机械", "印刷机械", "电梯", "套圈", "动臂", "电机线", "电机厂", "电机", "定子", "转子", "机床", "气动元件", "气动"),
    "其他": ("饮料", "食品", "纺织", "化工", "家具", "服装", "制药", "药厂", "建材", "印刷", "烟草", "日化", "陶瓷",
           "玻璃瓶", "造纸", "乳制品", "啤酒", "酒厂", "物流", "仓储", "家居", "鞋", "木业", "钢铁", "冶金", "水泥", "厨具",
           "锅具", "健身器材", "广告", "标识", "调味品", "冰箱", "洗衣机", "空调", "家电", "小家电", "玩具", "表壳", "錶殼",
           "手表", "钟表", "冻干", "食品厂", "铸造", "压铸件", "五金", "卫浴", "灯具", "照明", "轨道交通", "高铁", "船舶",
           "光学镜片", "眼镜", "箱包", "化妆品", "农业", "养殖", "饲料", "纸箱", "塑料瓶", "包装厂", "电商", "超市",
           "乳业", "酒瓶", "涂料", "油漆", "配电柜", "开关柜", "电气柜", "橱柜", "船厂", "造船", "不锈钢制品", "门窗", "地板",
           "卫浴", "管材", "线材", "电线电缆", "油烟机", "燃气灶", "水饺", "速冻", "豆油", "粮油", "羊绒", "暖气片",
           "矿泉水", "冰淇淋", "焦化", "煤化工", "冷库", "面包", "烘焙", "饼干", "糕点", "化肥", "电饭煲", "电磁炉", "印染", "海参", "扇贝", "水产", "红肠", "肉制品", "白酒", "酒业",
           "彩盒", "包装盒", "纸盒", "系统集成"),
}

_ALL = sorted(((w, ind) for ind, ws in INDUSTRY_WORDS.items() for w in ws), key=lambda p: -len(p[0]))
WORD_RE = re.compile("|".join(re.escape(w) for w, _ in _ALL))
WORD_IND = {w: ind for w, ind in _ALL}
SELF_CUE = re.compile(r"我们(?:是|主要|这边|厂|公司)?(?:做|生产|搞|造|干)|我哋|我们是|主要做|主要是|是做|做.{0,8}的|生产|产线|车间|工厂|厂里|我们的|我们这|客户是|给.{0,6}配套|行业")
# the equipment being bought is not the buyer's industry (想上两台罗茨泵, 空压机的报价)
PURCHASE = re.compile(r"(?:上|买|采购|订|换|选|选型|想要|要上|这台|那台|这套|那套|[0-9一二两三四五六七八九十几]\s*(?:台|套|把|根)|升级)[^，,。 ]{0,6}$")
PURCHASE_AFTER = re.compile(r"^[^，,。 ]{0,4}(?:的报价|报价|的价格|价格|选型|样机|的方案|方案|测试台|设备)"
                            r"|^\s?(?:您|你)?[^，,。]{0,5}(?:要|买|订|上)[两一二三四五六七八九十几\d]+\s*(?:台|套)")
REP_OWN = re.compile(r"我们(?:是|主要|公司|家|这边)?(?:做|生产|卖|代理)(?!过)|我们的|(?:我是|我们是|我这边是|这边是)[^，,。 ]{0,6}$")
NOT_TRADE_AFTER = {"手机": "号盒"}
MAKES = re.compile(r"(?:我们|我司|厂里)(?:是|主要|专门)?(?:做|生产|造)|是做|主要做|主要生产")
WORKSHOP = re.compile(r"(?:车间|产线|生产线|工厂|分厂)")
GLUE = re.compile(r"[^\s，,。!?！？、的和及与做给是为跟用]{0,2}")  # two words in one noun compound
NOT_CUE = re.compile(r"案例|之前给|给.{0,6}做过|用户|客户那|别的|像.{0,6}(?:那样|一样)|比如")


# the customer describing its own business: 我们是做配电柜外壳的 / 我们做液压阀的 / 我们主要生产刹车盘
SELF_DESC = re.compile(r"(?:我们|我哋|我司|我们厂|我们公司|我们这边|我这边|厂里)(?:是|主要|专门|一直)?(?:是)?(?:做|生产|造|搞|干)(?P<what>[^，,。!?！？ ]{2,14}?)(?:的|为主|这块|这一块)")
NOT_WHAT = re.compile(r"^(?:过|好|得|完|不|了|出来|到|成|个|一下|什么|这个|那个|这种|哪)")
# the customer denying a trade as its own (我们华晶玻璃不做光伏玻璃 / 我们不是做汽车的) in the clause before the
# word, or opening its reply with 不是 to the rep's guess (你们是做模具的吧 → 不是 我们做注塑件): that trade is out,
# unless the customer also states it as its business (我们不是做整车的 是做汽车座椅的)
DENIED_SELF = re.compile(r"(?:我们|我司|厂里|我们厂|我们公司|我这边|我们这边)[^，,。!?！？\s]{0,8}?(?:不做|不是做|不生产|不搞|不是搞|不是)"
                         r"[^，,。!?！？\s]{0,6}$")
DENIED_REPLY = re.compile(r"^\s*(?:不是|不不|没有|不对)")
AFFIRMED = re.compile(r"(?<!不)(?:是做|主要做|专门做|在做|我们做|是生产|主要生产)(?P<what>[^，,。!?！？ ]{2,14}?)(?:的|为主)")


class Industry:
    name = "industry-lexicon"

    def __call__(self, ctx: Ctx):
        votes: dict[str, list] = {}
        words = {x.index: list(WORD_RE.finditer(x.text)) for x in ctx.texts()}  # lexicon hits, found once per message
        rep_words = set()  # what the rep's own company makes
        for x in ctx.texts("rep"):
            for m in words[x.index]:
                if REP_OWN.search(x.text[max(0, m.start() - 10): m.start()]):
                    rep_words.add(m.group(0))
        for x in ctx.texts("customer"):
            for d in SELF_DESC.finditer(x.text):
                g = "what"
                what = d.group(g)
                if NOT_WHAT.match(what):
                    continue
                if not WORD_RE.search(what):  # a business the lexicon does not list: 其他
                    votes.setdefault("其他", []).append((0.7, x, d.start(g), d.end(g)))
        denied: dict[str, tuple] = {}  # industry → (message, start, end) of the denial
        affirmed = set()
        prev = None
        for x in ctx.msgs:
            if not x.text or x.speaker not in ("rep", "customer"):
                continue
            if x.speaker == "customer":
                for m in words[x.index]:
                    if DENIED_SELF.search(x.text, max(0, m.start() - 16), m.start()):
                        denied.setdefault(WORD_IND[m.group(0)], (x, m.start(), m.end()))
                for a in AFFIRMED.finditer(x.text):  # the head of the phrase: 汽车覆盖件冲压模具 → 模具
                    heads = [w.group(0) for w in WORD_RE.finditer(a.group("what"))]
                    if heads:
                        affirmed.add(WORD_IND[heads[-1]])
                r = DENIED_REPLY.match(x.text)
                if r and prev is not None and prev.speaker == "rep":
                    for w in words[prev.index]:
                        denied.setdefault(WORD_IND[w.group(0)], (x, r.start(), r.end()))
            prev = x
        denied = {k: v for k, v in denied.items() if k not in affirmed}
        last_end: dict[int, tuple[int, str]] = {}
        from extractor.fields.lexicon import _rx
        brand_rx = _rx("competitor")
        for x in ctx.texts():
            brands = [b.span() for b in brand_rx.finditer(x.text)]  # 沈阳机床: a brand, not a trade
            for m in words[x.index]:
                if brands and any(a <= m.start() < b for a, b in brands):
                    continue
                nx = x.text[m.end():m.end() + 1]
                if m.group(0) in rep_words or (nx and nx in NOT_TRADE_AFTER.get(m.group(0), "")):
                    continue  # 手机号: a phone number, not phones
                if re.match(r"[^，,。 ]{0,3}模具", x.text[m.end():m.end() + 5]) and WORD_IND[m.group(0)] != "模具":
                    continue  # 小家电模具 / 汽车灯罩模具: the maker of moulds is in 模具
                before, after = x.text[max(0, m.start() - 10): m.start()], x.text[m.end(): m.end() + 12]
                bought = (PURCHASE.search(before) or PURCHASE_AFTER.search(after)) and not MAKES.search(before)
                ind = WORD_IND[m.group(0)]
                if ind in denied:
                    continue
                window = x.text[max(0, m.start() - 12): m.end() + 6]
                if x.speaker == "customer":
                    spans = [d.span("what") for d in SELF_DESC.finditer(x.text)]
                    if any(a <= m.start() < b for a, b in spans):
                        w = 1.5
                    elif spans:
                        w = 0.6  # the business is stated elsewhere in the message: this is a part or a detail
                    else:
                        w = 1.0 if SELF_CUE.search(window) else 0.6
                elif x.speaker == "rep":
                    if NOT_CUE.search(window) and not re.search(r"您|你们|贵司|贵厂", window):
                        continue
                    if re.search(r"请问是[^，,。 ]{0,10}$", x.text[max(0, m.start() - 12): m.start()]):
                        votes.setdefault(WORD_IND[m.group(0)], []).append((0.9, x, m.start(), m.end()))
                        continue  # 请问是长沙华信汽配吗: the customer's company name says its trade
                    w = 0.45 if re.search(r"您|你们|贵司|贵厂|咱们|方案|项目|那套|那台|工位|线", window) else 0.3
                else:
                    continue
                w *= 1.0 + 0.1 * min(len(m.group(0)) - 2, 3)
                if bought:
                    w *= 0.4  # the equipment being bought is not the buyer's trade
                if WORKSHOP.match(x.text, m.end()):
                    w *= 1.5  # SMT车间 / 电池产线: the plant's own line says the trade
                prev = last_end.get(x.index)
                if prev is not None and prev[1] != ind and GLUE.fullmatch(x.text, prev[0], m.start()):
                    w *= 0.3  # 汽车空调压缩机 / 风电轮毂: the leading word names the application
                last_end[x.index] = (m.end(), ind)
                votes.setdefault(ind, []).append((w, x, m.start(), m.end()))
        # a denied trade is a veto: the classifier cannot lift it back from the same words
        vetoes = [suggestion("industry", ind, 0.02, [x.evidence(a, b)], f"客户否认是{ind}行业(“{x.text[a:b]}”)", self.name,
                             veto=True) for ind, (x, a, b) in denied.items()]
        if not votes:
            return vetoes
        ind, hits = max(votes.items(), key=lambda kv: sum(h[0] for h in kv[1]))
        total = sum(h[0] for h in hits)
        others = sum(h[0] for k, v in votes.items() if k != ind for h in v)
        w, x, s, e = max(hits, key=lambda h: h[0])
        score = 0.95 * (1 - math.exp(-1.5 * total)) * (total / (total + others))  # weak lone votes stay low
        return [suggestion("industry", ind, score, [x.evidence(s, e)],
                           f"{'客户' if x.speaker == 'customer' else '销售'}提到“{x.text[s:e]}”,属于{ind}行业", self.name,
                           votes=round(total, 2), rivals=round(others, 2))] + [v for v in vetoes if v.value != ind]
