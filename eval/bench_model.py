"""Default model cost: `python -m eval.bench_model`.

Times (1) training the default classifier from the corpus (train split, seed 0) and
(2) scoring messages in batches (one conversation's messages per batch, as the
pipeline does) — the model's added cost per message — beside the rules alone.
"""
from __future__ import annotations

import sys
import time


def main(argv: list[str] | None = None) -> int:
    from eval.bench_extract import _corpus
    from extractor.fields.base import Ctx
    from extractor.pipeline import _components
    from extractor.types import Conversation
    from labeling.corpus import load
    from models import textclf

    t0 = time.perf_counter()
    model = textclf.train(load("train"), seed=0)
    train_s = time.perf_counter() - t0
    convs = [Conversation.from_dict(c) for c in _corpus(500)]
    ctxs = [Ctx.build(c) for c in convs]
    n_msgs = sum(len([x for x in ctx.msgs if x.text]) for ctx in ctxs)
    comps = _components()
    cands = []
    t0 = time.perf_counter()
    for ctx in ctxs:
        cs = []
        for comp in comps:
            cs.extend(comp(ctx))
        cands.append(cs)
    rules_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for ctx, cs in zip(ctxs, cands):
        model.rescore(ctx, cs)
    model_s = time.perf_counter() - t0
    print(f"training the default model: {train_s:.1f} s ({len(load('train'))} conversations)")
    print(f"{n_msgs} messages in {len(convs)} conversations")
    print(f"rules (all components):   {rules_s / n_msgs * 1000:.3f} ms/message")
    print(f"classifier (batched):     {model_s / n_msgs * 1000:.3f} ms/message")
    return 0


if __name__ == "__main__":
    sys.exit(main())
