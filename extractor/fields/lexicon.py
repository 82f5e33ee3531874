"""Sales lexicon shared by the field components: surnames, honorifics, company
suffixes, industry and role words. Plain data + tiny helpers, no heavy imports."""
from __future__ import annotations

import re

# the ~250 most common Chinese surnames (single and double)
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝鞠"
) | {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐", "尉迟", "夏侯", "长孙", "宇文"}

HONORIFICS = ("总监", "总工", "经理", "主任", "主管", "厂长", "部长", "科长", "处长", "老板", "会计", "老师", "工",
              "总", "董", "姐", "哥", "博士", "教授", "师傅", "先生", "女士", "小姐", "助理", "秘书")
HONORIFIC_RE = "|".join(sorted(HONORIFICS, key=len, reverse=True))
SURNAME_RE = "|".join(sorted(SURNAMES, key=len, reverse=True))
# 王总 / 欧阳经理 / 甄工 — a surname followed by an honorific
ADDRESS = re.compile(rf"(?:{SURNAME_RE})(?:{HONORIFIC_RE})")

TITLE_WORDS = ("采购经理", "采购总监", "采购主管", "采购专员", "技术总监", "技术经理", "技术主管", "设备经理", "设备主管",
               "工艺工程师", "设备工程师", "项目经理", "生产经理", "生产总监", "品质经理", "质量经理", "总经理",
               "副总经理", "董事长", "厂长", "副厂长", "总工", "总工程师", "财务经理", "财务总监", "部长", "经理",
               "主管", "总监", "工程师", "主任")
DEPT_RE = r"(?:采购|技术|设备|工艺|生产|质量|品质|研发|财务|工程|制造|项目|行政|法务|销售|物流|计划)(?:部|中心|科|处)?"
TITLE_RE = re.compile(rf"(?:{DEPT_RE})?(?:{'|'.join(sorted(TITLE_WORDS, key=len, reverse=True))})")

COMPANY_SUFFIXES = (
    "有限公司", "股份", "集团", "公司", "汽配", "汽车零部件", "汽车部件", "零部件", "医疗", "医疗器械", "动力", "电子", "钣金", "精密", "精工",
    "精机", "机械", "科技", "制造", "工业", "重工", "实业", "模具", "新能源", "能源", "电池", "光电", "光伏", "自动化",
    "电气", "电器", "机电", "五金", "塑胶", "塑业", "材料", "航空", "航天", "生物", "医药", "包装", "食品", "饮料",
    "纺织", "化工", "环保", "装备", "设备", "仪器", "技术", "智能", "智造", "数控", "激光", "机器人", "半导体",
    "微电子", "通讯", "通信", "轴承", "阀门", "液压", "铸造", "锻造", "压铸", "冲压", "注塑", "家电", "电机", "车业",
    "车辆", "工厂", "厂", "电缆", "线缆", "储能", "锂电", "光学", "传动", "泵业", "阀业", "钢构", "建材", "家居",
)
SUFFIX_RE = "|".join(sorted(COMPANY_SUFFIXES, key=len, reverse=True))
# a company: 2-6 Chinese characters of brand/place, then a suffix
COMPANY = re.compile(rf"(?P<co>[\u4e00-\u9fa5]{{2,6}}?(?:{SUFFIX_RE})(?:有限公司|公司|集团|厂)?)")
NOT_BRAND = set("我你他她它们这那的是在做有和跟与给对把被从到了吗呢吧啊个一些上下里面边")
GENERIC_COMPANY = {"公司", "工厂", "厂", "集团", "机械", "电子", "设备", "技术", "科技", "自动化", "新能源", "汽车零部件",
                   "零部件", "医疗器械", "模具", "激光", "机器人", "智能", "材料", "包装", "食品", "饮料", "光伏", "电池"}

OWN_INTRO = re.compile(rf"(?:我是|我们是|这边是|我这边是|我们这边是)(?P<co>[\u4e00-\u9fa5]{{2,8}}?(?:{SUFFIX_RE})?)(?:的|公司)")


def clean_company(s: str) -> str:
    s = re.sub(r"^(?:我们|你们|咱们|贵司|贵公司|是|就是|这边|那边|的|在|给|跟|和|对|请问|您好|你好)+", "", s)
    return s


def own_company_mentions(rep_text: str) -> set[str]:
    out = set()
    for m in OWN_INTRO.finditer(rep_text):
        co = clean_company(m.group("co"))
        if len(co) >= 2:
            out.add(co)
            out.add(co[:2])  # 远航激光 -> 远航 also names the same company
    for m in re.finditer(rf"我们(?P<co>[\u4e00-\u9fa5]{{2,4}}(?:{SUFFIX_RE}))", rep_text):
        out.add(m.group("co"))
        out.add(m.group("co")[:2])
    return out


INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "汽车": ("汽车", "汽配", "刹车盘", "制动盘", "轮毂", "变速箱", "车桥", "底盘", "主机厂", "整车", "车灯", "座椅", "转向节",
           "曲轴", "凸轮轴", "连杆", "保险杠", "缸体", "缸盖", "车身", "白车身", "tier1", "Tier1", "主机厂", "汽车零部件",
           "摩托车", "新能源车", "车企", "减震器", "传动轴"),
    "新能源": ("电池", "电芯", "模组", "储能", "光伏", "锂电", "新能源", "充电桩", "逆变器", "极片", "氢能", "风电", "电池包",
            "PACK", "pack", "硅片", "组件厂", "正极", "负极", "隔膜", "电解液"),
    "3C电子": ("手机", "后盖", "中框", "笔记本", "平板", "耳机", "PCB", "pcb", "电路板", "显示屏", "面板", "消费电子", "3C",
             "智能手表", "连接器", "摄像头模组", "电子产品", "屏幕", "充电器", "数据线", "键盘", "路由器", "SMT", "smt", "主板"),
    "医疗器械": ("医疗器械", "医疗", "支架", "骨科", "种植体", "导管", "手术", "牙科", "植入", "医用", "注射器", "输液", "心脏",
              "血管", "器械注册", "关节"),
    "航空航天": ("航空", "航天", "飞机", "机匣", "卫星", "火箭", "发动机叶片", "叶片", "起落架", "机翼", "航发", "导弹", "舰船"),
    "模具": ("模具", "模架", "压铸模", "注塑模", "冲压模", "模仁", "模胚", "型腔", "开模", "修模"),
    "通用机械": ("液压阀", "液压", "阀门", "阀体", "泵", "轴承", "齿轮", "减速机", "减速器", "通用机械", "压缩机", "气缸", "法兰",
              "工程机械", "挖掘机", "农机", "机床配件", "紧固件", "电机壳", "泵阀", "链条", "风机"),
    "其他": ("饮料", "食品", "包装", "纺织", "化工", "家具", "服装", "制药", "药厂", "建材", "印刷", "烟草", "日化", "陶瓷",
           "玻璃", "造纸", "乳制品", "啤酒", "酒厂", "物流仓储", "家居", "鞋", "塑料袋", "木业", "钢铁", "冶金", "水泥"),
}


