"""Message-level classifier for the signal fields (tag, key_obstacle, stage).

Features are hashed (2**18 buckets): character 1–3-grams of the normalised message,
bigrams marked with the speaker, a question flag, the previous message's bigrams
(context: an objection answered, a question replied to) and the next message's (the
reply: 抱歉 / 那我们再让一点 after a complaint or a haggle; out of fold on train this lifted
tag F1 0.880→0.883 and obstacle F1 0.832→0.839). rjieba word features were tried
and added nothing on dev beyond the character n-grams, so they are left out (faster, and
no segmenter to load).
The character n-grams are hashed with numpy over the code points in one go, so scoring
a message costs a few array operations instead of hundreds of dict look-ups. One binary
logistic model per label, trained with scikit-learn (liblinear, dual). The .npz stores, per
weight matrix, the hash buckets that have a weight and their rows (float16), uncompressed:
loading is a read, not a 50 ms inflate and a 33 MB scatter; scoring gathers those rows
through a bucket → row index (`CompactWeights`), with the same values and sums as the dense
matrix. Artifacts in the older (bucket, label, value) format still load.

Conversation level, a label's score stacks what the classifier and the rules say:
  z = a·(max message logit) + b·(conversation logit) + c·(rule strength) + d, fitted on
  out-of-fold predictions of the train split; the pipeline calibrates the result on dev.
"""
from __future__ import annotations

import json
import math
import os
import re
import threading
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SIGNAL_FIELDS = ("tag", "key_obstacle", "stage", "decision_role", "industry")
# fields whose candidates the classifier rescores; a model only rescores the fields it has labels
# for (an artifact trained before decision_role/industry were added leaves their rule scores alone)
NEXT_FEATURES = True  # train with the next message's bigrams; recorded in the model's meta
C_CONV = 1.0
RULE_SCALE = 5.0  # rule strength (0–1) on the scale of the logits, so regularisation does not mute the rules
DIM = 1 << 18
_PUNCT = re.compile(r"[\s,，。!！?？;；:：~～…、\"“”'‘’()（）\[\]【】]+")
_NP = None


def _np():
    global _NP
    if _NP is None:
        import numpy
        _NP = numpy
    return _NP


PRUNE = 0.005  # weights smaller than this are not stored


class CompactWeights:
    """The rows of a (DIM × labels) weight matrix that have a weight, behind a bucket → row
    index: `W[keys]` (integer keys) gives the same float32 rows as the dense matrix (bucket rows without a
    weight read a zero row) in about 40% of its memory (some 100k of 262k buckets carry a weight)."""
    __slots__ = ("index", "block", "shape")

    def __init__(self, buckets, block):
        np = _np()
        # float32 in memory (stored as float16): a gather then needs no conversion per call
        self.block = np.zeros((len(block) + 1, block.shape[1]), dtype=np.float32)
        self.block[:-1] = block
        self.index = np.full(DIM, len(block), dtype=np.int32)
        self.index[buckets] = np.arange(len(block), dtype=np.int32)
        self.shape = (DIM, block.shape[1])

    def __getitem__(self, keys):
        np = _np()
        return np.take(self.block, np.take(self.index, keys), axis=0)  # 2.5x faster than fancy indexing here

    @classmethod
    def from_dense(cls, W):
        np = _np()
        keep = np.abs(W) >= PRUNE
        rows = np.nonzero(keep.any(axis=1))[0]
        # float16 and pruned, as stored (train() itself stacks on the unpruned float32 weights; only a
        # saved and loaded model scores with these)
        return cls(rows.astype(np.int32), np.where(keep[rows], W[rows], 0).astype(np.float16))

    def buckets(self):
        np = _np()
        return np.nonzero(self.index < len(self.block) - 1)[0].astype(np.int32)

    def dense(self):
        np = _np()
        W = np.zeros(self.shape, dtype=np.float32)
        b = self.buckets()
        W[b] = self.block[self.index[b]]
        return W


def _codes(t: str):
    np = _np()
    return np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)


def _quote_format(text: str) -> bool:
    from extractor.fields.signals import QUOTE_FORMAT
    return QUOTE_FORMAT.search(text) is not None


def _mix(a, salt: int):
    """Spread a family of integer keys over the hash space (salt keeps families apart)."""
    return ((a * 2654435761 + salt * 97531) ^ (a >> 13)) % DIM


