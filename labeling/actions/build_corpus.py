"""Builds labeling/actions/messages.jsonl: the message-level corpus for the diagnosis classifiers.

Each line: {"id", "text", "speaker", "prev_text", "label", "split", "template"} plus, for
customer messages, "objection" (bool). Rep labels: 需求挖掘 | 方案呈现 | 异议处理 | 其他.
Customer labels: sentiment -1 | 0 | 1.

The messages are hand-written sentence patterns (one pattern = one way a rep or customer
says something) filled with industry vocabulary (machine tools, lasers, robots, vision,
batteries, medical devices, molds) and WeChat noise (no punctuation, particles, emoji
codes, typos, greetings glued on). The split is by *pattern*: every variant of a test
pattern is in the test split, so the test figures measure phrasings never seen in
training, not re-fills of a seen sentence.

Run: python -m labeling.actions.build_corpus   (deterministic, seed 20261127)
"""
from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

SEED = 20261127
OUT = Path(__file__).with_name("messages.jsonl")

IND = {
    "机床": dict(prod=["五轴加工中心", "立式加工中心", "卧加", "数控车床", "龙门加工中心", "车铣复合"],
                 part=["刹车盘", "变速箱壳体", "法兰", "阀体", "曲轴", "电机壳"],
                 spec=["定位精度0.005", "主轴转速一万二", "换刀时间1.8秒", "重复定位精度±0.003", "主轴是原装进口的"],
                 comp=["德玛吉", "马扎克", "海天精工", "北京精雕", "哈斯"], metric=["节拍", "良率", "换型时间", "刀具寿命"]),
    "激光": dict(prod=["光纤激光切割机", "激光焊接机", "激光打标机", "三维五轴激光切割", "手持焊"],
                 part=["不锈钢板", "钣金机箱", "电池极耳", "铝壳", "厨具面板"],
                 spec=["功率12千瓦", "20毫米碳钢一刀切", "焊缝宽度0.2毫米", "切割速度每分钟35米", "自带交换工作台"],
                 comp=["大族", "通快", "邦德", "宏山", "百超"], metric=["切割速度", "挂渣", "气耗", "焊缝良率"]),
    "机器人": dict(prod=["六轴机器人", "协作机器人", "SCARA", "码垛机器人", "焊接机器人工作站"],
                   part=["纸箱", "焊接件", "料盘", "注塑件", "车门"],
                   spec=["负载20公斤", "臂展1.8米", "重复定位精度±0.02", "节拍每小时600箱", "离线编程半天就能上手"],
                   comp=["发那科", "ABB", "库卡", "埃斯顿", "节卡"], metric=["人工成本", "节拍", "稼动率", "换线时间"]),
    "视觉": dict(prod=["视觉检测系统", "工业相机", "3D线激光相机", "外观缺陷检测设备", "读码器"],
                 part=["手机中框", "PCB板", "玻璃盖板", "连接器", "锂电池壳"],
                 spec=["检测精度0.01毫米", "每分钟120片", "漏检率低于万分之五", "深度学习算法自己训练", "一台能看六个面"],
                 comp=["基恩士", "康耐视", "海康机器人", "奥普特"], metric=["漏检率", "过杀率", "检测速度", "人工复检量"]),
    "电池": dict(prod=["叠片机", "涂布机", "卷绕机", "化成分容设备", "模组PACK线"],
                 part=["电芯", "极片", "模组", "储能柜", "刀片电池"],
                 spec=["叠片效率0.2秒每片", "涂布速度80米每分钟", "对齐度±0.3毫米", "设备稼动率98%", "MES直接对接"],
                 comp=["先导", "赢合", "利元亨", "海目星"], metric=["良率", "PPM", "产能", "能耗"]),
    "医疗": dict(prod=["电子内窥镜", "监护仪", "彩超", "输液泵", "手术动力系统"],
                 part=["消化内科", "ICU", "体检中心", "手术室", "急诊"],
                 spec=["4K成像", "续航8小时", "三类注册证齐全", "探头有五年质保", "跟HIS系统打通"],
                 comp=["奥林巴斯", "迈瑞", "GE", "飞利浦", "开立"], metric=["检查量", "故障率", "周转时间", "耗材成本"]),
    "模具": dict(prod=["注塑模具", "压铸模", "冲压级进模", "热流道系统", "精密连接器模具"],
                 part=["汽车保险杠", "手机后盖", "电机端盖", "家电面板", "接插件"],
                 spec=["模具寿命五十万模次", "一出四", "公差±0.02", "模温控制±1度", "试模三次以内交付"],
                 comp=["东莞那几家", "台湾的厂", "宁波一家老厂", "昆山那家日资厂"], metric=["成型周期", "飞边", "试模次数", "报废率"]),
}
NAMES = ["王总", "李工", "张经理", "刘总", "陈工", "赵主任", "周总", "孙工", "潘总", "胡经理", "郑科长", "黄总", "吴工", "马总"]
CITIES = ["宁波", "苏州", "东莞", "常州", "佛山", "合肥", "宁德", "重庆", "武汉", "青岛", "成都"]
NUMS = ["两千", "五千", "一万", "三万", "八百", "1500", "2万", "四五千", "十来万"]
MONEY = ["一百二十万", "八十万", "三百来万", "45万", "六十多万", "一百五", "两百万"]
EMOJI = ["[微笑]", "[捂脸]", "[抱拳]", "[OK]", "[呲牙]", "[握手]", "[强]", "[憨笑]"]
TYPOS = [("的", "得"), ("在", "再"), ("已经", "以经"), ("做", "作"), ("吗", "嘛"), ("账", "帐"), ("那", "哪"), ("型", "形")]