# ---------------------------------------------------------------------------
# Parties: surnames beyond the common 250, company trade names (字号), places.

# less common surnames that still head names and address forms (冼梅, 芮经理, 郜处长, 杭师傅)
SURNAMES |= set("封冼芮杭郜羊储郁蔺阚巴弓牧隗郗仰伊暴钭厉戎祖符幸韶蓟薄宿怀邰鄂索咸籍赖屠阴胥苍闻莘贡劳逄扶堵"
                "宰郦雍濮寿扈燕冀郏浦温晏阎慕茹习宦艾庾暨衡弘匡阙殳沃蔚夔隆厍晁勾訾毋乜巢蒯荆竺逯桓揭练"
                "区植麦冯黎利洗钮谈闫达佘宣贲邴糜松井段富巫乌焦巴弓牧")
SURNAME_RE = "|".join(sorted(SURNAMES, key=len, reverse=True))
HONORIFICS = HONORIFICS + ("研究员", "院长", "所长", "书记", "董事长", "总经理", "经理助理")
HONORIFIC_RE = "|".join(sorted(HONORIFICS, key=len, reverse=True))
ADDRESS = re.compile(rf"(?:{SURNAME_RE})(?:{HONORIFIC_RE})")

# characters Chinese companies build their trade names from (字号: 华锐, 鑫源, 永锋, 秦川航宇 ...);
# a run of them, optionally followed by an industry suffix, reads as a company name. Function words,
# pronouns and ordinary verbs are deliberately absent, so 今年厂 / 我们技术 / 磨的是模具 never qualify.
BRAND_CHARS = set(
    "华鑫恒达宏鼎盛源泰通兴嘉锐捷宇航科德信隆丰昌祥瑞发利宝金新永安康健美亚联合创力威博远昊辉昱润天中东南西北"
    "海江山川峰锋晟晨越卓凯奥欧精诚翔翼蓝长悦声迅驰云启星光明阳龙凤鹏飞腾万千亿三四五六八九大宁波苏杭浙沪京津"
    "粤闽豫鲁湘鄂陕秦晋冀辽吉皖赣桂琼滇黔渝蒙港澳深广佛莞汇众正同和平立成方圆环球弘鸿洪红绿青紫白高顺福禄"
    "寿喜乐乾坤元亨泓沃禾森林木石玉银铜铁钢锦绣储运拓澜心翰邦特菱毅豪英雄杰俊伟君尚德仁义礼智道徳坚固胜强"
    "凌霄旭晖耀亮彩虹霞云雷电宸睿哲聪敏捷迈腾跃奔骏驹麒麟虎豹狮鹰雁鸥燕海洋湖泉溪浪涛潮沛淼鑫森焱垚磊晶"
    "昇晟昕曦煜烨炜灿阔宽厚稳固久恒远图宏略卫保护佳优良品益惠泽沣浩瀚渊博雅韵铭鸣声钧铎锋锐镭钛冠峰岭岳"
    "屹岩崇嵩昆仑泰华衡恒普照瀛州洲翔羽翊飞扬航帆舟舰重力劲动行进达通畅汇聚集群合融和谐协同创新科技"
    "精工巧匠艺机械电器仪表模具能业芯程风"
    "诺维纳展舜尧禹汉唐泽澄溢湛璟琪瑾瑜璞琦瀚赫霖霆骐骅奕彦颖馨蕊菁荣茂萃鹭鹤凰麟佰仟壹领先导擎速帝皇爵邑"
) - set("和同进行动群集聚融谐协合")
# inside a name that ends in an industry suffix these read as trade-name characters too (盛和精工, 新聚能电池)
NAMED_BRAND_CHARS = BRAND_CHARS | set("和同进行动群集聚融谐协合")
# 工/机/械/电/器/仪/表/模/具/技/科/新 are brand characters only inside a longer name (中机航翼, 天工);
# a run made only of them is an industry word, not a name
WEAK_BRAND = set("工机械电器仪表模具技科新创动行进合和同群集聚融谐协力重精巧匠艺")
PLACES = {
    "北京", "上海", "天津", "重庆", "广州", "深圳", "东莞", "佛山", "苏州", "无锡", "常州", "南京", "杭州", "宁波", "温州",
    "台州", "嘉兴", "绍兴", "金华", "义乌", "永康", "合肥", "芜湖", "武汉", "长沙", "南昌", "福州", "厦门", "泉州", "青岛",
    "济南", "烟台", "潍坊", "郑州", "洛阳", "西安", "成都", "绵阳", "昆明", "贵阳", "南宁", "沈阳", "大连", "长春",
    "哈尔滨", "石家庄", "太原", "呼和浩特", "兰州", "乌鲁木齐", "珠海", "中山", "惠州", "江门", "昆山", "太仓", "张家港",
    "江阴", "常熟", "南通", "扬州", "镇江", "徐州", "盐城", "泰州", "湖州", "丽水", "衢州", "舟山", "慈溪", "余姚",
    "浙江", "江苏", "广东", "山东", "河南", "河北", "湖南", "湖北", "安徽", "江西", "福建", "四川", "陕西", "山西",
    "辽宁", "吉林", "黑龙江", "云南", "贵州", "广西", "海南", "甘肃", "青海", "宁夏", "新疆", "西藏", "内蒙古", "香港",
    "澳门", "台湾", "华东", "华南", "华北", "华中", "西南", "西北", "东北", "长三角", "珠三角", "中国", "全国", "国内",
    "国外", "海外", "宁德", "松山湖", "东南亚", "欧洲", "美国", "日本", "德国", "韩国", "台资", "港资", "欧美",
}
# common words made of brand characters that are not names
NOT_NAME_WORDS = {
    "明天", "明年", "明早", "明晚", "天天", "东西", "大家", "同事", "同样", "同时", "同意", "合同", "合作", "合适", "合格",
    "平时", "正常", "正好", "正在", "方便", "方案", "方面", "成本", "成品", "发货", "发票", "发给", "发过", "安排", "安装",
    "安全", "保养", "保证", "保修", "保密", "新能源", "新厂", "新线", "新品", "新款", "长期", "中心", "中间", "中午", "中旬",
    "高端", "高速", "高精", "大概", "大约", "大厂", "大量", "大型", "大件", "利润", "顺利", "顺便", "科技", "技术", "电子",
    "电机", "机电", "动力", "能源", "精密", "精度", "精工", "机械", "模具", "工业", "重工", "光电", "光伏", "电器", "仪器",
    "汇报", "通知", "通过", "普通", "达到", "发达", "万一", "千万", "三家", "四家", "五家", "三方", "双方", "集团", "协议",
    "创新", "行业", "同行", "进度", "进口", "国产", "品牌", "品质", "优惠", "优势", "良率", "益处", "和平", "和谐", "林林",
    "宏观", "远程", "长远", "远大", "保护", "卫生", "雷达", "电动", "电力", "电源", "动态", "重点", "重要", "重新", "博士",
    "英文", "特别", "特殊", "特价", "强度", "胜利", "尚未", "道理", "智能", "聚焦", "融资", "群里", "集中", "集成", "锐角",
    "钢材", "钢板", "铜材", "铁件", "银行", "石材", "木材", "林业", "森林", "山东", "海关", "光明", "明白", "明确", "明显",
    "天成", "天然", "天平", "金额", "金属", "元旦", "亿元", "万元", "千元", "四五", "五六", "三四", "六七", "八九",
    "大力", "电汇", "承兑", "汇款", "汇票", "现汇", "贴息", "领导", "发展", "维护", "维修", "合金", "钛合金", "展示", "展会", "荣幸", "速度", "领先", "先导", "导致", "皇帝", "工程", "工期", "工作", "海康", "航发", "航空", "航天", "军工", "飞机", "汽车", "电池", "光伏", "芯片", "半导体", "新能", "九五", "八五", "三成", "四成", "五成", "六成", "八成", "九成", "一成", "万达", "红包", "白天", "青年", "中华",
}
# foreign and domestic equipment brands that appear as competitors, never as the customer
COMPETITOR_BRANDS = ("马扎克", "德玛吉", "通快", "海克斯康", "蔡司", "发那科", "西门子", "三菱", "牧野", "大隈", "津上", "山特维克",
                     "肯纳", "伊斯卡", "阿特拉斯", "普旭", "莱宝", "埃斯顿", "库卡", "ABB", "安川", "康耐视", "基恩士", "海德汉",
                     "北京精雕", "大族", "华工", "海天", "海康", "大华", "汇川", "新松", "埃夫特", "拓斯达", "舒勒", "力劲", "伊之密", "恩格尔", "用友", "金蝶", "SAP", "比亚迪", "宁德时代", "华为")