@lru_cache(maxsize=1 << 16)
def _str_hash(w: str, salt: int) -> int:
    return (zlib.crc32(w.encode("utf-8")) * 31 + salt * 7919) % DIM


def _unique_sorted(a):
    """np.unique for a small int array, without its hashing path (10x slower at this size)."""
    np = _np()
    if len(a) == 0:
        return a
    s = np.sort(a)
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def featurize(text: str, speaker: str, prev: str = ""):
    """Feature indices (numpy int64, duplicates kept: a repeated n-gram counts twice) of one message."""
    return featurize_many([(text, speaker, prev)])[0]


def featurize_many(items: list[tuple[str, str, str]]) -> list:
    """Features of several messages at once (one array per message); see featurize_flat."""
    if not items:
        return []
    flat, bounds = featurize_flat(items)
    return [flat[bounds[i]:bounds[i + 1]] for i in range(len(items))]


def featurize_flat(items: list[tuple[str, str, str]]):
    """(keys, bounds): the features of message i are keys[bounds[i]:bounds[i + 1]], every
    message has at least one. The character n-grams of all messages are hashed in one
    numpy pass over their concatenated code points (n-grams crossing a message boundary
    are dropped)."""
    np = _np()
    texts = [_PUNCT.sub(" ", it[0]).strip() for it in items]
    prevs = [_PUNCT.sub(" ", it[2])[-24:] for it in items]
    nexts = [_PUNCT.sub(" ", it[3])[:24] if len(it) > 3 else "" for it in items]
    sep = "\x00"
    joined = sep.join(texts) + sep
    cp = _codes(joined)
    pc = _codes(sep.join(prevs) + sep)
    # which message each code point belongs to, and the speaker mark per position
    lens = np.array([len(t) + 1 for t in texts])
    owner = np.repeat(np.arange(len(items)), lens)
    spk = np.array([1 if it[1] == "customer" else 2 for it in items])[owner]
    plens = np.array([len(p) + 1 for p in prevs])
    powner = np.repeat(np.arange(len(items)), plens)
    keys, who = [], []
    ok1 = (cp != 32) & (cp != 0)
    keys.append(cp[ok1] * 16 + 2)
    who.append(owner[ok1])
    bi = cp[:-1] * 1_114_112 + cp[1:]
    ok2 = (cp[:-1] != 0) & (cp[1:] != 0)
    keys += [bi[ok2] * 16 + 3, (bi[ok2] * 4 + spk[:-1][ok2]) * 16 + 4]
    who += [owner[:-1][ok2], owner[:-1][ok2]]
    tri = (cp[:-2] * 1_114_112 + cp[1:-1]) * 1_114_112 + cp[2:]
    ok3 = (cp[:-2] != 0) & (cp[1:-1] != 0) & (cp[2:] != 0)
    keys.append(tri[ok3] * 16 + 5)
    who.append(owner[:-2][ok3])
    pb = pc[:-1] * 1_114_112 + pc[1:]
    okp = (pc[:-1] != 0) & (pc[1:] != 0)
    keys.append(pb[okp] * 16 + 9)
    who.append(powner[:-1][okp])
    # per message: its speaker, and whether it asks (after its n-grams: stable sort below)
    # (rjieba word features added nothing on dev beyond the character n-grams: dropped for speed)
    if any(len(it) > 3 for it in items):  # the reply (抱歉 / 那我们再让一点 after a complaint or a haggle)
        nc = _codes(sep.join(nexts) + sep)
        nlens = np.array([len(q) + 1 for q in nexts])
        nowner = np.repeat(np.arange(len(items)), nlens)
        nb = nc[:-1] * 1_114_112 + nc[1:]
        okn = (nc[:-1] != 0) & (nc[1:] != 0)
        keys.append(nb[okn] * 16 + 10)
        who.append(nowner[:-1][okn])
    ek, ew = [], []
    for i, it in enumerate(items):
        text, speaker = it[0], it[1]
        ek.append(_str_hash("S=" + speaker[:1], 1))
        ew.append(i)
        if "?" in text or "？" in text or "吗" in text:
            ek.append(_str_hash("Q", 6))
            ew.append(i)
    k = np.concatenate([_mix(np.concatenate(keys), 0), np.array(ek, dtype=np.int64)])
    w = np.concatenate(who + [np.array(ew, dtype=np.int64)])
    order = np.argsort(w, kind="stable")
    k, w = k[order], w[order]
    return k, np.searchsorted(w, np.arange(len(items) + 1))


