"""`chat2crm train`: reproducible, versioned, and it never promotes a model worse on dev."""
import json

import pytest

import labeling.corpus as corpus
from models.train import train_and_promote


@pytest.fixture
def small_corpus(monkeypatch):
    train, dev = corpus.load("train")[:160], corpus.load("dev")[:60]
    assert len(train) == 160 and len(dev) == 60
    state = {"train": train}
    monkeypatch.setattr(corpus, "load", lambda split: {"train": state["train"], "dev": dev}[split])
    return state


def test_same_data_same_seed_same_model(tmp_path, small_corpus):
    a = train_and_promote(seed=3, out_dir=tmp_path / "a", log=lambda *_: None)
    b = train_and_promote(seed=3, out_dir=tmp_path / "b", log=lambda *_: None)
    assert a["version"] == b["version"] and a["dev"] == b["dev"]
    assert (tmp_path / "a" / "textclf.npz").read_bytes() == (tmp_path / "b" / "textclf.npz").read_bytes()
    stored = json.loads((tmp_path / "a" / "metrics.json").read_text(encoding="utf-8"))
    assert stored["version"] == a["version"] and stored["data_hash"] == a["data_hash"] and a["data_hash"]


def test_a_worse_model_is_not_promoted_and_the_current_one_stays(tmp_path, small_corpus):
    good = train_and_promote(seed=0, out_dir=tmp_path, log=lambda *_: None)
    assert good["promoted"]
    # a stored figure that is not what the current model scores on this dev split: the
    # yardstick must be the re-scored one
    m = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    m["dev"]["micro_f1"] = 0.999
    (tmp_path / "metrics.json").write_text(json.dumps(m), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    # labels shifted by one conversation (each chat carries another chat's gold): a classifier and
    # stacking fitted to noise, which down-weights the rules as well (far less data is no longer
    # enough: with 12 chats most labels have no positives and the model falls back to the rules)
    tr = small_corpus["train"]
    small_corpus["train"] = [dict(c, gold=tr[i - 1]["gold"], gold_evidence=tr[i - 1]["gold_evidence"])
                             for i, c in enumerate(tr)]
    worse = train_and_promote(seed=0, out_dir=tmp_path, log=lambda *_: None)
    assert worse["dev"]["micro_f1"] < good["dev"]["micro_f1"]
    assert worse["previous_dev_micro_f1"] == pytest.approx(good["dev"]["micro_f1"])  # re-scored on this dev
    assert not worse["promoted"]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing overwritten
    forced = train_and_promote(seed=0, out_dir=tmp_path, force=True, log=lambda *_: None)
    assert forced["promoted"] and json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))["version"] == forced["version"]


def test_next_message_features_follow_the_model():
    """The reply's bigrams are features only for a model trained with them (meta records it):
    an older artifact keeps scoring with the features it was trained on."""
    from models.textclf import featurize_flat
    base = [("太贵了 再让点", "customer", "报价发您了")]
    with_next = [("太贵了 再让点", "customer", "报价发您了", "抱歉 我跟领导申请一下")]
    k0, _ = featurize_flat(base)
    k1, _ = featurize_flat(with_next)
    assert len(k1) > len(k0) and set(k0) <= set(k1)
    assert featurize_flat([("太贵了 再让点", "customer", "报价发您了", "")])[0].tolist() == k0.tolist()


def test_calibrate_only_keeps_the_model_and_follows_the_policy(tmp_path, small_corpus, monkeypatch):
    """`chat2crm train --calibrate-only`: the weights stay byte for byte, the thresholds follow
    the current calibration policy (a looser tag target, no margin: a lower tag threshold)."""
    import models.train as mt
    train_and_promote(seed=0, out_dir=tmp_path, log=lambda *_: None)
    weights = (tmp_path / "textclf.npz").read_bytes()
    before = json.loads((tmp_path / "calibration.json").read_text(encoding="utf-8"))["raw_thresholds"]["tag"]
    monkeypatch.setattr(mt, "MARGIN_Z", 0.0)
    monkeypatch.setattr(mt, "FIELD_TARGETS", {})
    m = mt.recalibrate(target_precision=0.5, out_dir=tmp_path, log=lambda *_: None)
    after = json.loads((tmp_path / "calibration.json").read_text(encoding="utf-8"))["raw_thresholds"]["tag"]
    assert (tmp_path / "textclf.npz").read_bytes() == weights
    assert after < before and m["recalibrated"]["margin_z"] == 0.0 and m["target_precision"] == 0.5


