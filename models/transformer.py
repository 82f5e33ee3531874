"""Second message-classifier backend: a transformers + torch sequence classifier.

Same job and interface as `models.textclf.TextModel` (one multi-label message model over
`all_labels()`, conversation score of a label = max message logit), so the two can be
compared on the same split (`python -m models.compare`).

Two modes:
- a local Hugging Face checkpoint directory (`checkpoint_dir=` or env
  `CHAT2CRM_HF_CHECKPOINT`, e.g. a Chinese BERT the customer already has) is fine-tuned
  with a fresh multi-label head; nothing is ever downloaded (`local_files_only=True`);
- otherwise a tiny BERT (2 layers, hidden 128) is trained from scratch on a character
  vocabulary built from the train split.

Input per message: speaker marker ([REP]/[CUS]) + normalised text, [SEP], the tail of
the previous message (segment B). Labels per message come from `conv_message_labels`.

torch and transformers are imported only inside functions of this module: importing
`models.textclf` or `extractor.pipeline` never pays for them.
"""
from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from models.textclf import _messages, all_labels, conv_message_labels

SPEAKER_TOKENS = {"rep": "[REP]", "customer": "[CUS]"}
BASE_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PREV_CHARS = 32  # the tail of the previous message that is kept
META_FILE = "chat2crm.json"
VOCAB_FILE = "char_vocab.json"
TINY = dict(num_hidden_layers=2, hidden_size=128, num_attention_heads=2, intermediate_size=256,
            hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)


def default_dir() -> Path:
    from models.calibration import model_dir
    return model_dir() / "transformer"


def checkpoint_from_env() -> str | None:
    return os.environ.get("CHAT2CRM_HF_CHECKPOINT") or None


def _pair(text: str, speaker: str, prev: str = "") -> tuple[str, str]:
    return SPEAKER_TOKENS.get(speaker, "[CUS]") + text, prev[-PREV_CHARS:]


def _rows(convs: list[dict]) -> tuple[list[tuple[str, str]], list[set[str]]]:
    pairs, labs = [], []
    for conv in convs:
        ml = conv_message_labels(conv)
        _ctx, msgs = _messages(conv)
        for x, prev in msgs:
            pairs.append(_pair(x.text, x.speaker, prev))
            labs.append(ml.get(x.id, set()))
    return pairs, labs


def build_char_vocab(texts, min_count: int = 1) -> dict[str, int]:
    """Characters of the (lower-cased) train texts, each also as a '##' continuation piece
    so that runs of Latin letters/digits (split by WordPiece) stay known."""
    from tokenizers.normalizers import BertNormalizer
    norm = BertNormalizer(clean_text=True, handle_chinese_chars=True, lowercase=True)  # as the tokenizer's
    counts: dict[str, int] = {}
    for t in texts:
        for c in norm.normalize_str(t):
            if not c.isspace():
                counts[c] = counts.get(c, 0) + 1
    chars = sorted(c for c, n in counts.items() if n >= min_count)
    toks = BASE_SPECIALS + list(SPEAKER_TOKENS.values()) + chars + ["##" + c for c in chars]
    return {t: i for i, t in enumerate(toks)}


def make_tokenizer(vocab: dict[str, int]):
    # vocab= (a dict): transformers 5.x silently ignores vocab_file= and maps everything to [UNK]
    from transformers import BertTokenizerFast
    return BertTokenizerFast(vocab=vocab, do_lower_case=True, tokenize_chinese_chars=True,
                             extra_special_tokens=list(SPEAKER_TOKENS.values()))


def _set_determinism(seed: int) -> None:
    import random
    import numpy as np
    import torch
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