def conv_message_labels(conv: dict) -> dict[str, set[str]]:
    gold, ev = conv.get("gold", {}), conv.get("gold_evidence", {})
    labels: dict[str, set[str]] = {}
    for key, ids in ev.items():
        if key.startswith("tag:"):
            lab = key
        elif key == "key_obstacle" and "key_obstacle" in gold:
            lab = "key_obstacle:" + gold["key_obstacle"]["category"]
        elif key == "stage" and "stage" in gold:
            lab = "stage:" + gold["stage"]
        elif key.startswith("decision_role:"):
            lab = key
        elif key == "industry" and "industry" in gold:
            lab = "industry:" + gold["industry"]
        else:
            continue
        for mid in ids:
            labels.setdefault(mid, set()).add(lab)
    return labels


def conv_labels(conv: dict) -> set[str]:
    gold = conv.get("gold", {})
    out = {"tag:" + t for t in gold.get("tag", [])}
    if "key_obstacle" in gold:
        out.add("key_obstacle:" + gold["key_obstacle"]["category"])
    if "stage" in gold:
        out.add("stage:" + gold["stage"])
    out |= {"decision_role:" + r for r in gold.get("decision_role", [])}
    if "industry" in gold:
        out.add("industry:" + gold["industry"])
    return out


def all_labels() -> list[str]:
    from extractor.types import INDUSTRIES, OBSTACLES, ROLES, STAGES, TAGS
    return ([f"tag:{t}" for t in TAGS] + [f"key_obstacle:{o}" for o in OBSTACLES] + [f"stage:{s}" for s in STAGES]
            + [f"decision_role:{r}" for r in ROLES] + [f"industry:{i}" for i in INDUSTRIES])


def _messages(conv_dict: dict):
    """(message dict, normalised text, prev normalised text) for messages with text."""
    from extractor.fields.base import Ctx
    from extractor.types import Conversation
    c = Conversation.from_dict({k: v for k, v in conv_dict.items() if k not in ("gold", "gold_evidence", "notes")})
    ctx = Ctx.build(c)
    prev = ""
    out = []
    for x in ctx.msgs:
        if x.text and x.speaker in ("rep", "customer"):
            out.append((x, prev))
            prev = x.text
    return ctx, out