def test_a_model_rescores_only_the_fields_it_has_labels_for():
    """An artifact trained before decision_role/industry were classifier labels leaves their rule
    scores alone; a model with role labels rescores them, and a rule veto stays a veto."""
    import numpy as np
    from extractor.fields.base import Ctx, suggestion
    from extractor.types import Conversation
    from models.textclf import DIM, TextModel
    conv = Conversation.from_dict({"conversation_id": "t", "channel": "wechat", "rep": {"id": "r", "name": "张伟"},
                                   "messages": [{"id": "m1", "speaker": "customer", "name": "刘工",
                                                 "time": "2026-03-10T10:00:00+08:00", "text": "我们采购在比价 老板要看总价"}]})
    ctx = Ctx.build(conv)

    def cands():
        ev = ctx.msgs[0].evidence(0, 2)
        return [suggestion("decision_role", "采购", 0.85, [ev], "r", "party-rules"),
                suggestion("decision_role", "老板", 0.02, [ev], "r", "party-rules", veto=True)]

    def model(labels):
        w = np.zeros((DIM, len(labels)), dtype=np.float32)
        w[:, :] = 5.0  # every message strongly "is" every label
        return TextModel(labels, w, [0.0] * len(labels), {lab: [1.0, 0.0, 0.0, 0.0] for lab in labels},
                         {"next_features": True})

    old = {s.value: s.score for s in model(["tag:价格讨论"]).rescore(ctx, cands()) if s.field == "decision_role"}
    assert old == {"采购": 0.85, "老板": 0.02}  # untouched: the model has no role labels
    new = {s.value: s.score for s in model(["decision_role:采购", "decision_role:老板"]).rescore(ctx, cands())
           if s.field == "decision_role"}
    assert new["采购"] > 0.99 and new["老板"] == 0.02  # rescored by the classifier; the veto holds


def test_artifact_formats_load_to_the_same_weights(tmp_path):
    """The stored model (buckets with a weight + float16 rows, uncompressed) scores exactly as the
    dense matrix it came from, and an artifact in the first format ((bucket, label, value)
    triplets, compressed) loads to the same weights."""
    import numpy as np
    from models.textclf import DIM, PRUNE, CompactWeights, TextModel
    rng = np.random.default_rng(0)
    W = np.zeros((DIM, 3), dtype=np.float32)
    rows = rng.choice(DIM, 500, replace=False)
    W[rows] = rng.normal(0, 1, (500, 3)).astype(np.float16).astype(np.float32)
    W[rows[:50], 1] = PRUNE / 4  # below the pruning threshold (also doubled): not stored
    cw = CompactWeights.from_dense(W)
    kept = np.where(np.abs(W) >= PRUNE, W, 0)
    keys = np.concatenate([rows[:200], rng.integers(0, DIM, 300)])
    assert np.array_equal(cw[keys], kept[keys]) and np.array_equal(cw.dense(), kept)
    m = TextModel(["a", "b", "c"], W, [0.0] * 3, {}, {"next_features": True}, W * 2, [0.1] * 3)
    m.save(tmp_path / "new.npz")
    m2 = TextModel.load(tmp_path / "new.npz")
    assert np.array_equal(m2.weights.dense(), kept) and np.array_equal(m2.conv_weights.dense(), np.where(np.abs(2 * W) >= PRUNE, 2 * W, 0))
    m2.save(tmp_path / "again.npz")  # a loaded model saves to the same bytes
    assert (tmp_path / "again.npz").read_bytes() == (tmp_path / "new.npz").read_bytes()
    # the first format
    head = {"labels": ["a", "b", "c"], "bias": [0.0] * 3, "stack": {}, "meta": {}, "conv_bias": [0.1] * 3, "dim": DIM}
    arrays = {}
    for name, M in (("msg", W), ("conv", W * 2)):
        r, c = np.nonzero(np.abs(M) >= PRUNE)
        arrays.update({f"{name}_r": r.astype(np.int32), f"{name}_c": c.astype(np.int8), f"{name}_v": M[r, c].astype(np.float16)})
    with open(tmp_path / "old.npz", "wb") as f:
        np.savez_compressed(f, head=np.frombuffer(json.dumps(head).encode(), dtype=np.uint8), **arrays)
    m3 = TextModel.load(tmp_path / "old.npz")
    assert np.array_equal(m3.weights.dense(), kept) and np.array_equal(m3.conv_weights.dense(), m2.conv_weights.dense())