# industry suffixes after a trade name (宏达|汽配, 恒储|能源, 天润|乳业); a chain of them is one name (捷达|精密|电子)
PARTY_SUFFIXES = tuple(s for s in COMPANY_SUFFIXES if s not in ("厂", "工厂", "公司", "有限公司", "股份", "集团", "技术", "设备")) + (
    "部件", "复材", "新能", "乳业", "纸业", "木业", "铝业", "管业", "药业", "制药", "制动", "车桥", "厨具", "卫浴", "照明",
    "灯饰", "玩具", "服饰", "物流", "印务", "轮胎", "线材", "纺织", "塑机", "刀具", "量具", "检测", "测控", "控股", "实业",
    "柔性电路", "电路", "汽车系统", "系统", "模塑", "模架", "新材料", "新材", "齿轮", "增压", "橡塑", "橡胶", "塑料", "焊接", "标准件",
    "紧固件", "弹簧", "链条", "密封", "调味", "农业", "牧业", "酒业", "家纺", "服装", "鞋业", "皮革", "印染", "造纸", "玻璃",
    "陶瓷", "钢铁", "铝材", "铜业", "不锈钢", "管件", "泵阀", "风机", "暖通", "制冷", "空调", "电梯", "起重", "挂车", "座椅",
    "空压机", "压缩机", "研究院", "研究所", "设计院", "软件", "信息", "网络", "数码", "电控", "汽车", "车辆", "重机", "机床", "工贸", "贸易", "商贸", "轮毂", "车灯")