class _threads:
    """Temporarily set torch's intra-op thread count. On a shared 2-core box, 2 OpenMP
    threads were ~10x slower than 1 for this tiny model (spinning threads fight the load)."""

    def __init__(self, n: int | None):
        self.n, self.old = n, None

    def __enter__(self):
        import torch
        if self.n:
            self.old = torch.get_num_threads()
            torch.set_num_threads(self.n)

    def __exit__(self, *exc):
        import torch
        if self.old:
            torch.set_num_threads(self.old)


@dataclass
class TransformerModel:
    labels: list[str]
    tokenizer: object
    model: object
    max_len: int = 64
    meta: dict = field(default_factory=dict)
    stack: dict[str, list[float]] = field(default_factory=dict)  # reserved for stacking weights (none yet)
    char_vocab: dict[str, int] | None = None  # scratch mode: the tokenizer's vocabulary
    threads: int | None = 1  # torch intra-op threads while scoring (None: leave torch's setting)

    # ---- scoring
    def _encode(self, pairs):
        return self.tokenizer([a for a, _ in pairs], [b for _, b in pairs], truncation=True,
                              max_length=self.max_len, padding=True, return_tensors="pt")

    def pair_logits(self, pairs: list[tuple[str, str]], batch_size: int = 64) -> list[list[float]]:
        import torch
        self.model.eval()
        # batches of similar length waste less on padding; results go back in input order
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        out: list[list[float]] = [[] for _ in pairs]
        with _threads(self.threads), torch.inference_mode():
            for i in range(0, len(order), batch_size):
                idx = order[i:i + batch_size]
                enc = self._encode([pairs[j] for j in idx])
                for j, row in zip(idx, self.model(**enc).logits.float().tolist()):
                    out[j] = row
        return out

    def message_logits_batch(self, items, batch_size: int = 64) -> list[list[float]]:
        """items: (text, speaker, prev) tuples, or plain strings (customer, no previous message)."""
        pairs = [_pair(it, "customer") if isinstance(it, str) else _pair(*it[:3]) for it in items]  # (a next message is ignored)
        return self.pair_logits(pairs, batch_size)

    def message_probs(self, texts, batch_size: int = 64) -> list[list[float]]:
        """Per item, one probability per label (order `self.labels`)."""
        return [[1 / (1 + math.exp(-max(-30.0, min(30.0, z)))) for z in row]
                for row in self.message_logits_batch(texts, batch_size)]

    def conv_scores(self, ctx) -> dict[str, tuple[float, object]]:
        """label → (max message logit, the message that had it); same contract as TextModel."""
        items, msgs, prev = [], [], ""
        for x in ctx.msgs:
            if not x.text or x.speaker not in ("rep", "customer"):
                continue
            items.append((x.text, x.speaker, prev))
            msgs.append(x)
            prev = x.text
        best: dict[str, tuple[float, object]] = {}
        if not items:
            return best
        for x, z in zip(msgs, self.message_logits_batch(items)):
            for lab, v in zip(self.labels, z):
                if lab not in best or v > best[lab][0]:
                    best[lab] = (v, x)
        return best

    # ---- persistence
    def save(self, directory: str | Path | None = None) -> Path:
        d = Path(directory or default_dir())
        d.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(d)
        self.tokenizer.save_pretrained(d)
        meta = {"labels": self.labels, "max_len": self.max_len, "meta": self.meta, "stack": self.stack,
                "speaker_tokens": SPEAKER_TOKENS, "prev_chars": PREV_CHARS}
        (d / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        if self.char_vocab is not None:
            (d / VOCAB_FILE).write_text(json.dumps(self.char_vocab, ensure_ascii=False), encoding="utf-8")
        # weights are rebuilt by training, never committed
        (d / ".gitignore").write_text("*\n", encoding="utf-8")
        return d

    @classmethod
    def load(cls, directory: str | Path | None = None) -> "TransformerModel":
        from transformers import AutoModelForSequenceClassification
        d = Path(directory or default_dir())
        meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
        vocab = None
        if (d / VOCAB_FILE).exists():  # scratch model: rebuild the tokenizer from the saved vocabulary
            vocab = json.loads((d / VOCAB_FILE).read_text(encoding="utf-8"))
            tok = make_tokenizer(vocab)
        else:
            from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained(str(d), local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(str(d), local_files_only=True)
        model.eval()
        return cls(meta["labels"], tok, model, meta.get("max_len", 64), meta.get("meta", {}),
                   {k: list(v) for k, v in meta.get("stack", {}).items()}, vocab, 1 if vocab else None)


# ---------------------------------------------------------------- training

def _init_model(labels, pairs, checkpoint_dir, max_len):
    from transformers import AutoModelForSequenceClassification, BertConfig, BertForSequenceClassification
    id2label = dict(enumerate(labels))
    label2id = {lab: i for i, lab in enumerate(labels)}
    if checkpoint_dir:
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained(str(checkpoint_dir), local_files_only=True)
        added = tok.add_special_tokens({"additional_special_tokens": list(SPEAKER_TOKENS.values())})
        model = AutoModelForSequenceClassification.from_pretrained(
            str(checkpoint_dir), local_files_only=True, num_labels=len(labels), id2label=id2label,
            label2id=label2id, problem_type="multi_label_classification", ignore_mismatched_sizes=True)
        if added:
            model.resize_token_embeddings(len(tok))
        return tok, model, {"mode": "checkpoint", "checkpoint": str(checkpoint_dir)}
    vocab = build_char_vocab([a[len("[CUS]"):] for a, _ in pairs] + [b for _, b in pairs])
    tok = make_tokenizer(vocab)
    cfg = BertConfig(vocab_size=len(vocab), max_position_embeddings=max(max_len, 64), type_vocab_size=2,
                     num_labels=len(labels), id2label=id2label, label2id=label2id,
                     problem_type="multi_label_classification", pad_token_id=vocab["[PAD]"], **TINY)
    model = BertForSequenceClassification(cfg)
    return tok, model, {"mode": "scratch", "vocab_size": len(vocab), "char_vocab": vocab, **TINY}


def train_transformer(train_convs: list[dict], dev_convs: list[dict] | None = None, *, seed: int = 0,
                      checkpoint_dir: str | Path | None = None, epochs: int | None = None, max_len: int = 64,
                      batch_size: int = 32, lr: float | None = None, threads: int | None = None,
                      balance: float = 1.0, progress=None) -> TransformerModel:
    """Train (or fine-tune) the message classifier on `train_convs`.

    `checkpoint_dir`: a local Hugging Face checkpoint to fine-tune; None reads env
    `CHAT2CRM_HF_CHECKPOINT`; "" (or neither set) trains the tiny BERT from scratch.
    `dev_convs` is only reported on (loss per epoch through `progress`); nothing is
    selected on it, so the comparison on dev stays fair. Deterministic for a seed.
    `threads`: torch intra-op threads for training and later scoring; None = 1 for the tiny
    scratch model (fastest on a busy 2-core box), torch's default for a checkpoint; 0 = torch's default.
    """
    import torch
    if checkpoint_dir is None:  # "" means: train from scratch even if the env names a checkpoint
        checkpoint_dir = checkpoint_from_env()
    if threads is None:
        threads = 0 if checkpoint_dir else 1
    det = torch.are_deterministic_algorithms_enabled()
    try:
        with _threads(threads):
            return _train(train_convs, dev_convs, seed=seed, checkpoint_dir=checkpoint_dir, epochs=epochs,
                          max_len=max_len, batch_size=batch_size, lr=lr, threads=threads, balance=balance,
                          progress=progress)
    finally:
        torch.use_deterministic_algorithms(det)


def _train(train_convs, dev_convs, *, seed, checkpoint_dir, epochs, max_len, batch_size, lr, threads, balance,
           progress):
    import torch
    _set_determinism(seed)
    if checkpoint_dir and not Path(checkpoint_dir).is_dir():
        raise FileNotFoundError(f"checkpoint directory not found: {checkpoint_dir}")
    labels = all_labels()
    pairs, labsets = _rows(train_convs)
    if not pairs:
        raise ValueError("no messages to train on")
    tok, model, info = _init_model(labels, pairs, checkpoint_dir, max_len)
    scratch = info["mode"] == "scratch"
    epochs = epochs if epochs is not None else (30 if scratch else 4)
    lr = lr if lr is not None else (1e-3 if scratch else 3e-5)
    y = torch.tensor([[1.0 if lab in ls else 0.0 for lab in labels] for ls in labsets])
    enc = tok([a for a, _ in pairs], [b for _, b in pairs], truncation=True, max_length=max_len,
              padding="max_length", return_tensors="pt")
    # rare labels: weight positives by (negatives/positives)**balance so the head does not learn "never"
    pos = y.sum(0)
    pos_weight = ((len(y) - pos) / pos.clamp(min=1.0)).clamp(max=100.0) ** balance
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(len(y) / batch_size)
    total = max(1, epochs * steps_per_epoch)
    warm = max(1, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    gen = torch.Generator().manual_seed(seed)
    dev_pairs, dev_y = (None, None)
    if dev_convs and progress:
        dp, dl = _rows(dev_convs)
        dev_pairs = dp
        dev_y = torch.tensor([[1.0 if lab in ls else 0.0 for lab in labels] for ls in dl])
    t0 = time.perf_counter()
    model.train()
    for ep in range(epochs):
        order = torch.randperm(len(y), generator=gen)
        tot = 0.0
        for i in range(0, len(y), batch_size):
            idx = order[i:i + batch_size]
            # trim padding to the longest row in the batch (speed; same result)
            am = enc["attention_mask"][idx]
            L = int(am.sum(1).max())
            out = model(input_ids=enc["input_ids"][idx, :L], token_type_ids=enc["token_type_ids"][idx, :L],
                        attention_mask=am[:, :L])
            loss = loss_fn(out.logits, y[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            tot += float(loss.detach()) * len(idx)
        if progress:
            msg = f"epoch {ep + 1}/{epochs} train loss {tot / len(y):.4f}"
            if dev_pairs:
                tm = TransformerModel(labels, tok, model, max_len, threads=None)
                z = torch.tensor(tm.pair_logits(dev_pairs))
                msg += f" dev loss {float(torch.nn.BCEWithLogitsLoss()(z, dev_y)):.4f}"
                model.train()
            progress(msg)
    model.eval()
    vocab = info.pop("char_vocab", None)
    meta = {**info, "seed": seed, "epochs": epochs, "lr": lr, "balance": balance, "batch_size": batch_size,
            "train_conversations": len(train_convs), "train_messages": len(y),
            "train_seconds": round(time.perf_counter() - t0, 2), "torch_threads": torch.get_num_threads()}
    return TransformerModel(labels, tok, model, max_len, meta, char_vocab=vocab, threads=threads or None)


def main(argv: list[str] | None = None) -> int:
    """python -m models.transformer [--epochs N] [--checkpoint DIR] [--out DIR]: train on the
    train split and save under models/artifacts/transformer/ (not promoted into the pipeline)."""
    import argparse
    import sys
    ap = argparse.ArgumentParser(prog="python -m models.transformer", description=main.__doc__)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--checkpoint", help="local Hugging Face checkpoint directory to fine-tune")
    ap.add_argument("--out", help="artifact directory (default models/artifacts/transformer)")
    a = ap.parse_args(argv)
    from labeling.corpus import load
    m = train_transformer(load("train"), load("dev"), seed=a.seed, checkpoint_dir=a.checkpoint, epochs=a.epochs,
                          progress=lambda s: print(s, file=sys.stderr))
    d = m.save(a.out)
    print(json.dumps({"saved": str(d), **m.meta},
                     ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
