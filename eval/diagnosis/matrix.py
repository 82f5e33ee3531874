"""The capability diagnosis matrix of CONTRACT.md section 6: `diagnose(conversations, since, until)`.

Pipeline: every rep text message is classified (需求挖掘 | 方案呈现 | 异议处理 | 其他) with the
previous message as context; every customer text message gets a sentiment (-1/0/1) and an
objection flag. For each rep and dimension:

- action_density      = actions of that kind / conversations of the rep (in the period)
- customer_sentiment  = mean sentiment of the customer's next message after each action
                        (actions with no customer message after them are left out)
- score (0-100)       = 50 + 25 * (1/3 * z(density) + 2/3 * z(sentiment)), clipped, where z is
                        the rep's z-score against the scored reps of the team (z clipped to ±2,
                        std floored so near-identical reps are not spread apart); a rep with no
                        such action gets the team's mean sentiment (z = 0) and a low density z
- evidence            = the action messages (up to MAX_EVIDENCE), answered ones first

A rep is `low_data` (no scores) with fewer than MIN_SUBSTANTIVE_MESSAGES substantive rep
messages (classified as one of the three sales actions: greetings, logistics, invoices and
scheduling are 其他 and do not count) or fewer than MIN_SUBSTANTIVE_CONVERSATIONS
conversations containing one.
"""
from __future__ import annotations

from datetime import date, datetime, time as dtime
from statistics import mean, pstdev
from typing import Any, Iterable

from extractor.types import BEIJING, Conversation, InputError, iso, parse_time

from . import metrics as M

DIMENSIONS = ("需求挖掘", "方案呈现", "异议处理")
MIN_SUBSTANTIVE_MESSAGES = 10
MIN_SUBSTANTIVE_CONVERSATIONS = 3
MAX_EVIDENCE = 10
W_DENSITY, W_SENTIMENT = 1 / 3, 2 / 3


def _bound(value: Any, field: str, end: bool = False) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=BEIJING)
    if isinstance(value, date):
        return datetime.combine(value, dtime.max if end else dtime.min, tzinfo=BEIJING)
    s = str(value).strip()
    if len(s) == 10 and s[4] == "-":  # a bare date: the whole day
        try:
            d = date.fromisoformat(s)
        except ValueError:
            raise InputError(f"not a date: {value!r}", field=field) from None
        return datetime.combine(d, dtime.max if end else dtime.min, tzinfo=BEIJING)
    return parse_time(s, field)


def _coerce(conversations: Iterable[Any]) -> list[Conversation]:
    out = []
    for i, c in enumerate(conversations):
        if isinstance(c, Conversation):
            out.append(c)
        elif isinstance(c, dict):
            try:
                out.append(Conversation.from_dict(c))
            except InputError as e:
                raise InputError(f"conversation {i + 1}: {e}", line=None, field=e.field) from None
        else:
            raise InputError(f"conversation {i + 1}: expected a conversation object, got {type(c).__name__}")
    return out


def _rep_key(conv: Conversation) -> tuple[str, str]:
    rep = conv.rep or {}
    rid = str(rep.get("id") or rep.get("name") or "unknown")
    name = rep.get("name")
    if not name:  # fall back to the name on the rep's messages
        name = next((m.name for m in conv.messages if m.speaker == "rep" and m.name), None) or rid
    return rid, str(name)


def _z(x: float, xs: list[float], floor: float) -> float:
    if len(xs) < 2:
        return 0.0
    sd = max(pstdev(xs), floor)
    return max(-2.0, min(2.0, (x - mean(xs)) / sd))


def _classify(convs: list[Conversation], models) -> dict:
    """One batch per model: {(conv_idx, msg_idx): label} for rep actions, sentiments, objections."""
    rep_keys, rep_texts, rep_prevs = [], [], []
    cus_keys, cus_texts, cus_prevs = [], [], []
    for ci, c in enumerate(convs):
        prev = ""
        for mi, m in enumerate(c.messages):
            if m.kind != "text" or not m.text.strip():
                continue
            if m.speaker == "rep":
                rep_keys.append((ci, mi)); rep_texts.append(m.text); rep_prevs.append(prev)
            elif m.speaker == "customer":
                cus_keys.append((ci, mi)); cus_texts.append(m.text); cus_prevs.append(prev)
            prev = m.text
    actions = dict(zip(rep_keys, models.rep_actions(rep_texts, rep_prevs))) if rep_keys else {}
    sent = dict(zip(cus_keys, models.customer_sentiment(cus_texts, cus_prevs))) if cus_keys else {}
    obj = dict(zip(cus_keys, models.customer_objection(cus_texts, cus_prevs))) if cus_keys else {}
    return {"actions": actions, "sentiment": sent, "objection": obj}


OBJECTION_PRIOR = 3  # pseudo-objections at the team's rate when scoring 异议处理

OBJECTION_OBSTACLES = {"价格", "技术", "交期", "竞品", "法务", "付款"}