# ---------------------------------------------------------------- rep patterns
# 需求挖掘: asks about the customer's situation/needs/volume/pain/budget/decision/timeline.
DISCOVERY = [
    "你们一个班大概几个人操作", "你们现在{part}一个月大概多少量", "现在用的是哪家的设备 用了几年了",
    "目前{part}这块主要卡在哪 是精度还是效率", "这个项目预算大概在什么范围?", "最后拍板是您这边还是要上会定",
    "你们计划什么时候上线 年底前还是明年", "方便说下现在的{metric}大概什么水平吗", "{part}的公差要求是多少",
    "采购流程一般要走多久", "除了您这边还有哪些部门会参与评估", "现在人工检测的话一条线配几个人",
    "之前有没有考虑过自动化 当时卡在哪了", "新厂房那边规划几条线?", "你们主要出口还是内销 对认证有没有要求",
    "现在最头疼的问题是啥", "材料主要是什么 铝还是不锈钢", "每天开几个班 设备是24小时转吗",
    "这次是新增产能还是替换老设备", "您这边对交期有什么要求没", "技术那边最关心的是哪几个指标",
    "我想先了解下你们现在工艺是怎么走的", "换型频繁吗 一天大概换几次", "要不您先跟我讲讲现在产线的情况 我好针对性出方案",
    "上次您提到{metric}不太理想 具体差多少", "产能缺口大概有多大", "是打算一步到位还是先上一台试试水",
    "预算批下来没有 还是还在申请", "{part}现在是外协还是自己做", "你们现在{metric}一般控制在多少",
    "现场空间大概多大 层高够不够", "老板对这个项目最看重什么 是省人还是提质量", "现在这批{prod}是哪年买的 故障多不多",
    "{name}您这边一年大概要采购几台", "咱们这个项目是集团统一招标还是工厂自己定", "下半年订单情况怎么样 会不会继续扩产",
    "你们品质部对{part}有什么特殊检测要求", "现在的人工成本一个人一个月大概多少", "能不能发几张现场的照片我看看工件和夹具",
    "你们之前跟{comp}接触过吗 觉得他们哪里不满意", "这个线计划什么时候招标", "{part}的产品型号多不多 大概多少种",
    "科室现在一天大概做多少例", "方便问下你们今年的设备预算是多少吗", "对自动化程度有要求吗 要不要无人化",
    "除了价格 你们选供应商最看重哪几点", "如果要上的话 谁来负责后期维护", "你们工人现在最抱怨的是哪个环节",
    "{part}良率现在大概多少 目标是多少", "验收标准你们一般怎么定的",
]
# 方案呈现: presents the product/solution with specifics (specs, cases, ROI); rhetorical "?" allowed.
PITCH = [
    "我们这款{prod}{spec} 完全能满足您说的{part}的要求", "给您发下我们在{city}一家做{part}的客户案例 他们上了之后{metric}提升了三成",
    "按您一个月{num}件的量 用我们这套大概一年半就能回本", "这个精度够用吧? 我们标配就是{spec}",
    "我们这个{prod}最大的优势就是{spec} 同行很少能做到", "附件是针对你们{part}做的方案 含自动上下料和在线检测",
    "您说的换型慢的问题 我们有快换夹具 十分钟以内就能换完", "这台设备能省两个人工 一年光人工就省二十来万",
    "视频里这台就是给{city}一家客户做的 工件跟你们的差不多", "您看这个节拍是不是比你们现在快多了?",
    "我们的{prod}带远程运维 出了问题工程师在线就能看", "配置上给您推荐双工位 一边加工一边上料 效率能提40%",
    "我们在{city}有三条线在跑 稳定性没问题的", "这个方案核心就是用视觉替代人工 漏检率能压到万分之五以下",
    "跟您汇报下方案 一共两台{prod} 加一套桁架 节拍能做到45秒一件", "像你们这种多品种小批量的 我们的离线编程特别合适",
    "这是我们给{city}那家做的对比数据 {metric}从原来的3%降到0.5%", "我们这台{spec} 而且标配自动润滑 基本不用管",
    "按三班算 设备利用率能到九成以上 一年多出来的产能差不多能多做{num}件", "{name} 您看这个布局 两台设备共用一个上料口 能省不少地方",
    "我们的软件界面全中文 工人培训两天就能上手", "另外我们可以做MES对接 数据实时上传 您那边看板直接就能看",
    "这款是今年新出的 {spec} 主要就是针对{part}这种工件", "您算下 现在四个人一个班 换成我们这套一个人看两台",
    "报价里这套是含夹具和刀具的 到厂就能直接量产", "我们和{city}那边的几家大厂都合作过 {part}这块经验比较多",
    "这个是去年给客户做的验收报告 {metric}都在您要求的范围内", "简单说就是三个点 精度高 换型快 售后近",
    "我们的设备标配{spec} 这个在行业里算顶配了吧?", "方案里我加了一个自动分拣 不良品直接剔除 不用人再挑",
    "您之前说的{metric}问题 我们用闭环控制来解决 实测波动在2%以内", "样机现在在{city}展厅 跑的就是类似{part}的工件",
    "我们这款能耗比上一代低25% 一年电费能省七八万", "给您做了一个ROI测算 投入{money} 大概二十个月回本",
    "这台是模块化设计 后面要扩产直接加模块就行", "我们有{city}本地服务团队 2小时响应 24小时到现场",
    "按照你们的节拍要求 我们建议上两台{prod}并联 留有15%余量", "这个工艺我们做过很多次 {part}的一次合格率能到99%以上",
    "我把参数表发您 重点看第三页 {spec}", "这个配置给您选的是高配 主要考虑到你们后面要做更难的件",
    "这款{prod}可以兼容你们现有的设备 不用改线", "我们可以按你们的{part}做一套专用夹具 装夹一次完成所有工序",
    "看这组数据就知道了 同样的{part} 我们的{metric}比行业平均好一截", "配套的培训我们也包了 三天现场培训加一年免费远程支持",
    "这个案例客户是做{part}的 规模跟你们差不多 上了两台以后又追加了三台",
]
# 异议处理: answers a customer objection (price, competitor, spec shortfall, delivery, payment, trust).
OBJ_HANDLE = [
    "理解您的顾虑 价格是比{comp}高一点 但我们{spec} 三年下来综合成本反而低", "交期这块您放心 我们{city}有现货 两周内能到厂",
    "精度的问题 我们可以拿您的样件免费试切 用数据说话", "其实很多客户一开始也拿我们跟{comp}比 但您算下售后响应 我们24小时到现场",
    "预算紧的话可以分期 首付三成 剩下按季度付", "我跟您解释下 粗糙度差是因为刀具参数还没调 工程师调完能到Ra0.8",
    "您担心稳定性 我们可以签性能保障协议 达不到指标全额退款", "确实贵一点 不过能耗低三成 电费一年就省回来了",
    "{comp}便宜是便宜 但他们的售后您也知道 坏了要等一周", "付款方式可以商量 验收合格后再付30%也行",
    "这个情况我们遇到过 之前{city}一家客户也担心 后来试用一个月就定了", "价格这块我再去申请一下 但配置我建议别砍 不然{metric}保证不了",
    "您说得对 标配确实达不到 不过我们加一个选配模块就能满足±0.005", "交期三个月是标准配置 您要急的话我们可以先发一台样机过去顶上",
    "品牌确实没有{comp}响 但核心部件跟他们是同一个供应商的", "这个问题问得好 我们的设备是做过三千小时老化测试的 故障率很低",
    "您觉得贵主要是哪块 我们可以把不需要的选配去掉 价格能下来十来万", "担心工人不会用的话 我们派工程师驻厂一周 教会为止",
    "其实不是精度不够 是你们现在的夹具刚性不行 换我们的夹具就没问题", "如果您担心效果 可以先租一台用三个月 满意了再买",
    "您说的那个问题 新版本已经改进了 我发您测试报告看下", "价格我们已经是底价了 不过可以多送一年质保和两套备件",
    "跟{comp}比 我们多了{spec} 这个是他们没有的", "占地大是因为把上下料集成进去了 其实整体算下来比单机加料仓还省地方",
    "维修贵这个您不用担心 质保期内全免费 过保以后备件价格我们写进合同", "合同条款这块可以按你们的模板来 我们法务这边配合改",
    "样件那个毛刺是试模的时候参数问题 下一版我们加了排气 能解决", "您顾虑的数据安全 我们可以本地部署 数据不出厂",
    "认证的事您放心 CE和UL我们都有 证书我马上发您", "我理解领导的顾虑 要不我们出一份投资回报分析 您拿去汇报更有说服力",
    "速度慢是因为当时用的是演示参数 量产参数能快40% 可以再给您现场跑一次", "您说之前吃过亏 这次我们可以把验收标准写进合同 不达标不收钱",
    "价格贵在哪我给您拆开说 光激光器就占一半 我们用的是进口的", "耗材贵的问题 我们有国产替代耗材 价格只有原厂一半",
    "交期确实紧 我们可以分批交付 先交一台保你们开线", "我知道{comp}报得低 但他们那个配置没含自动化 加上以后其实差不多",
    "{name} 您说的有道理 所以我们才提供免费试用 先用再说", "关于售后网点少 我们在{city}刚设了服务站 今年会再加三个",
    "别担心 这个精度我们在别的客户那已经稳定做了两年了 数据可以给您看", "这个价是含三年保养的 单算设备其实比{comp}还便宜",
    "您觉得回本慢 是因为按单班算的 你们两班倒的话一年就回来了", "兼容性这个我们可以先派人去现场看 改造费用我们承担一半",
    "首付比例太高的话 我们可以走融资租赁 每月付一点", "操作复杂是老版本的问题 新版本一键换型 工人很快就熟了",
    "您担心体积大放不下 我们有紧凑型 占地少三分之一", "报价高是因为含了安装调试 {comp}那个是另外收费的",
]
# 其他: greetings, logistics, scheduling, invoices, contracts, small talk (questions included).
OTHER = [
    "{name}早上好", "好的 收到", "发票已经寄出了 顺丰单号发您了", "明天下午两点您方便吗 我过去拜访下",
    "合同我发您邮箱了 麻烦盖章回传一下", "中秋快乐 祝您阖家幸福", "好的 那我周三上午过去", "货已经发出 预计后天到厂",
    "请问开票信息是哪个?", "我这边在开会 晚点回您", "收到 谢谢{name}", "辛苦了辛苦了", "周末愉快",
    "样机下周一装车", "您方便发个定位吗", "对账单已发 请核对下", "尾款麻烦这周安排一下哈", "您到了吗? 我在门口等您",
    "明天几点方便?", "开票抬头和税号发我一下", "好的好的 没问题", "我刚落地{city} 晚上请您吃个饭", "{name}新年快乐 给您拜个早年",
    "我们工程师明天上午到 联系电话我发您", "好的 那就这么定了", "嗯嗯 明白", "麻烦把收货地址再确认下", "今天路上堵 可能晚到十分钟",
    "上次的会议纪要我整理好了 发群里了", "我拉个群吧 把技术和商务都拉进来", "您几号在公司?", "那我们改到下周吧 您看哪天合适",
    "这是我新的手机号 以后打这个", "付款回单收到了 谢谢", "好 我跟财务确认下到账情况", "{name}您好 我是{city}办事处的小刘",
    "不好意思刚才在开车", "展会的门票我给您留了两张", "好的 我让助理把资料打印出来带过去", "收到 我转给同事处理",
    "对了 您那边停车方便吗", "我们下周二下午三点开个视频会?", "请问您这边对接人换了吗?", "好 那您先忙",
    "哈哈 是的是的", "应该的 有事随时找我", "培训时间定在下周四 您通知下操作工", "我周五请假 有事找我同事小王",
    "快递明天上午能到 注意查收", "发票是13个点的专票 已经开好了",
]