@dataclass
class TextModel:
    labels: list[str]
    weights: dict[str, list[float]]  # feature → per-label weight
    bias: list[float]
    stack: dict[str, list[float]] = field(default_factory=dict)  # label → [a_msg, a_conv, b_rule, c]
    meta: dict = field(default_factory=dict)
    conv_weights: dict[str, list[float]] = field(default_factory=dict)  # conversation-level bag of features
    conv_bias: list[float] = field(default_factory=list)

    def message_logits(self, feats) -> list[float]:
        z = self.weights[feats].sum(axis=0)
        return [b + float(v) for b, v in zip(self.bias, z)]

    def conv_scores(self, ctx) -> dict[str, tuple[float, object]]:
        """label → (max message logit, the message that had it); key '__conv__' → conversation logits."""
        np = _np()
        best: dict[str, tuple[float, object]] = {}
        msgs = [x for x in ctx.msgs if x.text and x.speaker in ("rep", "customer")]
        bag = np.zeros(0, dtype=np.int64)
        if msgs:
            nxt = self.meta.get("next_features", False)  # a model scores with the features it was trained on
            flat, bounds = featurize_flat([(x.text, x.speaker, msgs[i - 1].text if i else "")
                                           + ((msgs[i + 1].text if i + 1 < len(msgs) else "",) if nxt else ())
                                           for i, x in enumerate(msgs)])
            # one gather and one segmented sum for all messages (no message is featureless)
            Z = np.add.reduceat(self.weights[flat], bounds[:-1], axis=0) + np.asarray(self.bias, dtype=np.float32)
            top = Z.argmax(axis=0)
            for j, lab in enumerate(self.labels):
                best[lab] = (float(Z[top[j], j]), msgs[top[j]])
            bag = _unique_sorted(flat)
        best["__conv__"] = (0.0, self.conv_logits(bag))
        return best

    def conv_logits(self, bag) -> list[float]:
        if not self.conv_bias:
            return [0.0] * len(self.labels)
        z = self.conv_weights[bag].sum(axis=0)
        return [b + float(v) for b, v in zip(self.conv_bias, z)]

    def __post_init__(self):
        self.label_set = frozenset(self.labels)
        self._parts = [(lab, *lab.split(":", 1)) for lab in self.labels]  # (label, field, value), split once
        self._coef = {lab: self._coefficients(lab) for lab in self.labels}  # label → its four stacking coefficients
        # the fields this model rescores: those it has labels for (an older artifact leaves the others alone)
        self.fields = frozenset(lab.split(":", 1)[0] for lab in self.labels)

    def _coefficients(self, label: str) -> tuple:
        return tuple((list(self.stack.get(label, (1.0, 0.0, 0.0, 0.0))) + [0.0] * 4)[:4])

    def stacked(self, label: str, logit: float, conv: float, rule: float) -> float:
        coef = self._coef.get(label)
        a, b, c, d = coef if coef is not None else self._coefficients(label)
        return a * logit + b * conv + c * RULE_SCALE * rule + d

    def rescore(self, ctx, cands):
        from extractor.fields.base import suggestion
        scores = self.conv_scores(ctx)
        conv_z = dict(zip(self.labels, scores.pop("__conv__")[1]))
        fields = self.fields
        out = [s for s in cands if s.field not in fields]
        rule_by_label = {}
        for s in cands:
            if s.field in fields:
                v = s.value["category"] if s.field == "key_obstacle" else s.value
                lab = f"{s.field}:{v}"
                if lab not in rule_by_label or (s.score or 0.0) > (rule_by_label[lab].score or 0.0):
                    rule_by_label[lab] = s  # one candidate per value: the strongest rule's evidence
                if lab not in self.label_set:
                    out.append(s)  # a value the model has no label for keeps its rule score
        for lab, fld, val in self._parts:
            logit, x = scores.get(lab, (-10.0, None))
            rule = rule_by_label.get(lab)
            z = self.stacked(lab, logit, conv_z.get(lab, 0.0), rule.score if rule else 0.0)
            p = 1 / (1 + math.exp(-max(-30, min(30, z))))
            if rule is not None and rule.features.get("veto"):
                out.append(rule)  # the rules say this mention is explicitly no part (寄到采购部 / 不用报老板)
                continue
            if rule is not None:
                rule.score = p
                rule.features["clf_logit"] = logit
                if x is not None and 1 / (1 + math.exp(-max(-30.0, min(30.0, logit)))) > 0.5:
                    same = any(e.message_id == x.id for e in rule.evidence)
                    rule.reason += f";模型也判断此消息为{val}" if same else f";模型也判断对话中有{val}的表述"
                out.append(rule)
            elif x is not None and p >= 0.2 and logit > 0.0 and not (fld == "stage" and _quote_format(x.text)):
                # the classifier itself must believe a message shows it; a 报价单 format request alone
                # (有效期/抬头/盖章) shows no stage (CONTRACT example p-005), whatever the words around it
                prob = 1 / (1 + math.exp(-max(-30.0, min(30.0, logit))))
                who = "客户" if x.speaker == "customer" else "销售"
                snippet = x.m.text.strip()
                short = snippet if len(snippet) <= 24 else snippet[:24] + "…"
                if fld == "key_obstacle":
                    value = {"category": val, "detail": short}
                    reason = f"文本分类模型判断{who}消息“{short}”反映{val}障碍(消息概率{prob:.2f})"
                elif fld == "stage":
                    value = val
                    reason = f"文本分类模型判断{who}消息“{short}”显示已进入{val}阶段(消息概率{prob:.2f})"
                elif fld == "decision_role":
                    value = val
                    reason = f"文本分类模型判断{who}消息“{short}”显示客户方{val}参与决策(消息概率{prob:.2f})"
                elif fld == "industry":
                    value = val
                    reason = f"文本分类模型判断{who}消息“{short}”表明客户属于{val}行业(消息概率{prob:.2f})"
                else:
                    value = val
                    reason = f"文本分类模型判断{who}消息“{short}”属于“{val}”(消息概率{prob:.2f})"
                ev = x.evidence(0, len(x.text))
                out.append(suggestion(fld, value, p, [ev], reason, "textclf", clf_logit=logit))
        return out

    def save(self, path: Path) -> None:
        """Uncompressed .npz (git compresses it anyway; a read loads faster than an inflate):
        per matrix the buckets with a weight ≥ PRUNE and their rows in float16, and a JSON header."""
        np = _np()
        head = {"labels": self.labels, "bias": self.bias, "stack": self.stack, "meta": self.meta,
                "conv_bias": self.conv_bias, "dim": DIM, "format": 2}
        arrays = {}
        for name, W in (("msg", self.weights), ("conv", self.conv_weights)):
            cw = W if isinstance(W, CompactWeights) else CompactWeights.from_dense(np.asarray(W))
            arrays[f"{name}_buckets"] = cw.buckets()
            arrays[f"{name}_rows"] = cw.block[:-1].astype(np.float16)
        with open(path, "wb") as f:
            np.savez(f, head=np.frombuffer(json.dumps(head, ensure_ascii=False).encode(), dtype=np.uint8), **arrays)

    @classmethod
    def load(cls, path: Path) -> "TextModel":
        np = _np()
        with np.load(path) as z:
            head = json.loads(bytes(z["head"]).decode())
            if head.get("dim", DIM) != DIM:
                raise ValueError(f"{path}: model hashed into {head.get('dim')} buckets, this code uses {DIM}")
            mats = []
            for name in ("msg", "conv"):
                if f"{name}_buckets" in z.files:
                    mats.append(CompactWeights(z[f"{name}_buckets"], z[f"{name}_rows"]))
                else:  # the first format: (bucket, label, value) triplets, compressed
                    r, c, v = z[f"{name}_r"], z[f"{name}_c"], z[f"{name}_v"]
                    rows, pos = np.unique(r, return_inverse=True)
                    block = np.zeros((len(rows), len(head["labels"])), dtype=np.float16)
                    block[pos, c] = v
                    mats.append(CompactWeights(rows.astype(np.int32), block))
        return cls(head["labels"], mats[0], head["bias"], {k: list(v) for k, v in head.get("stack", {}).items()},
                   head.get("meta", {}), mats[1], head.get("conv_bias", []))


