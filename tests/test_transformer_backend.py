"""The transformers + torch message classifier (models/transformer.py) on a tiny synthetic corpus.

Checks: training runs, the tokenizer knows the training characters (guards against the
transformers 5.x `vocab_file=` trap, where every character silently becomes [UNK]),
save → load gives identical probabilities, and the light modules never import torch.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

ROOT = Path(__file__).resolve().parents[1]

PRICE = ["你们这个报价太贵了", "单价能不能再便宜点", "价格比预算高不少"]
PAY = ["货款下周安排支付", "发票收到了 月底打款", "尾款这周走流程"]
NEED = ["我们要上三台加工中心", "需要五轴的配置", "想看下自动化方案"]
REPLY = ["好的 我跟领导申请下", "收到 我这边确认一下", "明白 稍后回复您"]


def _conv(i: int) -> dict:
    kind = i % 3
    text = (PRICE, PAY, NEED)[kind][i // 3 % 3]
    key = ("tag:价格讨论", "tag:回款跟进", "tag:客户明确需求")[kind]
    stage = ("商务谈判", "回款", "需求确认")[kind]
    msgs = [{"id": "m1", "speaker": "rep", "name": "王", "time": "2026-01-05T09:00:00+08:00", "text": "您好 王总"},
            {"id": "m2", "speaker": "customer", "name": "李", "time": "2026-01-05T09:01:00+08:00", "text": text},
            {"id": "m3", "speaker": "rep", "name": "王", "time": "2026-01-05T09:02:00+08:00",
             "text": REPLY[i % 3]}]
    return {"conversation_id": f"syn-{i:02d}", "channel": "wechat", "rep": {"id": "r1", "name": "王"},
            "reference_time": "2026-01-05T10:00:00+08:00", "messages": msgs,
            "gold": {"tag": [key.split(":", 1)[1]], "stage": stage},
            "gold_evidence": {key: ["m2"], "stage": ["m2"]}}


@pytest.fixture(scope="module")
def trained():
    from models.transformer import train_transformer
    convs = [_conv(i) for i in range(12)]
    return convs, train_transformer(convs[:9], convs[9:], seed=0, epochs=2, checkpoint_dir="")


def test_tokenizer_knows_training_characters(trained):
    _convs, m = trained
    tok = m.tokenizer
    unk = tok.unk_token_id
    ids = tok("[CUS]报价太贵", "好的")["input_ids"]
    toks = tok.convert_ids_to_tokens(ids)
    assert unk not in ids, toks
    assert toks[:3] == ["[CLS]", "[CUS]", "报"]
    assert toks.count("[SEP]") == 2
    # digits/Latin runs are WordPiece-split into known '##' pieces, unseen characters are [UNK]
    assert unk in tok("[REP]鑫")["input_ids"]


def test_training_and_scoring_contract(trained):
    from extractor.fields.base import Ctx
    from extractor.types import Conversation
    from models.textclf import all_labels
    convs, m = trained
    assert m.labels == all_labels()
    assert m.meta["mode"] == "scratch" and m.meta["train_messages"] == 27
    probs = m.message_probs(["价格太贵了", ("尾款这周走流程", "customer", "您好")])
    assert len(probs) == 2 and all(len(r) == len(m.labels) for r in probs)
    assert all(0.0 <= p <= 1.0 for r in probs for p in r)
    c = convs[10]
    ctx = Ctx.build(Conversation.from_dict({k: v for k, v in c.items() if not k.startswith("gold")}))
    scores = m.conv_scores(ctx)
    assert set(scores) == set(m.labels)
    for lab, (z, x) in scores.items():
        assert isinstance(z, float) and x.id in {"m1", "m2", "m3"}


def test_deterministic_for_a_seed(trained):
    from models.transformer import train_transformer
    convs, m = trained
    m2 = train_transformer(convs[:9], seed=0, epochs=2, checkpoint_dir="")
    texts = ["你们这个报价太贵了", "发票收到了"]
    assert m.message_probs(texts) == m2.message_probs(texts)


def test_save_load_identical(trained, tmp_path):
    from models.transformer import TransformerModel
    _convs, m = trained
    d = m.save(tmp_path / "transformer")
    assert (d / "char_vocab.json").exists() and (d / "config.json").exists()
    m2 = TransformerModel.load(d)
    assert m2.labels == m.labels and m2.max_len == m.max_len
    assert m2.tokenizer.unk_token_id not in m2.tokenizer("[CUS]报价", "好的")["input_ids"]
    texts = ["你们这个报价太贵了", ("尾款这周走流程", "customer", "好的 我跟领导申请下"), "需要五轴的配置"]
    assert m2.message_probs(texts) == m.message_probs(texts)


def test_missing_checkpoint_dir_is_an_error():
    from models.transformer import train_transformer
    with pytest.raises(FileNotFoundError):
        train_transformer([_conv(0)], checkpoint_dir="/nonexistent/ckpt", epochs=1)


def test_light_modules_do_not_import_torch():
    code = ("import sys, extractor.pipeline, models.textclf, models.compare\n"
            "bad = [m for m in ('torch', 'transformers') if m in sys.modules]\n"
            "print(','.join(bad))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"imported at module load: {r.stdout.strip()}"


def test_fine_tunes_a_local_checkpoint(tmp_path):
    """A customer's checkpoint directory (here a tiny BERT saved locally) is fine-tuned with a
    fresh multi-label head and the speaker tokens added; nothing is downloaded."""
    from transformers import BertConfig, BertModel
    from models.transformer import TransformerModel, build_char_vocab, make_tokenizer, train_transformer
    convs = [_conv(i) for i in range(6)]
    ckpt = tmp_path / "ckpt"
    tok = make_tokenizer({k: v for k, v in build_char_vocab(PRICE + PAY + NEED + REPLY).items()
                          if k not in ("[REP]", "[CUS]")})
    BertModel(BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=64)).save_pretrained(ckpt)
    tok.save_pretrained(ckpt)
    m = train_transformer(convs, seed=0, epochs=1, checkpoint_dir=str(ckpt))
    assert m.meta["mode"] == "checkpoint" and m.char_vocab is None
    ids = m.tokenizer("[CUS]报价太贵", "好的")["input_ids"]
    assert m.tokenizer.unk_token_id not in ids and m.tokenizer.convert_ids_to_tokens(ids)[1] == "[CUS]"
    m2 = TransformerModel.load(m.save(tmp_path / "out"))
    # exact for the scratch model; a resized checkpoint can differ in the last float32 bit
    a, b = m2.message_probs(["单价能不能再便宜点"])[0], m.message_probs(["单价能不能再便宜点"])[0]
    assert max(abs(x - y) for x, y in zip(a, b)) < 1e-6