PARTY_SUFFIX_RE = "|".join(sorted(set(PARTY_SUFFIXES), key=len, reverse=True))
NUMERALS = set("一二三四五六七八九十百千万亿两")
BRAND_RE = "[" + "".join(sorted(BRAND_CHARS)) + "]"
NAMED_BRAND_RE = "[" + "".join(sorted(NAMED_BRAND_CHARS)) + "]"
# a trade name plus its industry suffix chain, then an optional legal form: 宏达精工 / 三力重工集团 / 东昊模具厂
NAMED_COMPANY = re.compile(rf"(?P<b>{NAMED_BRAND_RE}{{2,6}}?)(?P<s>(?:{PARTY_SUFFIX_RE})+)(?P<l>有限公司|股份有限公司|公司|集团|厂)?")
BRAND_RUN = re.compile(rf"{BRAND_RE}{{2,8}}")


def parse_loose(text: str, pos: int) -> tuple[int, str, bool] | None:
    """Like parse_company, for strong frames (我们X / 请问是X): any trade-name characters before a known suffix."""
    pc = parse_company(text, pos)
    if pc:
        return pc
    m = LOOSE_NAMED.match(text, pos)
    if not m:
        return None
    b = m.group("b")
    if any(c in NAME_STOP for c in b) or b in PLACES or any(w in b for w in LOOSE_NOT) or b in NOT_NAME_WORDS:
        return None
    if any(c in b for c in COMPETITOR_BRANDS) or not re.fullmatch(r"[\u4e00-\u9fa5]+", b):
        return None
    if any(w in b for w in _LOOSE_BAD):
        return None  # 冲压模具 / 手机玻璃 / 夹具密封: a product, not a trade name
    return m.end(), b + m.group("s"), True