def model_path() -> Path:
    from models.calibration import model_dir
    return model_dir() / "textclf.npz"


@lru_cache(maxsize=1)
def current_model() -> TextModel | None:
    import os
    p = model_path()
    if os.environ.get("CHAT2CRM_RULES_ONLY") or not p.exists():
        return None
    return TextModel.load(p)


# ---------------------------------------------------------------- training

def known_labels(conv: dict) -> set[str] | None:
    """For partial gold made from rep decisions (labeling.io.aggregate): the labels whose
    truth is known. None means fully labelled. A decided single-valued field makes all of
    its values known (one is right, so the others are not); a multi-valued field knows
    only the values accepted or rejected (Prodigy semantics: unanswered is unknown)."""
    if not conv.get("partial"):
        return None
    from extractor.types import INDUSTRIES, OBSTACLES, STAGES
    gold, neg = conv.get("gold", {}), conv.get("negatives", {})
    known: set[str] = set()
    for fld in conv.get("labelled", []):
        if fld == "stage" and "stage" in gold:
            known |= {f"stage:{x}" for x in STAGES}
        elif fld == "key_obstacle" and "key_obstacle" in gold:
            known |= {f"key_obstacle:{x}" for x in OBSTACLES}
        elif fld == "industry" and "industry" in gold:
            known |= {f"industry:{x}" for x in INDUSTRIES}
        elif fld in ("tag", "decision_role"):
            known |= {f"{fld}:{v}" for v in gold.get(fld, [])} | {f"{fld}:{v}" for v in neg.get(fld, [])}
        elif fld in ("stage", "key_obstacle", "industry"):
            for v in neg.get(fld, []):
                known.add(f"{fld}:{v['category'] if isinstance(v, dict) else v}")
    return known


def _design(convs: list[dict]):
    """Message rows and conversation rows: (conv index, features, label set, known labels or None)."""
    rows, crows = [], []
    for ci, conv in enumerate(convs):
        mlabels = conv_message_labels(conv)
        known = known_labels(conv)
        ctx, msgs = _messages(conv)
        allf = featurize_many([(x.text, x.speaker, prev)
                               + ((msgs[j + 1][0].text if j + 1 < len(msgs) else "",) if NEXT_FEATURES else ())
                               for j, (x, prev) in enumerate(msgs)])
        for (x, prev), feats in zip(msgs, allf):
            labs = mlabels.get(x.id, set())
            # partial gold: a message row is known only for the labels it is evidence of
            rows.append((ci, feats, labs, None if known is None else labs & known))
        np = _np()
        crows.append((ci, np.unique(np.concatenate(allf)) if allf else np.zeros(0, dtype=np.int64),
                      conv_labels(conv), known))
    return rows, crows