# ---------------------------------------------------------------- customer patterns
# (sentiment, objection)
CUST = {
    (1, False): [
        "这个可以啊", "挑不出毛病", "没毛病 比我们现在用的强", "不错 方案挺细的", "行 这个价格能接受",
        "效果确实好 老板看了也说可以", "你们这个服务是真没话说", "可以可以 就按这个来", "样件做得挺漂亮",
        "说实话比{comp}的强", "不得不说 这个{metric}确实快", "没想到这么快就出方案了 给力", "这个案例挺有参考价值 发我一份",
        "找不到理由拒绝了哈哈", "还真挑不出啥毛病", "没啥问题了 走合同吧", "难怪别人推荐你们", "服了 你们这速度",
        "这个精度太狠了", "老板说下周就可以签", "方案我们技术都认可", "不亏 这个配置给得挺足", "你们工程师很专业 点赞",
        "数据很漂亮 我拿去给领导汇报", "嗯 这个思路对 我们要的就是这个", "没得说 就你们家了", "我们领导挺感兴趣的 约个时间来看看",
        "这个回本周期可以 比我们预想的短", "不错不错 比上次那家强太多", "试切的件我们测了 完全没问题", "好得很 就这么办",
        "ok的 这个方案我很满意", "以前怎么没早点认识你们", "这个价位这个配置 良心了", "就冲你们这售后 也得考虑你们",
        "这波可以 我去申请预算", "真心不错 你们再出个正式报价吧", "比我想的好 {prod}这块你们确实专业",
    ],
    (0, False): [
        "一个班三个人", "一个月大概{num}件", "现在用的是{comp}的 用了五六年了", "收到", "好的 我看下", "发我邮箱吧",
        "嗯 明天下午可以", "开票信息我让财务发你", "我们主要做{part}", "公差要求±0.02", "在开会 晚点说",
        "预算还没定 大概{money}左右", "两班倒 晚上一般不开", "主要是{part} 材料是铝的", "嗯", "好", "明白了",
        "地址是工业园区三路8号", "技术那边是{name}在负责", "我们一般走招标 要三家比价", "预计年底前要上线",
        "现在是外协 明年想自己做", "这个要问下我们生产", "目前良率在92%左右", "周四上午吧 我在厂里",
        "你把参数表发我 我转给技术", "厂房层高六米", "现在人工检 一条线四个人", "嗯嗯 你说", "我们老板姓陈 一般他定",
        "到了 你直接进来吧", "知道了", "我看看排期", "样件下周寄给你们", "你们那边有几家客户在用?", "规格书有英文版的吗",
        "现在主要问题是{metric}不稳定", "一年大概采购两三台", "是新增的 替换的话要明年", "发票收到了",
    ],
    (-1, False): [
        "行，我们内部再商量商量", "好的 有需要再联系你", "先这样吧", "今年先不考虑了", "嗯嗯 我们再看看", "领导说先放一放",
        "暂时没这个计划", "回头再说吧", "我们已经定了别家了", "最近比较忙 过段时间再聊", "好 我转给领导看看吧 不一定有戏",
        "不用了 谢谢", "哦", "知道了 有消息通知你", "这个项目可能要往后推了", "我们内部还在讨论 你别催了",
        "资料放那吧 有空再看", "再说吧 最近没预算", "嗯 先不急", "这事不是我能定的 你别找我了", "等明年再看吧",
        "领导最近没空看这个", "我们考虑下 不一定做", "算了 先不弄了", "好吧 那就这样", "先搁着吧",
        "你们的方案我们领导不太感兴趣", "项目暂停了 等通知", "嗯 我们评估完再说 可能要很久", "这周都没空 以后再约吧",
        "别发了 我们现在不需要", "哦 行吧", "我们再对比对比其他家", "不太合适 先不聊了", "上面说不做了",
    ],
    (-1, True): [
        "太贵了 比{comp}贵了十几万", "交期三个月我们等不了", "精度还是不够 我们要±0.005", "你们的售后我们之前吃过亏",
        "这个价格老板肯定不批", "付款条件太苛刻了 我们都是验收后付款", "节拍达不到我们要求啊", "说实话你们品牌知名度不够 领导不放心",
        "{comp}才报{money} 你们这差太多了", "试切的件{metric}不行 返工率太高", "样机跑了两天就报警 这稳定性怎么让人放心",
        "首付五成？不可能的", "你们这个占地太大了 我们车间放不下", "操作太复杂了 我们工人都是老师傅 学不会",
        "上次你们工程师来了也没解决 很失望", "这个报价没法谈 差得太远", "说好两周到 结果一个月还没发货",
        "你们设备耗材太贵了 用不起", "和我们现有系统不兼容 还得改线 太麻烦", "质保才一年？太短了",
        "样件尺寸超差了 根本没法用", "你们这个回本周期算得太乐观了 我们不信", "价格太高了 根本不在考虑范围",
        "你们这方案跟我们要的完全不是一回事", "又涨价？那没法合作了", "算下来比我们现在人工还贵 图啥",
    ],
    (0, True): [
        "样件整体可以 就是粗糙度还差一点", "价格能不能再优惠点", "交期能不能提前两周", "别的都还好 就是占地面积有点大",
        "方案挺好 就是价格再降点就好了", "你们和{comp}比贵了点 有什么优势吗", "精度够 但速度好像慢一点", "付款方式能不能改成三三四",
        "有没有便宜点的配置", "质保能不能延长到三年", "这个报价含不含安装 不含的话有点高", "软件要另外收费吗 感觉不太合理",
        "功能是够的 就是担心售后跟不上", "你们在我们这边没有服务点吧 坏了怎么办", "性能还行 就是担心工人上手慢",
        "报价比预算高了一截 我得跟老板商量", "效果不错 不过耗材成本有点高", "其他没问题 交期再压一压",
        "还可以 就是外观做工比{comp}粗一点", "嗯 思路可以 但是回本周期有点长",
    ],
}
# rep-side prev_text pools for customer messages are drawn from the rep patterns above.