def parse_company(text: str, pos: int, *, bare: bool = True) -> tuple[int, str, bool] | None:
    """The company name starting exactly at `pos`: (end, name, has_suffix), or None.

    `name` drops the legal form (有限公司/集团/厂). With `bare`, a run of trade-name
    characters without an industry suffix (鼎诚, 秦川航宇) also counts.
    """
    m = NAMED_COMPANY.match(text, pos)
    if m and _brand_ok(m.group("b"), suffixed=True):
        return m.end(), m.group("b") + m.group("s"), True
    if not bare:
        return None
    r = BRAND_RUN.match(text, pos)
    if not r or len(r.group(0)) > 6:
        return None
    name = r.group(0)
    if not _brand_ok(name, suffixed=False):
        return None
    return r.end(), name, False


_RX_CACHE: dict = {}


def _rx(kind: str) -> re.Pattern:
    """Word lists as compiled alternations, built on first use (the lists grow below this point)."""
    rx = _RX_CACHE.get(kind)
    if rx is None:
        if kind == "competitor":
            words = COMPETITOR_BRANDS
            pat = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
        elif kind == "place_prefix":
            pat = "^(?:" + "|".join(map(re.escape, sorted(PLACES, key=len, reverse=True))) + ")"
        elif kind == "not_name":
            pat = "|".join(map(re.escape, sorted((w for w in NOT_NAME_WORDS if len(w) >= 2), key=len, reverse=True)))
        else:  # suffix
            pat = "(?:" + "|".join(map(re.escape, sorted(PARTY_SUFFIXES, key=len, reverse=True))) + ")$"
        rx = _RX_CACHE[kind] = re.compile(pat)
    return rx