def fit_linear(rows, labels: list[str], C: float = 4.0, seed: int = 0, min_df: int = 2):
    """One binary logistic model per label over hashed features → (dense weights DIM×L, biases)."""
    np = _np()
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression
    rows = [r if len(r) == 4 else (*r, None) for r in rows]
    ind = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, dtype=np.int64)
    ptr = np.concatenate([[0], np.cumsum([len(r[1]) for r in rows])])
    X = csr_matrix((np.ones(len(ind), dtype=np.float64), ind, ptr), shape=(len(rows), DIM))
    df = np.bincount(ind, minlength=DIM)
    X = X[:, :]  # copy
    X.data[df[X.indices] < min_df] = 0.0  # rare features carry no weight
    X.eliminate_zeros()
    W = np.zeros((DIM, len(labels)), dtype=np.float32)
    bias = []
    for j, lab in enumerate(labels):
        keep = [i for i, r in enumerate(rows) if r[3] is None or lab in r[3]]  # unknown rows sit out
        y = [1 if lab in rows[i][2] else 0 for i in keep]
        if sum(y) < 2 or sum(y) == len(y):
            bias.append(-8.0)
            continue
        # dual liblinear: far faster when features outnumber messages
        clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced", random_state=seed, solver="liblinear",
                                 dual=True)
        clf.fit(X[keep] if len(keep) < len(rows) else X, y)
        bias.append(float(clf.intercept_[0]))
        W[:, j] = clf.coef_[0].astype(np.float32)
    return W, bias


_FOLD_JOB = None  # what the fit tasks of a running train() read (set before the workers fork)
_TRAIN_LOCK = threading.Lock()


def _fit_task(task: tuple) -> tuple:
    """One independent piece of training: ("fold", k) fits fold k's message and conversation
    models and scores its held-out conversations; ("msg",) and ("conv",) fit the final models."""
    job = _FOLD_JOB
    labels, folds, C, seed = job["labels"], job["folds"], job["C"], job["seed"]
    if task[0] == "msg":
        return task, fit_linear(job["final_rows"], labels, C=C, seed=seed)
    if task[0] == "conv":
        return task, fit_linear(job["final_crows"], labels, C=C_CONV, seed=seed, min_df=2)
    k, convs = task[1], job["train_convs"]
    w, b = fit_linear([r for r in job["rows"] if r[0] % folds != k], labels, C=C, seed=seed)
    cw, cb = fit_linear([r for r in job["crows"] if r[0] % folds != k], labels, C=C_CONV, seed=seed, min_df=2)
    m = TextModel(labels, w, b, meta={"next_features": NEXT_FEATURES}, conv_weights=cw, conv_bias=cb)
    out = []
    for i in range(k, len(convs), folds):
        ctx, _ = _messages(convs[i])
        sc = m.conv_scores(ctx)
        zc = dict(zip(labels, sc.pop("__conv__")[1]))
        out.append((i, {lab: z for lab, (z, _x) in sc.items()}, zc))
    return task, out


def _run_tasks(tasks: list[tuple], meanwhile=None, on_done=None):
    """The fit tasks one after another, or side by side in forked processes on Linux where the
    machine has cores to spare (CHAT2CRM_TRAIN_WORKERS caps them; 1 runs them in this process).
    Every fit is seeded inside the process that runs it (liblinear's generator is per process,
    which is why threads are not used), so the model is byte-identical either way. `meanwhile`
    runs in this process while the workers fit; `on_done(task)` is called as each task finishes.
    Returns [(task, result)] in task order."""
    from extractor.procs import can_fork, env_workers, usable_cores
    workers = min(len(tasks), usable_cores(), env_workers("CHAT2CRM_TRAIN_WORKERS", 4))
    global LAST_TRAIN_WORKERS
    if workers >= 2 and can_fork():
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool
        from extractor.procs import fork_pool
        try:
            with fork_pool(workers) as pool:
                futs = [pool.submit(_fit_task, t) for t in tasks]
                if meanwhile:
                    meanwhile()
                    meanwhile = None
                for f in as_completed(futs):
                    if on_done:
                        on_done(f.result()[0])
                out = [f.result() for f in futs]
            LAST_TRAIN_WORKERS = workers
            return out
        except (BrokenProcessPool, OSError):
            pass  # a worker died (out of memory, killed) or none could start: do the work here
    if meanwhile:
        meanwhile()
    LAST_TRAIN_WORKERS = 1
    out = []
    for t in tasks:
        out.append(_fit_task(t))
        if on_done:
            on_done(t)
    return out


