"""Builds team_heldout.jsonl: a held-out team for the diagnosis tests, written apart from the
training corpus (own phrasings, never used for tuning). Behaviours built in:

rep-01 陈思远  strong at needs discovery (asks 3-4 questions, customers open up)
rep-02 刘浩    pitches without asking (no discovery, several pitches, customers go cold)
rep-03 王敏    good at objection handling (objections answered with specifics, customers warm up)
rep-04 赵强    weak at objection handling (brushes objections off, customers go cold)
rep-05 孙磊    too little data (two chats of greetings, delivery and invoices)

Run: python tests/data/diagnosis/build_team.py   (deterministic)
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

R = random.Random(7)
OUT = Path(__file__).with_name("team_heldout.jsonl")
CITY = ["嘉兴", "昆山", "中山", "芜湖", "襄阳", "泉州"]

GREET = ["{c}您好 我是{co}的{me} 最近忙不忙", "{c} 早 打扰一下", "{c}下午好 上周展会上加的您微信", "您好{c} 我是{me} 之前电话联系过"]
GREET_BACK = ["你好", "嗯 你说", "在的", "哦 记得 你说吧"]
CLOSE = ["那我周四上午去厂里拜访您 可以吗", "资料我整理好发您邮箱", "好的 我这边安排一下 明天给您回复", "那先不打扰了 有事随时微信我"]
CLOSE_BACK = ["行", "好的", "可以", "ok"]

A_ASK = ["咱们现在这条线一天能出多少件 瓶颈卡在哪一道", "您这边换型大概多长时间 一天要换几回",
         "目前的检测是靠人还是有设备 一个班配几个质检", "这次想改造 主要是为了省人还是为了提良率",
         "这个项目是您这边牵头 还是要报给老板批", "现在那几台老设备用了多少年了 维修费一年大概多少",
         "零件主要是什么材质 最厚的大概多少", "你们对上线时间有没有硬要求 比如跟着新订单走",
         "预算这块心里有个大概的数吗 我好按这个配方案", "后面还有扩产计划吗 要不要预留接口"]
A_ANSWER = ["你问到点子上了 我们最头疼就是换型 一换就是半天", "对 就是这个问题 光返工一个月就好几万 很烦",
            "一天两班 一个班五个人 挺累的 人也不好招", "问得挺细的 说实话之前来的几家都没问过这些",
            "大概一天八百件 瓶颈在去毛刺那道", "是我牵头 最后老板拍板 他对省人这块很感兴趣",
            "老设备七八年了 修得我们都怕了", "铝合金为主 最厚十二毫米", "年底前要跑起来 有个大单等着"]
A_PITCH = ["结合您说的换型慢 我们这套用零点定位加程序调用 换型能压到15分钟 {city}有家做壳体的就是这么改的",
           "按一天八百件算 我们的方案两台设备加一个桁架就够 人员从五个减到两个 一年省四十来万",
           "针对去毛刺那道 我们可以加一个机器人去毛刺工位 节拍跟得上 人工不用再返修"]
A_PITCH_BACK = ["这个思路好 正是我们想要的", "嗯 这个方案挺对路 你再细化一下", "可以 这个数字我拿去跟老板讲"]

B_PITCH = ["我们这款设备是今年最新款 功率大速度快 很多大厂都在用", "给您看下我们的宣传册 产品线很全 什么都能做",
           "我们的设备性价比特别高 {city}那边卖得非常好", "这款是我们的旗舰型号 配置全部拉满 绝对不会让您失望",
           "我们公司成立二十年了 实力您放心 设备质量一流", "再给您推荐一下我们的新款 自动化程度更高",
           "我们做这个很专业的 全国有几百家客户", "这个月订的话有活动 送一年保养"]
B_BACK = ["嗯 资料先放着吧", "我们还没想好要不要换", "你发这么多 我也没时间细看", "行 回头再说",
          "这个跟我们关系不大吧", "嗯 知道了", "暂时用不上", "好吧 我们再研究研究"]
B_OBJ = ["价格多少啊 感觉肯定不便宜", "你们这个我们用不了这么高的配置吧"]
B_OBJ_REPLY = ["我们的设备是一分价钱一分货 这款卖得最好", "我们这个配置是行业最高的 您用了就知道"]

C_ASK = ["您现在最担心的是哪一块 质量还是售后", "这批要上几台 是一次到位还是分批"]
C_ANSWER = ["主要是担心售后 之前吃过亏", "先上两台 效果好再加"]
C_PITCH = ["我们这款视觉方案针对你们的划痕检测专门训练过 漏检率实测0.03% {city}一家做盖板的客户已经用了一年半",
           "按你们两班生产算 两台机器人替下四个岗位 一年半回本 这是给您做的测算表",
           "这套系统可以直接接你们的MES 报表自动生成 品质部不用再手抄"]
C_PITCH_BACK = ["数据挺漂亮的 这个我认可", "嗯 比我们想的要好", "这个测算挺清楚的"]
C_OBJ = ["但你们价格比别家高了差不多十五万", "我们老板担心国产的稳定性不行", "交期要两个多月 我们等不起啊",
         "售后你们在这边连个人都没有吧", "上次试用的那台 误判有点多"]
C_HANDLE = ["价格高主要高在相机和算法上 我把和别家的配置对比表发您 另外培训和两年保养我们打包进去 相当于少了八万",
            "稳定性这块我理解老板的顾虑 我们可以安排去{city}客户现场看 他们已经三班跑了两年 数据都在",
            "交期可以拆开 第一台用库存机 三周内到 第二台按正常排产 不耽误你们开线",
            "售后我们在{city}有常驻工程师 合同里写明4小时响应 到不了现场按天赔",
            "误判多是因为当时样本少 我们补了两千张你们的图重新训练 现在误判降到千分之二 可以再来现场测一次"]
C_HANDLE_BACK = ["这样的话倒是可以考虑", "行 你这么说我心里有底了", "那安排去现场看看 没问题的话就推进", "嗯 这个可以 挺有诚意的"]

D_ASK = ["你们今年有采购计划吗", "现在用的是哪家的"]
D_ANSWER = ["有计划 还在比较", "用的台湾的 用了好几年了"]
D_PITCH = ["我们的{prod}效率比较高 稳定性也不错 {city}有几家在用", "这台{prod}产能一小时能到三百个 精度也有保证"]
D_PITCH_BACK = ["嗯 还行吧", "听着还可以", "哦 这样"]
D_OBJ = ["你们价格太贵了 别家便宜二十万", "交期要三个月 太长了", "我们担心你们售后跟不上",
         "试的那批样件 尺寸不太稳定啊", "付款条件能不能改一下 预付五成太多了"]
D_WEAK = ["价格是公司统一定的 我这边改不了", "那您再考虑考虑吧", "好的 我跟领导反映下", "别家便宜肯定有原因的",
          "这个没办法 大家都是这样的", "嗯嗯 理解 那您看着办"]
D_WEAK_BACK = ["那算了 我们再看看别家", "你这么说就没法谈了", "行吧 先这样", "那就不好说了", "好 知道了 再说吧"]

E_MSG = ["{c}您好 货已经发出了 物流单号稍后发您", "发票已经开好了 快递明天到", "好的 收到", "请问您那边收货人是哪位"]
E_BACK = ["好的", "收到 谢谢", "小李收 电话你有的", "嗯"]

REPS = [("rep-01", "陈思远", "铭锐数控", "A", ["加工中心", "数控车床"]), ("rep-02", "刘浩", "光速激光", "B", ["激光切割机"]),
        ("rep-03", "王敏", "睿视智能", "C", ["视觉检测系统", "协作机器人"]), ("rep-04", "赵强", "恒力装备", "D", ["叠片机", "注塑模具"]),
        ("rep-05", "孙磊", "铭锐数控", "E", ["加工中心"])]
CONTACTS = ["黄总", "吴工", "钱经理", "冯总", "蒋工", "韩主管", "杨总", "朱工", "秦经理", "许总", "何工", "吕总"]


def f(t, **kw):
    kw.setdefault("city", R.choice(CITY))
    return t.format(**kw)


def script(kind, me, co, c, prod):
    k = dict(c=c, me=me, co=co, prod=prod)
    s = [("rep", f(R.choice(GREET), **k)), ("customer", R.choice(GREET_BACK))]
    if kind == "A":
        for q in R.sample(A_ASK, R.choice([3, 4])):
            s += [("rep", q), ("customer", R.choice(A_ANSWER))]
        s += [("rep", f(R.choice(A_PITCH))), ("customer", R.choice(A_PITCH_BACK))]
    elif kind == "B":
        for p in R.sample(B_PITCH, 3):
            s += [("rep", f(p))] + ([("rep", f(R.choice(B_PITCH)))] if R.random() < 0.3 else []) + [("customer", R.choice(B_BACK))]
        if R.random() < 0.4:
            s += [("customer", R.choice(B_OBJ)), ("rep", R.choice(B_OBJ_REPLY)), ("customer", R.choice(B_BACK))]
    elif kind == "C":
        i = R.randrange(2)
        s += [("rep", C_ASK[i]), ("customer", C_ANSWER[i])]
        for p in R.sample(C_PITCH, 2):
            s += [("rep", f(p)), ("customer", R.choice(C_PITCH_BACK))]
        for j in R.sample(range(len(C_OBJ)), 2):
            s += [("customer", C_OBJ[j]), ("rep", f(C_HANDLE[j])), ("customer", R.choice(C_HANDLE_BACK))]
    elif kind == "D":
        i = R.randrange(2)
        s += [("rep", D_ASK[i]), ("customer", D_ANSWER[i])]
        s += [("rep", f(R.choice(D_PITCH), prod=prod)), ("customer", R.choice(D_PITCH_BACK))]
        for o in R.sample(D_OBJ, 2):
            s += [("customer", o), ("rep", R.choice(D_WEAK)), ("customer", R.choice(D_WEAK_BACK))]
    elif kind == "E":
        return [("rep", f(R.choice(E_MSG[:2]), **k)), ("customer", R.choice(E_BACK)), ("rep", R.choice(E_MSG[2:])),
                ("customer", R.choice(E_BACK))]
    if kind != "D" or R.random() < 0.5:
        s += [("rep", R.choice(CLOSE)), ("customer", R.choice(CLOSE_BACK))]
    return s


def main():
    lines = []
    n = 0
    for rid, name, co, kind, prods in REPS:
        count = 2 if kind == "E" else R.randint(9, 11)
        for j in range(count):
            n += 1
            start = datetime(2026, 3, 2, 9, 0) + timedelta(days=R.randint(0, 27), minutes=R.randint(0, 480))
            t = start
            c = R.choice(CONTACTS)
            msgs = []
            prev_sp = None
            for i, (sp, text) in enumerate(script(kind, name, co, c, R.choice(prods)), 1):
                gap = R.randint(20, 90) if sp == prev_sp else (R.randint(60, 1500) if sp == "rep" else R.randint(60, 3600))
                t = t + timedelta(seconds=gap) if i > 1 else t
                msgs.append({"id": f"m{i}", "speaker": sp, "name": name if sp == "rep" else c,
                             "time": t.strftime("%Y-%m-%dT%H:%M:%S+08:00"), "text": text})
                prev_sp = sp
            lines.append({"conversation_id": f"team-{rid}-{j + 1:02d}", "channel": "wechat",
                          "rep": {"id": rid, "name": name}, "messages": msgs})
    with OUT.open("w", encoding="utf-8") as fh:
        for x in lines:
            fh.write(json.dumps(x, ensure_ascii=False) + "\n")
    print(OUT, len(lines), "conversations")


if __name__ == "__main__":
    main()