def _brand_ok(b: str, *, suffixed: bool) -> bool:
    if len(b) < 2 or b in NOT_NAME_WORDS or b in PLACES or b in SURNAMES:
        return False
    if all(c in WEAK_BRAND for c in b):
        return False
    if _rx("competitor").search(b):
        return False
    if not suffixed:
        if sum(c in NUMERALS for c in b) >= min(2, len(b)):
            return False  # 八万 / 三万五: an amount, not a name
        # a bare run must not be a place or an industry word plus something
        if _rx("place_prefix").search(b) or _rx("not_name").search(b):
            return False
        if _rx("suffix").search(b):
            return False
    return True

# more surnames seen heading names and address forms
SURNAMES |= set("权贝嵇诸花言阚佴郇厉缑")
SURNAME_RE = "|".join(sorted(SURNAMES, key=len, reverse=True))
HONORIFICS = HONORIFICS + ("律师", "医生", "会长")
HONORIFIC_RE = "|".join(sorted(HONORIFICS, key=len, reverse=True))
ADDRESS = re.compile(rf"(?:{SURNAME_RE})(?:{HONORIFIC_RE})")
TITLE_WORDS = TITLE_WORDS + ("项目总监", "规划经理", "物流规划经理", "质量总监", "研发总监", "研发经理", "计量室主任", "法务经理",
                             "法务主管", "律师", "会计", "出纳", "专员", "副总", "总助", "总经理助理", "经理助理", "采购员",
                             "科长", "科科长", "处长", "室主任")
DEPT_RE = r"(?:采购|技术|设备|工艺|生产|质量|品质|研发|财务|工程|制造|项目|行政|法务|销售|物流|计划|信息|计量|仓储|规划)(?:部|中心|科|处|室)?"
TITLE_RE = re.compile(rf"(?:{DEPT_RE})?(?:{'|'.join(sorted(TITLE_WORDS, key=len, reverse=True))})")
# a chat with business in it; greetings, gifts, referrals, address changes and shipping notices have none,
# and the person on such chats is not recorded as the deal's contact
BUSINESS = re.compile(
    r"报价|价格|价钱|单价|总价|多少钱|便宜|太贵|贵了|太高|降价|打折|折扣|优惠|让点|让利|方案|合同|协议|预算|付款|尾款|货款|预付|首付"
    r"|验收|回款|款项|质保金|发票|开票|试用|测试|实测|试一下|试了|试过|打样|样机|演示|demo|需求|考虑|评审|评估|交期|交货期|货期"
    r"|参数|精度|公差|节拍|产能|项目|采购|招标|比价|立项|质保|售后|故障|报告|资料|案例|系统|型号|配置|选型|下单|订单|PO|盖章|用印"
    r"|签字|审批|投资|回本|ROI|良率|漏检|误判|寿命|崩刃|要求|规格|功率|行程|产线|改造|自动化|工位|加工|切割|检测|量产",
    re.IGNORECASE)
