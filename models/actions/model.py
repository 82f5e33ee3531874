"""The message classifiers behind the capability diagnosis.

`TextPairClassifier`: character n-gram TF-IDF of the message plus (down-weighted) of the
previous message, into a multinomial logistic regression. Fast (a few ms per thousand
messages), seeded, no tokenizer needed, robust to typos and missing punctuation.
Heavy imports (sklearn, scipy) happen only here, and this module is only imported when a
model is trained or loaded.
"""
from __future__ import annotations

import re

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

_EMOJI = re.compile(r"\[[^\[\]]{1,6}\]")
_TRANS = str.maketrans({"？": "?", "，": " ", ",": " ", "。": " ", "！": "!", "～": "~", "、": " ", "；": " ", "：": " "})


def clean(text: str) -> str:
    """Normalise WeChat noise: emoji codes out, full-width punctuation folded, spaces squeezed."""
    t = _EMOJI.sub(" ", text or "").translate(_TRANS)
    return re.sub(r"\s+", " ", t).strip()


def _words(text: str) -> list[str]:
    """rjieba words plus word bigrams (so 挑不出+毛病 and 再+商量 are features)."""
    import rjieba
    w = [x for x in rjieba.cut(clean(text)) if x.strip()]
    return w + [a + "_" + b for a, b in zip(w, w[1:])]


class TextPairClassifier:
    def __init__(self, prev_weight: float = 0.5, C: float = 10.0, seed: int = 0, words: float = 0.0,
                 ngram_max: int = 3, balanced: bool = False, lexicon: float = 0.0):
        self.prev_weight, self.C, self.seed = prev_weight, C, seed
        self.words, self.ngram_max, self.balanced, self.lexicon = words, ngram_max, balanced, lexicon

    def _vec(self):
        return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, self.ngram_max), sublinear_tf=True, min_df=1)

    def fit(self, texts, prevs, y):
        self.v_text = self._vec().fit([clean(t) for t in texts])
        self.v_prev = self._vec().fit([clean(p) for p in prevs] + ["_"])
        self.v_words = None
        if self.words:
            self.v_words = TfidfVectorizer(analyzer=_words, ngram_range=(1, 1), sublinear_tf=True).fit(texts)
        X = self._features(texts, prevs)
        self.clf = LogisticRegression(C=self.C, max_iter=3000, random_state=self.seed,
                                      class_weight="balanced" if self.balanced else None)
        self.clf.fit(X, y)
        self.classes_ = list(self.clf.classes_)
        return self

    def _features(self, texts, prevs):
        a = self.v_text.transform([clean(t) for t in texts])
        b = self.v_prev.transform([clean(p) for p in prevs]) * self.prev_weight
        parts = [a, b]
        if getattr(self, "v_words", None) is not None:
            parts.append(self.v_words.transform(texts) * self.words)
        if getattr(self, "lexicon", 0):
            from scipy.sparse import csr_matrix

            from .lexicon import features
            parts.append(csr_matrix(np.array([features(t, p) for t, p in zip(texts, prevs)])) * self.lexicon)
        return hstack(parts).tocsr()

    def predict_proba(self, texts, prevs) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, len(self.classes_)))
        return self.clf.predict_proba(self._features(texts, prevs))

    def predict(self, texts, prevs) -> list:
        p = self.predict_proba(texts, prevs)
        return [self.classes_[i] for i in p.argmax(axis=1)] if len(p) else []
