"""Chat-native interaction metrics (pure Python; see docs/diagnosis.md for the definitions).

Per conversation and pooled per rep:
- reply latency: seconds from the last message of one side's turn to the first message of
  the other side's next turn (customer→rep = rep latency, rep→customer = customer latency);
  medians, `None` when there is no such turn change. `other` speakers are ignored.
- message share: the rep's share of the rep + customer messages.
- question density: the share of the rep's text messages that are questions by their form
  (question mark, a final 吗/呢/么, or an interrogative word such as 多少/几/哪/什么/有没有).
- bursts: a burst is a run of ≥ 2 consecutive messages by one side, each sent within
  BURST_GAP_S (120 s) of the previous one; counted per side.
"""
from __future__ import annotations

import re
from statistics import median

BURST_GAP_S = 120
_Q_WORDS = re.compile(r"多少|几[个台次道条年天种套件人]|多大|多久|多重|什么|啥|怎么|哪|有没有|是否|是不是|能不能|要不要")


def is_question(text: str) -> bool:
    t = (text or "").strip()
    if not t:
        return False
    t2 = re.sub(r"\[[^\[\]]{1,6}\]|[~～。.!！\s]+$", "", t)
    return "?" in t or "？" in t or t2.endswith(("吗", "呢", "么", "没", "不")) or bool(_Q_WORDS.search(t))


def _turn_stats(messages) -> dict:
    rep_lat: list[float] = []
    cus_lat: list[float] = []
    bursts = {"rep": 0, "customer": 0}
    burst_msgs = {"rep": 0, "customer": 0}
    prev = None
    run = 1
    for m in messages:
        if m.speaker not in ("rep", "customer"):
            continue
        if prev is not None:
            gap = (m.time - prev.time).total_seconds()
            if m.speaker != prev.speaker:
                (rep_lat if m.speaker == "rep" else cus_lat).append(max(0.0, gap))
                run = 1
            elif gap <= BURST_GAP_S:
                run += 1
                if run == 2:
                    bursts[m.speaker] += 1
                    burst_msgs[m.speaker] += 2
                else:
                    burst_msgs[m.speaker] += 1
            else:
                run = 1
        prev = m
    return {"rep_lat": rep_lat, "cus_lat": cus_lat, "bursts": bursts, "burst_msgs": burst_msgs}


def _median(xs):
    return round(median(xs), 1) if xs else None


def conversation_metrics(conv) -> dict:
    st = _turn_stats(conv.messages)
    rep = [m for m in conv.messages if m.speaker == "rep"]
    cus = [m for m in conv.messages if m.speaker == "customer"]
    rep_text = [m for m in rep if m.text.strip()]
    q = sum(is_question(m.text) for m in rep_text)
    return {
        "conversation_id": conv.conversation_id,
        "rep_messages": len(rep), "customer_messages": len(cus),
        "rep_reply_latency_median_s": _median(st["rep_lat"]),
        "customer_reply_latency_median_s": _median(st["cus_lat"]),
        "rep_message_share": round(len(rep) / (len(rep) + len(cus)), 3) if rep or cus else None,
        "rep_questions": q,
        "question_density": round(q / len(rep_text), 3) if rep_text else None,
        "rep_bursts": st["bursts"]["rep"], "customer_bursts": st["bursts"]["customer"],
        "_rep_lat": st["rep_lat"], "_cus_lat": st["cus_lat"], "_rep_text": len(rep_text),
    }


def public(cm: dict) -> dict:
    return {k: v for k, v in cm.items() if not k.startswith("_")}


def pooled_metrics(per_conv: list[dict]) -> dict:
    """Per rep (or team): latencies pooled over all turn changes, shares and densities over all messages."""
    rep_lat = [x for c in per_conv for x in c["_rep_lat"]]
    cus_lat = [x for c in per_conv for x in c["_cus_lat"]]
    n_rep = sum(c["rep_messages"] for c in per_conv)
    n_cus = sum(c["customer_messages"] for c in per_conv)
    n_txt = sum(c["_rep_text"] for c in per_conv)
    q = sum(c["rep_questions"] for c in per_conv)
    n = len(per_conv)
    return {
        "conversations": n, "rep_messages": n_rep, "customer_messages": n_cus,
        "rep_reply_latency_median_s": _median(rep_lat),
        "customer_reply_latency_median_s": _median(cus_lat),
        "rep_message_share": round(n_rep / (n_rep + n_cus), 3) if n_rep + n_cus else None,
        "question_density": round(q / n_txt, 3) if n_txt else None,
        "questions_per_conversation": round(q / n, 2) if n else None,
        "rep_bursts_per_conversation": round(sum(c["rep_bursts"] for c in per_conv) / n, 2) if n else None,
        "customer_bursts_per_conversation": round(sum(c["customer_bursts"] for c in per_conv) / n, 2) if n else None,
    }
