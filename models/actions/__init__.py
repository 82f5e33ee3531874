"""Message classifiers for the capability diagnosis (rep action; customer sentiment and objection).

    from models.actions import load_models
    m = load_models()
    m.rep_actions(texts, prevs)        -> list of 需求挖掘 | 方案呈现 | 异议处理 | 其他
    m.customer_sentiment(texts, prevs) -> list of -1 | 0 | 1
    m.customer_objection(texts, prevs) -> list of bool

The trained artifact is `artifacts/actions.pkl` (train: `python -m models.actions.train`).
If it is missing, was trained on another corpus, or cannot be unpickled by the installed
scikit-learn, the models are retrained from `labeling/actions/messages.jsonl` on first use
(about two seconds) and cached under the user's data dir. `KeywordModels` is the keyword
baseline with the same interface.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTIFACT = HERE / "artifacts" / "actions.pkl"
METRICS = HERE / "artifacts" / "metrics.json"
CORPUS = HERE.parent.parent / "labeling" / "actions" / "messages.jsonl"
REP_LABELS = ("需求挖掘", "方案呈现", "异议处理", "其他")
SALES_ACTIONS = REP_LABELS[:3]
SEED = 20261127
# defaults; `python -m models.actions.train` re-chooses them on the dev split and stores them in the artifact
HYPER = {"rep": {"C": 3.0, "prev_weight": 0.3, "lexicon": 2.0, "balanced": True},
         "sentiment": {"C": 3.0, "prev_weight": 0.0, "lexicon": 1.0, "balanced": True},
         "objection": {"C": 3.0, "prev_weight": 0.0, "lexicon": 1.0, "balanced": True}}

_CACHE: dict = {}


def corpus_hash(path: Path = CORPUS) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def read_corpus(path: Path = CORPUS) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class ActionModels:
    name = "char-ngram-logreg"

    def __init__(self, rep, sentiment, objection, meta: dict):
        self.rep, self.sentiment, self.objection, self.meta = rep, sentiment, objection, meta

    def rep_actions(self, texts, prevs=None):
        return self.rep.predict(texts, prevs if prevs is not None else [""] * len(texts))

    def customer_sentiment(self, texts, prevs=None):
        return [int(x) for x in self.sentiment.predict(texts, prevs if prevs is not None else [""] * len(texts))]

    def customer_objection(self, texts, prevs=None):
        return [bool(x) for x in self.objection.predict(texts, prevs if prevs is not None else [""] * len(texts))]


class KeywordModels:
    """The keyword baseline (question marks + keyword lists) behind the same interface."""
    name = "keywords"
    meta = {"model": "keywords"}

    def rep_actions(self, texts, prevs=None):
        from .baseline import rep_action
        prevs = prevs if prevs is not None else [""] * len(texts)
        return [rep_action(t, p) for t, p in zip(texts, prevs)]

    def customer_sentiment(self, texts, prevs=None):
        from .baseline import sentiment
        return [sentiment(t) for t in texts]

    def customer_objection(self, texts, prevs=None):
        from .baseline import objection
        return [objection(t) for t in texts]


def fit_models(rows: list[dict], splits=("train", "dev"), hyper: dict = HYPER,
               tasks=("rep", "sentiment", "objection")) -> ActionModels:
    """Fit the three classifiers (or only `tasks`; the others are left None) on the given splits."""
    import sklearn

    from .model import TextPairClassifier
    rep = [r for r in rows if r["speaker"] == "rep" and r["split"] in splits]
    cus = [r for r in rows if r["speaker"] == "customer" and r["split"] in splits]
    m_rep = m_sent = m_obj = None
    if "rep" in tasks:
        m_rep = TextPairClassifier(seed=SEED, **hyper["rep"]).fit(
            [r["text"] for r in rep], [r["prev_text"] for r in rep], [r["label"] for r in rep])
    if "sentiment" in tasks:
        m_sent = TextPairClassifier(seed=SEED, **hyper["sentiment"]).fit(
            [r["text"] for r in cus], [r["prev_text"] for r in cus], [int(r["label"]) for r in cus])
    if "objection" in tasks:
        m_obj = TextPairClassifier(seed=SEED, **hyper["objection"]).fit(
            [r["text"] for r in cus], [r["prev_text"] for r in cus], [bool(r["objection"]) for r in cus])
    meta = {"model": ActionModels.name, "sklearn": sklearn.__version__, "corpus_sha256": corpus_hash(),
            "trained_on": list(splits), "n_rep": len(rep), "n_customer": len(cus), "hyper": hyper, "seed": SEED}
    return ActionModels(m_rep, m_sent, m_obj, meta)


def _data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "chat2crm" / "models"


def load_models(kind: str = "model") -> "ActionModels | KeywordModels":
    """The trained models (cached per process); kind="keywords" gives the baseline."""
    if kind == "keywords":
        return KeywordModels()
    if "model" in _CACHE:
        return _CACHE["model"]
    import sklearn
    want = corpus_hash()
    candidates = [ARTIFACT]
    if want:
        candidates.append(_data_dir() / f"actions-{want[:16]}-sk{sklearn.__version__}.pkl")
    for path in candidates:
        try:
            with path.open("rb") as f:
                m = pickle.load(f)
            if (not want or m.meta.get("corpus_sha256") == want) and m.meta.get("sklearn") == sklearn.__version__:
                _CACHE["model"] = m
                return m
        except Exception:  # noqa: BLE001 - missing/stale/incompatible artifact: retrain below
            continue
    if not want:
        raise RuntimeError(f"no trained action model and no corpus at {CORPUS}")
    hyper = HYPER
    try:  # the hyper-parameters the last `python -m models.actions.train` chose on dev
        hyper = json.loads(METRICS.read_text(encoding="utf-8"))["hyper"]
    except Exception:  # noqa: BLE001
        pass
    m = fit_models(read_corpus(), hyper=hyper)
    try:
        candidates[-1].parent.mkdir(parents=True, exist_ok=True)
        with candidates[-1].open("wb") as f:
            pickle.dump(m, f, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        pass
    _CACHE["model"] = m
    return m