LAST_TRAIN_WORKERS = 0  # how many processes the last train() fitted in (tests check the parallel path ran)


def train(train_convs: list[dict], *, seed: int = 0, folds: int = 3, C: float = 4.0, progress=None,
          partial: list[dict] | None = None) -> TextModel:
    """Fit message models, then the stacking weights on out-of-fold conversation scores.

    Three folds since the sixth session: on the 2,850-conversation train split 5 / 4 / 3 folds
    scored dev micro-F1 0.9119 / 0.9124 / 0.9120 and took 60 / 51 / 36 s (`chat2crm train`,
    2 cores); the stacking weights need out-of-fold scores, not many folds."""
    from sklearn.linear_model import LogisticRegression
    from extractor.fields.base import Ctx
    from extractor.pipeline import _components
    from extractor.types import Conversation

    labels = all_labels()
    rows, crows = _design(train_convs)
    n = len(train_convs)
    final_rows, final_crows = rows, crows
    if partial:  # decisions from reps: partial gold, used by the final message/conversation models
        prow, pcrow = _design(partial)
        final_rows = rows + [(n + ci, f, l, k) for ci, f, l, k in prow]
        final_crows = crows + [(n + ci, f, l, k) for ci, f, l, k in pcrow]
    # out-of-fold logits per conversation and label (message max, conversation bag)
    oof: list[dict[str, float]] = [dict() for _ in range(n)]
    oofc: list[dict[str, float]] = [dict() for _ in range(n)]
    # rule strengths per conversation and label (computed here while the workers fit)
    rules: list[dict[str, float]] = []

    def rule_strengths() -> None:
        comps = _components()
        for conv in train_convs:
            c = Conversation.from_dict({k: v for k, v in conv.items() if k not in ("gold", "gold_evidence", "notes")})
            ctx = Ctx.build(c)
            r = {}
            for comp in comps:
                for s in comp(ctx):
                    if s.field in SIGNAL_FIELDS:
                        v = s.value["category"] if s.field == "key_obstacle" else s.value
                        r[f"{s.field}:{v}"] = max(r.get(f"{s.field}:{v}", 0.0), s.score or 0.0)
            rules.append(r)

    global _FOLD_JOB
    final: dict[str, tuple] = {}
    with _TRAIN_LOCK:  # one training at a time per process: the workers read the job from a module global
        _FOLD_JOB = {"train_convs": train_convs, "rows": rows, "crows": crows, "final_rows": final_rows,
                     "final_crows": final_crows, "labels": labels, "folds": folds, "C": C, "seed": seed}
        try:
            done = []

            def report(task):
                done.append(task)
                if progress:
                    progress(f"fitted {'fold ' + str(task[1] + 1) if task[0] == 'fold' else 'final ' + task[0] + ' model'}"
                             f" ({len(done)}/{folds + 2})")
            for task, res in _run_tasks([("fold", k) for k in range(folds)] + [("msg",), ("conv",)], rule_strengths,
                                        report):
                if task[0] == "fold":
                    for i, zm, zc in res:
                        oof[i], oofc[i] = zm, zc
                else:
                    final[task[0]] = res
        finally:
            _FOLD_JOB = None
    stack = {}
    for lab in labels:
        X = [[oof[i].get(lab, -10.0), oofc[i].get(lab, -10.0), RULE_SCALE * rules[i].get(lab, 0.0)] for i in range(n)]
        y = [1 if lab in conv_labels(train_convs[i]) else 0 for i in range(n)]
        if 0 < sum(y) < n:
            lr = LogisticRegression(C=1.0, max_iter=1000, random_state=seed)
            lr.fit(X, y)
            stack[lab] = [float(v) for v in lr.coef_[0]] + [float(lr.intercept_[0])]
        else:
            stack[lab] = [0.0, 0.0, 0.0, -6.0]
    (w, b), (cw, cb) = final["msg"], final["conv"]
    rows = final_rows
    return TextModel(labels, w, b, stack, {"train_conversations": n, "partial_conversations": len(partial or []),
                                           "train_messages": len(rows), "seed": seed, "C": C,
                                           "next_features": NEXT_FEATURES}, cw, cb)