from labeling.actions.more_patterns import CUST_MORE, DISCOVERY2, OBJ_HANDLE2, OTHER2, PITCH2  # noqa: E402

DISCOVERY += DISCOVERY2
PITCH += PITCH2
OBJ_HANDLE += OBJ_HANDLE2
OTHER += OTHER2
for _k, _ts in CUST_MORE.items():
    CUST[_k] = CUST[_k] + _ts
CUST_TEMPLATES = [(k, t) for k, ts in CUST.items() for t in ts]


def fill(tpl: str, rng: random.Random) -> str:
    ind = IND[rng.choice(list(IND))]
    out = tpl
    for key in ("prod", "part", "spec", "comp", "metric"):
        while "{" + key + "}" in out:
            out = out.replace("{" + key + "}", rng.choice(ind[key]), 1)
    out = out.replace("{name}", rng.choice(NAMES)).replace("{city}", rng.choice(CITIES))
    out = out.replace("{num}", rng.choice(NUMS)).replace("{money}", rng.choice(MONEY))
    return out


def noise(text: str, rng: random.Random, speaker: str) -> str:
    r = rng.random()
    if r < 0.25:
        text = text.replace(" ", "，") if rng.random() < 0.5 else text.replace(" ", ",")
    elif r < 0.35:
        text = text.replace(" ", "")
    if rng.random() < 0.15:
        a, b = rng.choice(TYPOS)
        text = text.replace(a, b, 1)
    if rng.random() < 0.2:
        text = text.rstrip("?？") + rng.choice(["哈", "呢", "啊", "哦", "嘛", "哈哈", "~"]) + ("?" if text.endswith(("?", "？")) else "")
    if rng.random() < 0.15:
        text = text + rng.choice(EMOJI)
    if speaker == "rep" and rng.random() < 0.2:
        text = rng.choice([rng.choice(NAMES) + " ", rng.choice(NAMES) + "好 ", "对了 ", "另外 ", "嗯嗯 ", "是这样 "]) + text
    if speaker == "customer" and rng.random() < 0.1:
        text = rng.choice(["嗯 ", "那个 ", "小张 ", "哎 "]) + text
    if rng.random() < 0.05:
        text = text.replace("?", "？")
    return text