def test_a_source_calibrated_apart_uses_its_own_map_and_threshold():
    """SOURCE_SPLIT (off by default): the classifier's own role proposals get their own map and raw
    threshold; rule candidates of the same field keep the field's."""
    from models.calibration import Calibrator
    cal = Calibrator(maps={"decision_role": ([0.0, 1.0], [0.1, 0.9]), "decision_role@textclf": ([0.0, 1.0], [0.0, 0.5])},
                     raw_thresholds={"decision_role": 0.5, "decision_role@textclf": 0.8})
    assert cal.key("decision_role", "老板", "party-rules") == "decision_role"
    assert cal.key("decision_role", "老板", "textclf") == "decision_role@textclf"
    assert cal.calibrate("decision_role", 0.6, None, "textclf") == 0.3
    assert abs(cal.calibrate("decision_role", 0.6, None, "party-rules") - 0.58) < 1e-9
    assert cal.shows("decision_role", 0.6, 0.58, None, "party-rules")
    assert not cal.shows("decision_role", 0.6, 0.3, None, "textclf")
    assert cal.key("stage", None, "textclf") == "stage"  # no map of its own: the field's


def test_judged_suggestions_carry_their_source():
    from eval.scoring import score
    conv = {"conversation_id": "t", "gold": {"decision_role": ["老板"]}, "messages": [{"id": "m1", "text": "老板同意了"}]}
    pred = {"suggestions": [{"field": "decision_role", "value": "老板", "confidence": 0.9, "source": "textclf",
                             "reason": "r", "evidence": [{"message_id": "m1", "start": 0, "end": 2, "text": "老板"}]}]}
    sc = score([conv], [pred])
    assert [(j.source, j.correct) for j in sc.judged] == [("textclf", True)]


def test_training_in_worker_processes_gives_the_same_model_as_in_one(monkeypatch):
    """Folds and final fits may run side by side in forked processes; the weights must not depend on it
    (a partial-gold conversation included, so the final fits' extra rows are covered too)."""
    import numpy as np
    from models import textclf
    convs = corpus.load("train")[:90]
    partial = [dict(convs[0], conversation_id="p-1", partial=True, labelled=["tag"], negatives={"tag": ["异议"]})]
    from extractor.procs import can_fork, usable_cores
    if not can_fork() or usable_cores() < 2:
        pytest.skip("worker processes need Linux fork and two cores")
    models = []
    for workers in ("1", "2"):
        monkeypatch.setenv("CHAT2CRM_TRAIN_WORKERS", workers)
        models.append(textclf.train(convs, seed=1, folds=3, partial=partial))
        assert textclf.LAST_TRAIN_WORKERS == int(workers)  # the parallel path really ran
    a, b = models
    assert a.stack == b.stack and a.bias == b.bias and a.conv_bias == b.conv_bias
    for name in ("weights", "conv_weights"):
        wa, wb = getattr(a, name), getattr(b, name)
        assert np.array_equal(np.asarray(wa), np.asarray(wb))