# chats that are only social (holiday wishes, gifts, referrals, a moved address) or only a shipping
# notice; without business words in them they record no contact
SOCIAL_ONLY = re.compile(r"快乐|新年好|新春|大吉|安康|如意|团圆|拜年|同乐|节日愉快|假期愉快|乔迁|搬厂|新地址|月饼|粽子|喝茶|推荐个朋友"
                         r"|介绍个朋友|门票|发错群|发错了|公众号|文章|转发")
LOGISTICS_ONLY = re.compile(r"单号|顺丰|德邦|物流|快递|签收|卸货|叉车|寄出|发出|到货|发货|司机")

# characters that never sit inside a company name: pronouns, particles, common verbs and adverbs
NAME_STOP = set("我你他她它们这那的是在做有和跟与给对把被从到了吗呢吧啊呀个些上下里面边要想说看用能会去来过还就都也很太再又才将已让"
                "叫请问您怎么什谁哪几多少没不别可以得着么嘛哦嗯哈啦呗但而且或及并等负责管搞弄干买卖找打拿带送介绍推荐朋友")
FRAMED_NOT = {"销售", "采购", "生产", "质量", "品质", "研发", "财务", "行政", "人事", "仓库", "车间", "前台", "老板", "客户", "厂家",
              "代理", "经销商", "供应商", "用户", "同行", "本地", "外地", "新人", "老客户"}
FRAMED_DEPT = re.compile(r"(?:采购|技术|设备|工艺|生产|质量|品质|研发|财务|工程|制造|项目|行政|法务|销售|物流|计划|计量|信息|人事|仓储|规划"
                         r"|招标|安环|环保|安全|IT|总经办|[\u4e00-\u9fa5]{2}事业)(?:部|部门|室|科|处|中心|办|办公室)$")
# words that may precede an industry suffix without being a trade name (目前电池 / 现有设备)
LOOSE_NOT = ("目前", "今年", "去年", "明年", "现在", "最近", "之前", "以前", "原来", "主要", "一直", "全部", "整个", "所有", "其他", "其它",
             "自己", "本身", "公司", "工厂", "车间", "厂里", "集团", "客户", "国内", "国外", "进口", "国产", "传统", "普通", "常规", "大型",
             "小型", "中型", "全自动", "半自动", "高端", "低端", "新的", "旧的", "现有", "老的", "这种", "那种", "同类", "行业", "做的",
             "搞", "专门", "主营", "也是", "还是", "就是")
LOOSE_NAMED = re.compile(rf"(?P<b>[^\s，,。！!？?、；;：:“”\"'（）()\[\]【】{{}}A-Za-z0-9]{{2,4}}?)(?P<s>(?:{PARTY_SUFFIX_RE})+)")