def _extracted_objections(convs: list[Conversation]) -> dict:
    """{(conv_idx, msg_idx): True} for customer messages the extractor cites for 异议 or an obstacle."""
    from extractor.pipeline import extract
    out = {}
    for ci, c in enumerate(convs):
        index = {m.id: mi for mi, m in enumerate(c.messages)}
        for s in extract(c).suggestions:
            if (s.field == "tag" and s.value == "异议") or (
                    s.field == "key_obstacle" and s.value.get("category") in OBJECTION_OBSTACLES):
                for ev in s.evidence:
                    mi = index.get(ev.message_id)
                    if mi is not None and c.messages[mi].speaker == "customer":
                        out[(ci, mi)] = True
    return out


def diagnose(conversations: list[Conversation], since=None, until=None, *, model: str = "model",
             team: str | None = None, include_conversations: bool = False) -> dict:
    """The section-6 matrix for the conversations given (canonical dicts are accepted too).

    since/until: ISO times or dates (a bare date covers the whole day, Beijing time); only
    messages inside the period count, and conversations with none are left out.
    model: "model" (the trained classifiers) or "keywords" (the keyword baseline).
    """
    from models.actions import load_models

    from .advice import advise, low_data_advice

    lo, hi = _bound(since, "since"), _bound(until, "until", end=True)
    if lo and hi and lo > hi:
        raise InputError("since is after until", field="since")
    convs: list[Conversation] = []
    for c in _coerce(conversations):
        msgs = [m for m in c.messages if (lo is None or m.time >= lo) and (hi is None or m.time <= hi)]
        if msgs:
            if len(msgs) != len(c.messages):
                c = Conversation(conversation_id=c.conversation_id, messages=msgs, channel=c.channel, rep=c.rep,
                                 customer_id=c.customer_id, reference_time=c.reference_time)
            convs.append(c)
    times = [m.time for c in convs for m in c.messages]
    period = {"from": iso(lo) if lo else (iso(min(times)) if times else None),
              "to": iso(hi) if hi else (iso(max(times)) if times else None)}

    models = load_models(model)
    cls = _classify(convs, models)
    actions, sent, obj = cls["actions"], cls["sentiment"], cls["objection"]
    if model == "model":
        # the same extraction output the reps confirm: a customer message the extractor cites as
        # evidence of an objection (异议) or of a price/technical/delivery/competitor/legal/payment
        # obstacle is an objection here too
        for key, flag in _extracted_objections(convs).items():
            if flag and key in obj:
                obj[key] = True

    reps: dict[str, dict] = {}
    for ci, c in enumerate(convs):
        rid, name = _rep_key(c)
        r = reps.setdefault(rid, {"rep_id": rid, "name": name, "convs": [], "per_conv_metrics": [],
                                  "acts": {d: [] for d in DIMENSIONS}, "substantive": 0, "subst_convs": 0,
                                  "objections": 0, "objections_answered": 0, "pitch_before_ask": [], "unanswered": [], "obj_outcomes": []})
        r["convs"].append(c)
        r["per_conv_metrics"].append(M.conversation_metrics(c))
        asked = False
        had_subst = False
        pending_obj = None  # the customer's last objection not yet answered
        for mi, m in enumerate(c.messages):
            key = (ci, mi)
            if key in obj and m.speaker == "customer":
                if obj[key]:
                    r["objections"] += 1
                    pending_obj = m
                else:
                    pending_obj = None
            if key not in actions:
                continue
            act = actions[key]
            if pending_obj is not None:  # the rep's first reply to an objection, whatever it is: its outcome
                nxt = _next_customer(c, mi, ci, sent)
                if nxt is not None:
                    r["obj_outcomes"].append(nxt[1])
                if act != "异议处理":
                    r["unanswered"].append((c, pending_obj, m))
                    pending_obj = None
            if act not in DIMENSIONS:
                continue
            had_subst = True
            r["substantive"] += 1
            if act == "需求挖掘":
                asked = True
            elif act == "方案呈现" and not asked:
                r["pitch_before_ask"].append((c, m))
            if act == "异议处理" and pending_obj is not None:
                r["objections_answered"] += 1
            reply = _next_customer(c, mi, ci, sent)
            r["acts"][act].append({"conv": c, "msg": m, "reply": reply[0] if reply else None,
                                   "sentiment": reply[1] if reply else None,
                                   "objection_before": pending_obj})
            if act == "异议处理":
                pending_obj = None
        if had_subst:
            r["subst_convs"] += 1

    # team figures (all reps, scored or not)
    n_conv_total = len(convs)
    team_dims = {}
    for d in DIMENSIONS:
        all_acts = [a for r in reps.values() for a in r["acts"][d]]
        s = [a["sentiment"] for a in all_acts if a["sentiment"] is not None]
        team_dims[d] = {"action_density": round(len(all_acts) / n_conv_total, 2) if n_conv_total else 0.0,
                        "customer_sentiment": round(float(mean(s)), 2) if s else None}

    # per-rep figures, then team-relative scores among the reps with enough data
    out_reps = []
    for r in reps.values():
        n = len(r["convs"])
        r["low_data"] = r["substantive"] < MIN_SUBSTANTIVE_MESSAGES or r["subst_convs"] < MIN_SUBSTANTIVE_CONVERSATIONS
        r["dims"] = {}
        for d in DIMENSIONS:
            acts = r["acts"][d]
            s = [a["sentiment"] for a in acts if a["sentiment"] is not None]
            r["dims"][d] = {"action_density": round(len(acts) / n, 2), "customer_sentiment": round(float(mean(s)), 2) if s else None,
                            "_n": len(acts), "_n_replied": len(s)}
    scored = [r for r in reps.values() if not r["low_data"]]
    for d in DIMENSIONS:
        dens = [r["dims"][d]["action_density"] for r in scored]
        team_s = team_dims[d]["customer_sentiment"] or 0.0
        sents = [r["dims"][d]["customer_sentiment"] if r["dims"][d]["customer_sentiment"] is not None else team_s
                 for r in scored]
        dens_floor = max(0.15, 0.15 * (mean(dens) if dens else 0))
        if d == "异议处理" and any(r["objections"] for r in scored):
            # how often customers object is not the rep's skill: score the share of objections
            # answered and how the customer reacts to the rep's reply (whatever it was)
            rates = [r["objections_answered"] / r["objections"] for r in scored if r["objections"]]
            outs = [mean(r["obj_outcomes"]) for r in scored if r["obj_outcomes"]]
            team_rate, team_out = mean(rates), (mean(outs) if outs else team_s)
            # a rep's rate and outcome are pulled toward the team's by OBJECTION_PRIOR pseudo-
            # objections: two objections say little about a rep's skill, twenty say a lot
            k = OBJECTION_PRIOR
            dens = [(r["objections_answered"] + k * team_rate) / (r["objections"] + k) for r in scored]
            sents = [(sum(r["obj_outcomes"]) + k * team_out) / (len(r["obj_outcomes"]) + k) for r in scored]
            dens_floor = 0.1
        for r, de, se in zip(scored, dens, sents):
            z = W_DENSITY * _z(de, dens, dens_floor) + W_SENTIMENT * _z(se, sents, 0.15)
            r["dims"][d]["score"] = int(round(max(0.0, min(100.0, 50 + 25 * z))))

    for r in sorted(reps.values(), key=lambda r: r["rep_id"]):
        n = len(r["convs"])
        dims_out = {}
        for d in DIMENSIONS:
            acts = sorted(r["acts"][d], key=lambda a: (a["sentiment"] is None,))
            dd = {"action_density": r["dims"][d]["action_density"],
                  "customer_sentiment": r["dims"][d]["customer_sentiment"]}
            if not r["low_data"]:
                dd["score"] = r["dims"][d]["score"]
            dd["evidence"] = [{"conversation_id": a["conv"].conversation_id, "message_id": a["msg"].id}
                              for a in acts[:MAX_EVIDENCE]]
            dims_out[d] = dd
        pooled = M.pooled_metrics(r["per_conv_metrics"])
        pooled.update({"substantive_messages": r["substantive"], "substantive_conversations": r["subst_convs"],
                       "objections_received": r["objections"],
                       "objection_answer_rate": round(r["objections_answered"] / r["objections"], 2) if r["objections"] else None,
                       "objection_outcome_sentiment": round(float(mean(r["obj_outcomes"])), 2) if r["obj_outcomes"] else None})
        rep_out = {"rep_id": r["rep_id"], "name": r["name"], "conversations": n, "dimensions": dims_out}
        if r["low_data"]:
            rep_out["low_data"] = True
            rep_out["low_data_reason"] = (
                f"只有{r['substantive']}条实质性销售消息(需求挖掘/方案呈现/异议处理)、{r['subst_convs']}次含实质内容的对话,"
                f"低于评分门槛(至少{MIN_SUBSTANTIVE_MESSAGES}条消息且至少{MIN_SUBSTANTIVE_CONVERSATIONS}次对话);"
                f"问候、物流、发票和约时间不计入")
            rep_out["advice"] = low_data_advice(r)
        else:
            rep_out["advice"] = advise(r, team_dims, reps=scored)
        rep_out["metrics"] = pooled
        if include_conversations:
            rep_out["conversation_metrics"] = [M.public(x) for x in r["per_conv_metrics"]]
        out_reps.append(rep_out)

    team_out: dict[str, Any] = dict(team_dims)
    result = {"period": period, "team": team_out, "reps": out_reps}
    result["team_metrics"] = M.pooled_metrics([x for r in reps.values() for x in r["per_conv_metrics"]])
    if team is not None:
        result["team_id"] = team
    result["model"] = models.name
    result["thresholds"] = {"min_substantive_messages": MIN_SUBSTANTIVE_MESSAGES,
                            "min_substantive_conversations": MIN_SUBSTANTIVE_CONVERSATIONS}
    return result


def _next_customer(c: Conversation, mi: int, ci: int, sent: dict):
    for j in range(mi + 1, len(c.messages)):
        if (ci, j) in sent:
            return c.messages[j], sent[(ci, j)]
    return None
