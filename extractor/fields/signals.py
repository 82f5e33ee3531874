"""tag, key_obstacle, stage: rule cues per message, aggregated per conversation.

Each cue is a (label, span, strength) found in one message by a pattern that knows
who is speaking and what negates it (价格不是问题, 报价单格式). A trained message
classifier (models/textclf.py), when an artifact is present, adds its probability to
the rule strength; the pipeline calibrates the result.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.fields.base import Ctx, Msg, suggestion
from extractor.fields.guard import guarded

COMPETITORS = ("马扎克", "德玛吉", "DMG", "发那科", "FANUC", "大族", "通快", "TRUMPF", "海天", "牧野", "哈斯", "HAAS", "沈阳机床",
               "创世纪", "精雕", "北京精雕", "基恩士", "康耐视", "海克斯康", "蔡司", "ABB", "库卡", "KUKA", "安川", "埃斯顿",
               "新松", "西门子", "三菱", "欧姆龙", "发格", "埃马克", "斗山", "友嘉", "东芝", "日精", "住友", "恩格尔",
               "克劳斯玛菲", "阿博格", "博世", "大隈", "兄弟", "森精机", "宝鸡机床", "秦川", "华中数控", "广数", "凯恩帝",
               "迅镭", "宏山", "邦德", "奔腾", "嘉泰", "百超", "天田", "普玛宝", "力劲", "伊之密", "拓斯达", "汇川", "雷赛",
               "埃夫特", "优傲", "UR", "节卡", "遨博", "大疆", "先导", "赢合", "利元亨", "精测", "天准", "思看", "先临",
               "美国的", "德国的", "日本的", "进口的", "台湾的")
COMP_RE = re.compile("|".join(re.escape(c) for c in sorted(COMPETITORS, key=len, reverse=True)))
GENERIC_COMP = re.compile(r"别家|别的厂家|其他家|其他厂家|友商|同行|另一家|另外一家|那家|人家")
COMPARE = re.compile(r"比你们|比.{0,8}(?:贵|便宜|低|高|快|慢|好|差|强|稳|成熟|短|长)|相比|对比|比较|不如|比不上|更(?:便宜|贵|成熟|稳定|好|快|强|低|高|短|长)|"
                     r"贵了|便宜了|(?:报价|报的|价格|报).{0,6}(?:低|便宜|少|高)|现货|人家|那边报|那边的?价格|差不多|一样|强|性价比")
NOT_COMPARE = re.compile(r"考虑别家|找别家|换别家|看看别家|比价三家|三家比价|至少三家|货比三家|几家比价")

PRICE = re.compile(
    r"多少钱|什么价|啥价|价位|价钱|报个价|报一下价|给个价|报价.{0,4}(?:多少|高|贵|低|能不能|再|太|偏|超)|价格.{0,6}(?:多少|怎么算|能不能|再|高|太|贵|便宜|优惠|偏|下不来|谈|降|让|差|动)|"
    r"便宜|优惠|折扣|打折|打个折|[几点两三四五六七八九]个点|让(?:点|一点|利|些|步|个)|降(?:点|价|一点|些|到)|(?<![可宝])贵(?![阳州司公宾姓重])|超预算|往.{0,4}靠|"
    r"最低价|最低多少|底价|砍价|议价|这个价|那个价|少点|能少|再低|低一点|低点|一口价|成交价|特价|返点|(?:要|想|能|再).{0,4}(?:降|便宜|优惠)|差价|价差|"
    r"[九八七][五八]?折|(?:价格|报价|价钱).{0,4}(?:在.{0,4}预期|在预算|差不多|认可|可以接受)|最终报价|几(?:钱|錢)|幾錢|平啲")
PRICE_NEG = re.compile(r"价格不是问题|价格不是主要|价格无所谓|不在乎价格|钱不是问题|价格都好说|价格没问题|"
                       r"价格.{0,3}就按|价格.{0,4}谈到头|价格.{0,6}(?:谈好了|谈得差不多|谈妥|都谈好|在范围内|在预算|没毛病)|"
                       r"按你(?:们)?报的|按上次谈的|框架价|(?:价格|报价).{0,8}在(?:范围|预算)(?:内|里)")
# the price still argued in the same message (按你们报的这个价，超预算了，最低多少？): not settled
PRICE_LIVE = re.compile(r"贵|便宜|优惠|超预算|超了|最低|再降|降价|降到|让点|让一点|折扣|打折|能不能少")


def _price_settled(t: str):
    return PRICE_NEG.search(t) if not PRICE_LIVE.search(t) else None


QUOTE_FORMAT = re.compile(r"报价单.{0,6}(?:格式|模板|抬头|有效期|盖章|附上|附|配置清单|改一下|重新)|报价(?:格式|模板)")

NEED = re.compile(r"±|公差|精度|微米|μm|um\b|丝(?![绸袜])|毫米|mm|节拍|产能|UPH|uph|良率|要求|需要|想上|想买|想采购|要采购|要上|打算上|计划上|(?<!主)要做|"
                  r"[0-9一二两三四五六七八九十几]+\s*(?:台|套|条线|条产线|个工位|件/|件每|万件|吨)|尺寸|行程|功率|吨位|材料是|材质|兼容|接口|速度|效率|"
                  r"一个班|每天|每小时|每分钟|秒一件|交付|交期要|交货期要|之前要|之前必须|必须在|规格|参数|配置要|型号要|负载|重复定位|幅面|厚度|直径|管径|长度|宽度")
NEED_NOT = re.compile(r"报价按|按.{0,4}(?:台|套).{0,2}(?:算|报)|一起订|一起下|能不能再让|能不能便宜|打包价|多买")

# a requirement already met (满足我们的要求 / 尺寸和外观都OK / 速度是够), a contract term (法务要求三年 /
# 我们要求对等), or a quantity that prices the quote (一台47万 两台94万 / 18.6万一台): no new need
NEED_MET = re.compile(r"满足|符合|都OK|都ok|OK了|没问题|没意见|是够|够了|够用|都能做|都在.{0,8}以内|满意|通过|合格|对上了|认可")
NEED_TERMS = re.compile(r"法务|合同|违约|知识产权|保密|质保|付款|预付|条款|泄密|赔偿|NDA|审厂|模板|发票|账期|管辖|供应商|单价降")
# a capability asked about, or a part declined (能干钛合金吗 最大回转直径多少 / 色差…不需要 拿掉): not a stated need
NEED_ASKED = re.compile(r"多少|吗|够不够|行不行|能不能.{0,6}(?:做|干|加工|达到)|不需要|不用|拿掉|去掉|有需要")
QTY_PRICED = re.compile(r"^[0-9一二两三四五六七八九十几]+\s*(?:台|套)")
PRICE_NEAR = re.compile(r"[0-9.一二两三四五六七八九十百千]+\s*(?:万|元|块|k|K|w|W)")
QTY_QUOTED = re.compile(r"报价|价格|价钱|折|一起拿|一起订|一起买|多少钱|总共就|一共就")


def _need_ok(x: Msg, m) -> bool:
    t = x.text
    clause = t[slice(*x.clause_at(m.start(), m.end()))]
    if NEED_MET.search(clause) or NEED_TERMS.search(clause) or NEED_ASKED.search(clause):
        return False
    if QTY_PRICED.match(m.group(0)) and (PRICE_NEAR.search(t, max(0, m.start() - 8), min(len(t), m.end() + 8))
                                        or QTY_QUOTED.search(t)):
        return False  # 两台480吨的正式报价 / 四台一起拿 能不能做到16: the quantity prices the quote
    return True


PAYMENT = re.compile(r"尾款|回款|发票|开票|开了票|付款|打款|到账|逾期|质保金|验收款|欠款|对账|货款|进度款|预付款|首付款|余款|结款|结清|请款|催款|款项|应收")

OBJECTION = re.compile(
    r"太贵|贵了|偏贵|有点贵|超了|超预算|太高|偏高|高了|太晚|太长|太慢|太久|等不了|还差|差一点|差了点|不满足|达不到|满足不了|不达标|不合格|不够|"
    r"不太行|不行|不如|不太满意|不满意|不认可|有意见|提了.{0,6}意见|两个意见|几个意见|要改|得改|需要改|不能接受|接受不了|无法接受|粗糙|不稳定|漂移|"
    r"觉得.{0,12}更(?:成熟|好|稳|便宜|强)|倾向|更倾向|拿出点|差异化|没优势|没什么优势|担心|顾虑|不放心|毛刺|偏差|超差|不稳|故障|老出问题|响应慢|服务差|"
    r"不合理|不同意|苛刻|太严|太短|异响|报警|一直(?:飘|漂)|没调到位|没修好|停了(?:一个班|[一两三几]天)|损失|等不到|错过|用惯了|不愿意|"
    r"少了不谈|还有点距离|效率上不去|提升不明显|拖了|再平啲")
SCHEDULE_NO = re.compile(r"(?:周[一二三四五六日天]|礼拜.|星期.|[今明后]天|上午|下午|晚上|早上|[0-9一二三四五六七八九十]+号)\s*(?:也|都)?(?:不行|不方便|没空)$")
OBJ_NEG = re.compile(r"不是问题|没问题|没什么问题|挑不出毛病|都还行|都可以|不贵|不算贵|挺好|满意")
INTERNAL_DEBATE = re.compile(r"内部|意见不统一|意见不一|两边|有分歧|僵持|签字|董事长|老板觉得|领导觉得|财务总监觉得|没办法|定不了|做不了主")
OFFER_DIRECTED = re.compile(r"你们|您们|贵司|报价|价格|贵|方案.{0,4}(?:不|差|缺)|样件|样品|交期|合同.{0,4}(?:条款|里)")
TIMING = re.compile(r"今年先不|今年不考虑|暂时不考虑|先不考虑|暂不考虑|还没立项|没立项|没有立项|没有预算|没预算|预算还没|明年再|以后再说|暂时不需要|暂时没(?:有)?需求|"
                    r"搁置|暂停|先放一放|放一放|缓一缓|不急|还早|等明年|下半年再|没计划|还没计划")

OBSTACLE_RULES: list[tuple[str, re.Pattern, float]] = [
    ("价格", re.compile(r"涨价|不降回来|差得有点多|差一点|比我想的高|比预想的高|心里的价位|心理价位|能批的就|定死的|能做就下单|就能拿|顶多|你们要能|压到|价位.{0,4}高|太贵|贵了|偏贵|有点贵|有点高|太高|偏高|高了|还是高|还是超|价格.{0,4}(?:高|贵)|超(?:了|出)?预算|预算不够|预算卡|超了|比.{0,8}贵|往.{0,4}靠|"
                      r"便宜.{0,4}(?:点|些)|(?:再|能不能|至少|还得|还要|得)(?:降|让|便宜|优惠|少)|降.{0,3}(?:价|个点|点)|(?:九|八|九五|九八)折|[几两三四五]个点|价格.{0,6}下不来|钱不够|"
                      r"差(?:了)?[一二两三四五六七八九十几0-9]+(?:万|个)|(?:只|最多)(?:能)?接受|期望.{0,6}(?:万|价)|心理价|底价.{0,4}(?:高|不行)|买不起|超权限|价格.{0,4}(?:接受不了|谈不拢|没谈拢)|抵价"), 0.7),
    ("决策", re.compile(r"办公会|才能往下走|招标平台|挂网|走招标|等.{0,8}(?:报告|测完|评审完)|出了我跟你说|等.{0,6}(?:领导|老板|总经理|董事长|上面|集团|总部|委员会|董事会).{0,10}(?:看|定|批|签|决定|拍板|同意|审|商量|回复|回来)|"
                      r"(?:领导|老板|总经理|董事长|集团|总部|副总).{0,8}(?:还在犹豫|犹豫|没定|还没定|没批|还没批|要签字|签字|审批|不同意|意见不统一|有分歧|要看|还要看|觉得.{0,6}(?:慢|贵|不值))|"
                      r"开完会.{0,6}(?:回|定|答复)|内部(?:再)?(?:商量|讨论|评估|开会|走流程|意见不统一|有分歧|还没统一|没统一|评审)|上会|评审会|委员会|意见不统一|意见不一|意见还没统一|有分歧|僵持|"
                      r"董事会|股东会|(?:总部|集团)(?:审批|批|定)|报集团|就差.{0,6}点头|等.{0,6}看完|领导.{0,4}(?:在看|谨慎)|"
                      r"统一了再定|重新比|不签字|重新过一遍|还要.{0,6}(?:审批|批准|签字|评审)|要.{0,4}签字|审批还没|还没批下来|犹豫|拍板|定不下来|做不了主|超.{0,2}权限|ROI|回本.{0,4}(?:慢|太长)|再比一轮|两边.{0,6}(?:意见|没统一)"), 0.65),
    ("技术", re.compile(r"漏气|发黑|不太满意|缩痕|还是有|一直漂|天天投诉|客诉|不达要求|没达到要求|精度.{0,6}(?:不够|达不到|不满足|还差|担心|要验证|要测试|能不能|能否|不稳)|稳定性|漂移|还差一点|差一点|差太多|达不到|不满足|满足不了|不达标|未达|没达到|不合格|"
                      r"良率.{0,6}(?:低|不够|不行|达不到|只有)|节拍.{0,6}(?:不够|慢|达不到)|兼容|误判|过杀|漏检|误报|温升|挂渣|崩刃|崩边|寿命短|毛刺|变形|粗糙度|跟不上|"
                      r"担心.{0,8}(?:精度|效果|性能|稳定|寿命|质量|速度|能不能)|(?:测试|试切|打样|试机|验证|试磨|试模).{0,8}(?:看看|再定|再说|通过|结果|才知道)|技术.{0,4}(?:问题|风险|疑问|顾虑)|"
                      r"没有长期数据|数据不够|不放心|有问题|超出.{0,6}(?:预留|空间)|放不下|只有.{0,6}(?:个/分钟|件)|能不能做到|能不能达到|能否达到|"
                      r"最担心|担心.{0,12}(?:影响|过不了|达不到)|过不了|老报警|修了还是不行|"
                      r"试.{0,6}再说|损耗.{0,8}大|效率上不去|亲眼看|发黄|太硬|太软|老卡|卡住|漏液|漏水|那项没过|对焦不准|老歪|龟裂|腰鼓形|"
                      r"产能.{0,4}(?:没到|达不到|不够)|没到.{0,10}产能|你们(?:方案|报)的?是.{0,4}\d+秒|磨损(?:快|太快|大|严重)|出现间隙|异响|噪音(?:大|太大)|振动(?:大|太大)|效果不(?:好|理想)|不理想"), 0.6),
    ("竞品", re.compile(r"最后还是定了|还是定了|都用.{0,6}的|统一了|(?:倾向|更倾向|偏向|更看好|看中|觉得.{0,12}更(?:成熟|好|稳|可靠|近|方便)|已经(?:定了|选了|用了|签了|买了)|选了|定了|一直(?:用|使用)|习惯用).{0,12}(?:" + COMP_RE.pattern + r"|别家|其他家|那家|对方|进口|国外)|"
                      r"(?:" + COMP_RE.pattern + r").{0,14}(?:更成熟|更好|更稳|更可靠|更有优势|口碑更|用户多|品牌大|更近|服务网点|牌子响|成熟|稳定)|无意更换|不想换|换不了|"
                      r"认牌子|用惯了|还买|集团统一用|集团定的|本体大厂|兜底|想用.{0,10}(?:集成商|那家|那边)"), 0.7),
    ("交期", re.compile(r"必须到厂|接受不了.{0,8}(?:交期|月中|月底|周)|等着呢|交期.{0,8}(?:太长|太久|太晚|太慢|等不了|提前|来不及|能不能|赶不上|不行|是硬指标|压到|缩短)|太晚了|等不了|来不及|赶不上|现货|"
                      r"(?:[四五六七八九十]|1[0-9]|[2-9])周.{0,4}(?:太|也太|肯定)|到货.{0,6}(?:太晚|太慢|来不及)|交货.{0,6}(?:太晚|太慢|来不及)|实施周期.{0,6}(?:太长|长)|工期.{0,4}(?:太长|紧)|排产.{0,4}(?:太满|排不上)|"
                      r"错过了|必须.{0,8}前(?:进场|到|交)|才能到.{0,6}(?:那就|来不及|太晚)|(?:交货期|交期|货期).{0,10}(?:我们要|要求|最多等|只能等)"), 0.7),
    ("付款", re.compile(r"资金.{0,4}(?:紧张|紧|困难|周转)|先付一半|分期|付不了|晚点付|延期付|缓一缓付|付不出|封账|财务.{0,6}(?:没钱|不批|卡着)|账上没钱|回笼|拖欠|"
                      r"账期.{0,6}(?:长|延)|才能付|付款.{0,6}(?:困难|推迟|延后|方式|比例)|承兑|[0-9一二三四五六七八九]-[0-9一二三四五六七八九]-[0-9一二三四五六七八九]|预付.{0,6}(?:不接受|取消|太高)|"
                      r"(?:三成|四成|五成|六成|七成|首付).{0,6}(?:不行|做不了|不接受|太高)|最多.{0,4}付|统一付款|付款日|回款.{0,4}(?:慢|拖)|压着账期|逾期.{0,6}(?:个月|还没)|"
                      r"付款方式.{0,4}(?:要改|不行|不接受)|季度结|月结|不放款|扣.{0,3}(?:[0-9一二两三四五六七八九十]+(?:万|%|个点))|额度.{0,4}(?:排满|用完|不够)|关账|付不出|开账|不是我们不付|"
                      r"预付.{0,8}(?:通不过|不行|不接受)|供应商一律|一律.{0,4}结|"
                      r"不接受.{0,8}付款|付款.{0,8}(?:不接受|接受不了|不能接受)|(?:三三三一|(?<![\d.])3331(?!\d)|三六一|(?<![\d.])361(?!\d)|五四一|(?<![\d.])541(?!\d))(?:付款|的付款|这种|.{0,6}(?:不行|不接受|不能接受))|"
                      r"挤不出来|先保工资|"
                      r"扣(?:了|留|下)?.{0,4}(?:尾款|质保金|货款)|资金.{0,4}(?:优先|先保).{0,12}(?:款|付)|款.{0,6}推到"), 0.7),
    ("法务", re.compile(r"合同过不了|质保期.{0,12}(?:不行|必须)|法务.{0,8}(?:意见|提了|要求|修改|审核|没过|不同意|卡|说)|条款|仲裁|违约金|违约责任|知识产权|保密协议|NDA|管辖|赔偿上限|责任上限|源代码|托管|"
                      r"合同.{0,6}(?:要改|修改|有问题|不同意|模板)|以我们.{0,8}为准|验收标准"), 0.7),
    ("时机", re.compile(TIMING.pattern + r"|先不买了|决定先不|还没具体项目|没具体项目|预算已经批完|排到明年|尚未确定是否|还没确定要不要|暂时没有.{0,4}需求|没有.{0,4}需求|等.{0,4}(?:下半年|明年|订单)|订单.{0,4}(?:不好|不佳|少)|"
                      r"还早|以后再|先停|先不上|不上了|缓缓|观望|再等等|取消了|项目取消|到时候再聊|还在等|等.{0,6}定点|停一停|钱先投|还在装修|搬到|"
                      r"明年.{0,6}(?:才|再)|先不动|还没到.{0,4}时候|[一二三两几]年内不(?:会)?(?:再)?(?:采购|买|换|考虑)|没空试|"
                      r"推到(?:明年|下半年|Q[1-4]|[一二三四]季度)|[一二三四]季度先不|Q[1-4]再(?:启动|说|考虑|上)"), 0.7),
]
# the cue regexes are large alternations: each gets a cheap necessary-literal guard (guard.py)
OBSTACLE_RULES = [(cat, guarded(rx), base) for cat, rx, base in OBSTACLE_RULES]
GENERIC_HIGH = re.compile(r"有点高|太高|偏高|高了|还是高")
MONEY_WORD = re.compile(r"价|钱|贵|报|万|元|块|预算|费|成本|折|便宜|[0-9]+[wW]")
NEG_OBS = re.compile(r"没问题|不是问题|都没问题|挺好|满意|已经付完|付完了|都合格|能接受|可以接受|审完了")
RESOLVED = re.compile(r"没问题了|解决了|搞定了|已经批了|批下来了|同意了|定了用你们|就按这个|可以接受|能接受|都能接受|就这么定|成交|没意见了|审完了.{0,4}没问题|全合格|都合格|通过了")

STAGE_RULES: list[tuple[str, re.Pattern]] = [
    ("回款", re.compile(r"尾款|验收款|质保金|进度款|余款|逾期|欠款|回款|催款|结清|对账|货款|挂账|回单|走付款|那笔.{0,8}(?:款|万)|"
                     r"(?<![预首])(?:款|钱).{0,6}(?:没付|挤不出来)|(?:今天|明天|这周|下周|月底|[0-9一二三四五六七八九十]+号).{0,4}(?:之前)?(?:肯定)?付(?![款方])|(?<![首预])(?:款|钱).{0,4}(?:什么时候|啥时候|能到|到账|安排)|第[二三四]笔款|应收")),
    ("合同签署", re.compile(r"合同.{0,8}(?:盖|签了|签好|签完|审|法务|条款|回签|用印|双章|扫描|寄|原件|走流程|流程|版本|草稿|模板|修改|改)|"
                         r"PO|po单|订单.{0,4}(?:下了|发了|已)|盖好章|盖章|预付款|首付款|定金|法务.{0,6}(?:审|意见|提)|条款|仲裁|违约金|中标")),
    ("商务谈判", re.compile(r"优惠|折扣|打折|让(?:点|一点|利|步|个|了)|再让|降(?:点|价|一点|到)|便宜(?:点|些|一点)|往.{0,4}靠|最低价|底价|"
                         r"报价.{0,6}(?:高|贵|超)|超了|太贵|贵了|账期|付款方式|付款比例|商务条款|议价|特价|一口价|[几两三四五]个点|(?:九|八|九五|九八)折|"
                         r"价格.{0,6}(?:谈|定|确认|可以|没问题|接受|差不多|就按)|签合同|把合同签|合同发过来|合同发我|就签|就定了|下单|报个价|报价.{0,4}(?:发|给)|多少钱|"
                         r"差得|差了|高出|才报|就按.{0,8}(?:价|版|说的)|预付.{0,6}(?:太高|不行|不批|改)|承兑|分期|盘子|封顶|正式报价")),
    # a demo or trial only planned is not 方案确认: the cues need something already evaluated (CONTRACT stage rule)
    ("方案确认", re.compile(r"方案.{0,8}(?:看了|看过|评估|评审|汇报|讨论|修改|确认|过了|认可|可以(?![吗么])|没问题|挺好|还行|不错|要改)|看过了|"
                         r"样件.{0,8}(?:测|合格|不行|结果|OK|ok)|样品.{0,6}(?:测|合格|不行)|测试(?:结果|报告)|试用(?:了|下来|期间)|评估完|测完|打样结果|试切结果|"
                         r"技术协议|对比演示|实机.{0,4}(?:看了|跑了)|现场测了|"
                         r"(?:样机|样件|样刀|试切|试磨|试加工|试用|复测|试的|打样|测试).{0,10}(?:数据|结果|测过|测了|试了|出来|不太理想|没问题|没毛病|达不到|差一点)|"
                         r"试过了|测过了|(?:放电|线上|现场)试了|用了(?:两|一|几|三)(?:个)?(?:礼拜|周|星期|个月)|评完了|入围|比那家好|一起上会|"
                         r"(?:报价|方案).{0,4}(?:我|我们)?(?:看了|看过了)(?!吗|吧|没)")),
    ("需求确认", re.compile(r"±|公差|精度|微米|μm|节拍|产能|UPH|良率|要求|规格|参数|想上|想买|要采购|要上|打算上|计划上|需要|[0-9一二两三四五六七八九十几]+\s*(?:台|套|条线)|"
                         r"每分钟|每小时|一个班|一炉|至少|不能有|幅面|厚度|直径|长度|同轴度|轮廓度|要(?:切|测|喷|洗|焊|磨|加工|检|镀|装|做到)")),
    ("初步接触", re.compile(r"通过好友|加了好友|加一下|初次|第一次(?:联系|打)|认识一下|介绍一下|了解一下|还没立项|没立项|先了解|先看看资料|留个联系方式|名片|冒昧|同事推荐|朋友推荐|官网|展会上|"
                         r"推荐我联系|听说.{0,8}(?:在考虑|要上|想上)|想了解下|有没有.{0,8}计划|资料发我看看")),
]
STAGE_RULES = [(st, guarded(rx)) for st, rx in STAGE_RULES]
PRICE, NEED, COMPARE = guarded(PRICE), guarded(NEED), guarded(COMPARE)
# a contract whose payment terms are still being argued is a negotiation, not yet 合同签署
PAY_TERMS_ONLY = re.compile(r"付款方式|预付|账期|承兑|分期|首付|几成|[三四五六]成|百分之")
PREPAYMENT = re.compile(r"预付|首付|定金|到付")
BALANCE = re.compile(r"尾款|验收款|质保金|进度款|余款|欠款|逾期")
SIGNING = re.compile(r"盖|签字|签了|签好|签完|用印|双章|回签|法务|仲裁|违约|PO|po单|中标|原件|扫描")

STAGE_ORDER = ["初步接触", "需求确认", "方案确认", "商务谈判", "合同签署", "回款"]
# the customer says the deal is lost or paused: no stage (guideline §4), except a first-contact
# brush-off, which stays 初步接触. Conditionals (超了就不考虑了 / 那我们项目就黄了) are not it.
RESUMED = re.compile(r"批下来了|重新启动|恢复|继续推进|又要上|还是要上|可以启动|重启")
DEAL_OFF = guarded(re.compile(
    r"(?:最后|还是)(?:选了|定了|用了)(?!你|您|咱们|贵|[^，,。 ]{0,4}(?:款|型|号|时间|日期|周|月|方案|配置|版))|"
    r"已经定了(?![下这明后今你您贵])[^，,。 ]{1,6}的|(?:订|买|选|定)了别家|"
    r"(?:从|在)(?!你|您|贵|咱)[^，,。 ]{1,8}(?:那边|那儿|那里)?(?:买了|订了)|"
    r"(?<!就)不考虑了(?!\s*(?:就要|还是|就用|就选|选你们|用你们))|先不买了|(?<!就)不买了|暂时不需要了|用不上了|先不上了|先不做了|"
    # a pause said of the project or the purchase, not of a clause or a machine (违约金那条先放一放 / 老机床暂停使用了)
    r"(?:项目|这单|二期|三期|采购|这个事|这事|投资|计划|这块|工作站|测试台|改造|老板说|领导说|公司决定|集团决定)[^，,。]{0,10}"
    r"(?:先停(?!机|线|产|下|用)|停一停|先放一放|放一放|暂停(?!使用)|搁置|暂缓|往后放)|"
    r"经费.{0,6}(?:用完|没了)|预算.{0,4}(?:砍了|没了|取消)|项目(?:我们)?(?:已经)?(?:取消了|黄了)"))


def _phrase(x: Msg, start: int, end: int, limit: int = 30) -> tuple[int, int]:
    """The clause around a cue (what a rep reads as the evidence), at most `limit` characters."""
    s, e = x.clause_at(start, end)
    if e - s > limit:
        s, e = max(s, start - (limit - (end - start)) // 2), min(e, end + (limit - (end - start)) // 2)
    return s, e


@dataclass
class Cue:
    label: str
    x: Msg
    start: int
    end: int
    strength: float
    why: str


def _cues_tags(ctx: Ctx) -> list[Cue]:
    out: list[Cue] = []
    for x in ctx.texts():
        t = x.text
        sp = x.speaker
        if sp not in ("rep", "customer"):
            continue
        who = "客户" if sp == "customer" else "销售"
        # 价格讨论
        if not _price_settled(t):
            for m in PRICE.finditer(t):
                if QUOTE_FORMAT.search(t[max(0, m.start() - 2): m.end() + 10]) and not re.search(r"多少|贵|便宜|优惠|折扣|降|让", t):
                    continue
                out.append(Cue("价格讨论", x, m.start(), m.end(), 0.75 if sp == "customer" else 0.6, f"{who}谈到价格“{m.group(0)}”"))
                break
        # 竞品对比
        if not NOT_COMPARE.search(t):
            comp = COMP_RE.search(t) or GENERIC_COMP.search(t)
            if comp and COMPARE.search(t):
                out.append(Cue("竞品对比", x, comp.start(), comp.end(), 0.75, f"{who}将“{comp.group(0)}”与我方比较"))
        # 客户明确需求
        if sp == "customer" and not NEED_NOT.search(t):
            m = next((m for m in NEED.finditer(t) if _need_ok(x, m)), None)
            if m:
                out.append(Cue("客户明确需求", x, m.start(), m.end(), 0.55, f"客户提出具体要求“{m.group(0)}”"))
        # 回款跟进
        m = PAYMENT.search(t)
        if m:
            out.append(Cue("回款跟进", x, m.start(), m.end(), 0.7, f"{who}谈到“{m.group(0)}”"))
        # 异议: an objection to the offer — not the customer's internal disagreement or approval wait (决策)
        if sp == "customer" and not TIMING.search(t):
            m = OBJECTION.search(t)
            internal = INTERNAL_DEBATE.search(t) and not OFFER_DIRECTED.search(t)
            if m and SCHEDULE_NO.search(t[max(0, m.start() - 6): m.end()]):
                m = None  # 下下周一不行 / 明天下午不方便: a day declined, not an objection to the offer
            if m and not internal and not OBJ_NEG.search(t[max(0, m.start() - 4): m.end() + 4]):
                out.append(Cue("异议", x, m.start(), m.end(), 0.65, f"客户提出异议“{m.group(0)}”"))
    return out


class Tags:
    name = "tag-rules"

    def __call__(self, ctx: Ctx):
        best: dict[str, Cue] = {}
        for c in _cues_tags(ctx):
            if c.label not in best or c.strength > best[c.label].strength:
                best[c.label] = c
        out = []
        for lab, c in best.items():
            s, e = _phrase(c.x, c.start, c.end)
            out.append(suggestion("tag", lab, c.strength, [c.x.evidence(s, e)],
                                  f"{c.why}:“{c.x.text[s:e]}”", self.name))
        return out




class Obstacle:
    name = "obstacle-rules"

    def __call__(self, ctx: Ctx):
        found: list[Cue] = []
        for x in ctx.texts():
            if x.speaker == "other":
                continue
            t = x.text
            for cat, rx, base in OBSTACLE_RULES:  # guarded: most messages are rejected at C speed
                for m in rx.finditer(t):
                    window = t[max(0, m.start() - 6): m.end() + 6]
                    if cat == "价格" and (_price_settled(t) or (GENERIC_HIGH.fullmatch(m.group(0)) and not MONEY_WORD.search(t))):
                        continue  # 过杀有点高: "high" with no money in sight is not about price
                    if OBJ_NEG.search(window) and cat != "时机":
                        continue
                    cs, ce = x.clause_at(m.start(), m.end())
                    if NEG_OBS.search(t[max(cs, m.start() - 8): min(ce, m.end() + 8)]):
                        continue  # 技术上没问题 (but not 价格不是问题 主要是热稳定性: another clause)
                    strength = base if x.speaker == "customer" else base * 0.6
                    found.append(Cue(cat, x, m.start(), m.end(), strength, ""))
                    break
        if not found:
            return []
        # later resolution cancels earlier obstacles
        last_res = max((x.index for x in ctx.texts("customer") if RESOLVED.search(x.text)), default=-1)
        found = [c for c in found if c.x.index > last_res] or []
        if not found:
            return []
        c = max(found, key=lambda c: (c.strength, c.x.index))
        s, e = c.x.clause_at(c.start, c.end)
        detail = c.x.text[s:e].strip()[:30] or c.x.text[c.start:c.end]
        ev = c.x.evidence(s, e) if e > s else c.x.evidence(c.start, c.end)
        who = "客户" if c.x.speaker == "customer" else "销售"
        acts = {"价格": ["准备竞品对比与分期方案"], "技术": ["准备技术验证方案与测试数据"], "竞品": ["准备竞品对比与差异化卖点"],
                "交期": ["协调生产排期,确认最快交期"], "付款": ["商讨分期或调整付款节点"], "法务": ["准备合同条款修改意见"],
                "决策": ["准备给决策人的汇报材料"], "时机": ["设定长期跟进提醒"]}[c.label]
        return [suggestion("key_obstacle", {"category": c.label, "detail": detail}, c.strength, [ev],
                           f"{who}说“{c.x.text[c.start:c.end]}”,属于{c.label}障碍", self.name, acts)]


class Stage:
    """Every stage whose cues show up, stronger the further it is; the classifier and
    calibration pick the one to show (a conversation shows the furthest stage reached)."""
    name = "stage-rules"

    def __call__(self, ctx: Ctx):
        hits: dict[str, tuple[Msg, re.Match]] = {}
        for x in ctx.texts():
            if x.speaker == "other":
                continue
            for st, rx in STAGE_RULES:
                m = rx.search(x.text)
                if not m:
                    continue
                if st == "需求确认" and x.speaker != "customer":
                    continue
                if st == "商务谈判" and _price_settled(x.text):
                    continue
                if st == "回款" and PREPAYMENT.search(x.text) and not BALANCE.search(x.text):
                    continue  # 预付款…这周安排付: a prepayment belongs to 合同签署; 到付 is shipping
                if st == "合同签署" and PAY_TERMS_ONLY.search(x.text) and not SIGNING.search(x.text):
                    continue
                hits[st] = (x, m)  # keep the latest evidence
        out = []
        off = next(((x, m) for x in reversed(ctx.texts("customer")) for m in [DEAL_OFF.search(x.text)] if m), None)
        if off is not None and (any(st in ("合同签署", "回款") and y.speaker == "customer" and y.index > off[0].index
                                    for st, (y, _m) in hits.items())
                                or any(y.index > off[0].index and RESUMED.search(y.text) for y in ctx.texts("customer"))):
            off = None  # 项目先放一放 … 预算批下来了 合同发过来吧: the deal went on after the pause
            #             (他们比你们低了十五个点 after 最后选了创世纪 only explains the loss)
        if off is not None:
            x, m = off
            ps, pe = _phrase(x, m.start(), m.end())
            for st in STAGE_ORDER[1:]:  # vetoes: neither these rules nor the classifier show a stage
                out.append(suggestion("stage", st, 0.02, [x.evidence(ps, pe)],
                                      f"客户说“{x.text[ps:pe]}”,项目已丢单或暂停,不标阶段", self.name, veto=True))
            hits = {st: v for st, v in hits.items() if st == "初步接触"}
        furthest = max(hits, key=STAGE_ORDER.index) if hits else None
        for st, (x, m) in hits.items():
            strength = 0.45 + 0.05 * STAGE_ORDER.index(st) + (0.15 if st == furthest else 0.0)
            ps, pe = _phrase(x, m.start(), m.end())
            who = "客户" if x.speaker == "customer" else "销售"
            out.append(suggestion("stage", st, strength, [x.evidence(ps, pe)],
                                  f"{who}说“{x.text[ps:pe]}”,显示已进入{st}阶段", self.name))
        return out