def framed_company(s: str) -> str | None:
    """A company name said in an explicit frame (是X的王总吗 / 我是X质量部的): the name, or None.

    Any characters may form the name there (华屹电子, 桂柳座椅), so it is only checked for
    not being a pronoun phrase, a place, a department, a person or an industry word.
    """
    if FRAMED_DEPT.fullmatch(s) or s in FRAMED_NOT:
        return None
    s = FRAMED_DEPT.sub("", s) if len(s) > 4 else s
    if s in FRAMED_NOT or s[0] in NUMERALS:
        return None
    if not 2 <= len(s) <= 10 or not re.fullmatch(r"[\u4e00-\u9fa5]+", s):
        return None
    # function characters head phrases (我们的 / 和他们); inside a longer name they are fine (北辰光能, 仁和口腔)
    if s[0] in NAME_STOP or (len(s) < 4 and any(c in NAME_STOP for c in s)):
        return None
    if s in PLACES or s in NOT_NAME_WORDS or s in GENERIC_COMPANY or any(b in s for b in COMPETITOR_BRANDS):
        return None
    if re.fullmatch(rf"(?:{SURNAME_RE})(?:{HONORIFIC_RE}|[\u4e00-\u9fa5]{{1,2}})", s) and not parse_company(s, 0, bare=False):
        return None  # 王总 / 李娜: a person
    if s.endswith(("公司", "工厂", "集团")) and len(s) <= 4:
        return None
    return s

# product and industry words: a "name" containing one is a product phrase (冲压模具, 变速箱齿轮)
_LOOSE_BAD = {w for w in PARTY_SUFFIXES if len(w) >= 2} | {w for ws in INDUSTRY_WORDS.values() for w in ws if len(w) >= 2} | {
    "夹具", "治具", "工装", "机床", "机器", "产品", "零件", "配件", "结构件", "壳体", "外壳", "产线", "线体", "样件", "工件", "毛坯",
    "铸件", "锻件", "钣金件", "注塑件", "冲压件", "型材", "板材", "管材", "线材", "原料", "材料", "刀片", "铣刀", "钻头", "丝锥",
    "电池壳", "壳子", "盖板", "支架", "轴类", "盘类", "箱体", "阀体", "泵体", "叶轮", "转子", "定子", "线圈", "端子", "外观", "尺寸"}

# further surnames from the 百家姓 that head real names and address forms (傅经理, 帅建华, 鄢会计)
SURNAMES |= set("傅帅乐伏鄢晋楚谌酆相查后荆游竺逯盖益桓佘雍卓蔺池乔能闻莘党翟谭贡劳逄姬申扶堵冉宰郦却璩桑桂濮牛寿通边扈燕冀"
                "郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇广禄阙东殳沃利蔚越夔隆师"
                "巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红")
SURNAMES -= set("国都通空能东那相后满步养须红广利别")  # too often ordinary words to head an address form
SURNAME_RE = "|".join(sorted(SURNAMES, key=len, reverse=True))
ADDRESS = re.compile(rf"(?:{SURNAME_RE})(?:{HONORIFIC_RE})")
PARTY_SUFFIXES = PARTY_SUFFIXES + ("铸业", "铸造", "精铸", "锻压", "饮品", "纸品", "充电", "医院", "制药",
                                   "骨科", "线束", "化纤", "硅业", "卫材", "连接器", "农机", "配件")
PARTY_SUFFIX_RE = "|".join(sorted(set(PARTY_SUFFIXES), key=len, reverse=True))
NAMED_COMPANY = re.compile(rf"(?P<b>{NAMED_BRAND_RE}{{2,6}}?)(?P<s>(?:{PARTY_SUFFIX_RE})+)(?P<l>有限公司|股份有限公司|公司|集团|厂)?")
LOOSE_NAMED = re.compile(rf"(?P<b>[^\s，,。！!？?、；;：:“”\"'（）()\[\]【】{{}}A-Za-z0-9]{{2,4}}?)(?P<s>(?:{PARTY_SUFFIX_RE})+)")

# departments and functions are never a company's trade name (我们采购系统要求… is not a company)
NOT_NAME_WORDS |= {"采购", "技术", "财务", "生产", "质量", "品质", "设备", "工艺", "研发", "销售", "法务", "行政", "人事",
                   "仓库", "物流", "计划", "项目", "系统", "流程", "规定", "领导", "老板", "车间", "工厂", "厂里"}