def _split_patterns(patterns: list, rng: random.Random) -> dict:
    """Deterministic pattern-level split: 25% test, 10% dev, rest train."""
    idx = list(range(len(patterns)))
    rng.shuffle(idx)
    n_test = max(1, round(len(idx) * 0.25))
    n_dev = max(1, round(len(idx) * 0.10))
    out = {}
    for j, i in enumerate(idx):
        out[i] = "test" if j < n_test else ("dev" if j < n_test + n_dev else "train")
    return out


def build() -> list[dict]:
    rng = random.Random(SEED)
    rows: list[dict] = []
    objection_texts = [t for (s, o), ts in CUST.items() if o for t in ts]
    need_texts = CUST[(0, False)]
    rep_all = DISCOVERY + PITCH + OTHER

    def rep_prev(label: str) -> str:
        r = rng.random()
        if label == "异议处理":
            return fill(rng.choice(objection_texts), rng) if r < 0.85 else ""
        if label == "其他":
            if r < 0.1:
                return fill(rng.choice(objection_texts), rng)
            return fill(rng.choice(need_texts + CUST[(1, False)] + OTHER), rng) if r < 0.8 else ""
        if r < 0.6:
            return fill(rng.choice(need_texts + CUST[(1, False)] + CUST[(-1, False)]), rng)
        if r < 0.8:
            return fill(rng.choice(rep_all), rng)
        return ""

    per_label = {"需求挖掘": (DISCOVERY, 5), "方案呈现": (PITCH, 5), "异议处理": (OBJ_HANDLE, 5), "其他": (OTHER, 5)}
    for label, (pats, k) in per_label.items():
        splits = _split_patterns(pats, rng)
        for i, p in enumerate(pats):
            seen = set()
            for _ in range(k * 3):
                if len(seen) >= k:
                    break
                text = noise(fill(p, rng), rng, "rep")
                if text in seen:
                    continue
                seen.add(text)
                rows.append({"text": text, "speaker": "rep", "prev_text": rep_prev(label), "label": label,
                             "split": splits[i], "template": f"rep/{label}/{i}"})
    splits = _split_patterns(CUST_TEMPLATES, rng)
    for i, ((sent, obj), p) in enumerate(CUST_TEMPLATES):
        seen = set()
        for _ in range(20):
            if len(seen) >= 4:
                break
            text = noise(fill(p, rng), rng, "customer")
            if text in seen:
                continue
            seen.add(text)
            prev = fill(rng.choice(PITCH + DISCOVERY + OBJ_HANDLE + OTHER), rng) if rng.random() < 0.85 else ""
            rows.append({"text": text, "speaker": "customer", "prev_text": prev, "label": sent, "objection": obj,
                         "split": splits[i], "template": f"customer/{sent}/{int(obj)}/{i}"})
    for r in rows:
        r["id"] = "a-" + hashlib.sha1((r["template"] + "|" + r["text"] + "|" + r["prev_text"]).encode()).hexdigest()[:12]
    # stable order, id first
    return [{"id": r.pop("id"), **r} for r in rows]


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter
    print(OUT, len(rows), Counter((r["speaker"], r["split"]) for r in rows))
    print(Counter((r["speaker"], r["label"]) for r in rows))


if __name__ == "__main__":
    main()
