"""What every field component sees: the conversation plus cheap shared views of it.

`Ctx` normalises each message once (offset-keeping, so evidence indexes the original
text), finds time mentions once, and offers small helpers that turn a match in the
normalised text into `Evidence` on the original.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from extractor.types import Conversation, Evidence, Message, Suggestion

try:  # offset-keeping normaliser (OpenCC t2s, full-width, emoji, ASR fillers)
    from extractor.normalize import normalize as _normalize
except ImportError:  # pragma: no cover - only while the module is being built
    _normalize = None

CLAUSE_SPLIT = re.compile(r"[，,。！!？?；;\n~～…]+|\s+")


@dataclass
class Msg:
    """One message with its normalised text; `span()` maps back to the original."""
    m: Message
    index: int
    text: str  # normalised
    _norm: object | None = None

    @property
    def id(self) -> str:
        return self.m.id

    @property
    def speaker(self) -> str:
        return self.m.speaker

    def evidence(self, start: int, end: int) -> Evidence:
        if self._norm is not None:
            start, end = self._norm.span(start, end)
        return Evidence.of(self.m, start, end)

    def whole(self) -> Evidence:
        return Evidence.of(self.m, 0, len(self.m.text))

    def clause_at(self, pos: int, end: int | None = None) -> tuple[int, int]:
        """Bounds of the clause (between separators) around [pos, end)."""
        end = pos if end is None else end
        s = 0
        for mm in CLAUSE_SPLIT.finditer(self.text):
            if mm.end() <= pos:
                s = mm.end()
            elif mm.start() >= end:
                return s, mm.start()
        return s, len(self.text)


@dataclass
class Ctx:
    conv: Conversation
    msgs: list[Msg] = field(default_factory=list)

    @classmethod
    def build(cls, conv: Conversation) -> "Ctx":
        msgs = []
        for i, m in enumerate(conv.messages):
            text = m.text or ""
            norm = None
            if _normalize is not None and text:
                norm = _normalize(text, asr=conv.channel == "call")
                ntext = norm.text
            else:
                ntext = text
            msgs.append(Msg(m, i, ntext, norm))
        return cls(conv, msgs)

    def texts(self, speaker: str | None = None) -> tuple[Msg, ...]:
        """Messages with text (of one speaker), computed once per conversation."""
        cache = self.__dict__.setdefault("_texts", {})
        got = cache.get(speaker)
        if got is None:
            got = cache[speaker] = tuple(x for x in self.msgs if x.text and (speaker is None or x.speaker == speaker))
        return got

    @cached_property
    def rep_names(self) -> set[str]:
        names = {str(self.conv.rep.get("name") or "")} - {""}
        names |= {x.m.name for x in self.msgs if x.speaker == "rep" and x.m.name}
        return names

    @cached_property
    def rep_company(self) -> set[str]:
        """Companies the rep introduces as their own (我是远航激光的小许)."""
        from extractor.fields.lexicon import own_company_mentions
        out: set[str] = set()
        for x in self.texts("rep"):
            out |= own_company_mentions(x.text)
        return out

    def times(self, x: Msg):
        """Time mentions of a message, resolved against that message's own time (cached)."""
        cache = self.__dict__.setdefault("_times", {})
        if x.index not in cache:
            try:
                from extractor.timex import find_times
                cache[x.index] = find_times(x.text, x.m.time) if x.text else []
            except ImportError:  # pragma: no cover
                cache[x.index] = []
        return cache[x.index]


def suggestion(field: str, value, score: float, evidence: list[Evidence], reason: str, source: str,
               actions: list[str] | None = None, **features) -> Suggestion:
    """A candidate: `score` is the component's raw belief; the pipeline calibrates it."""
    return Suggestion(field=field, value=value, confidence=score, evidence=evidence, reason=reason,
                      source=source, actions=list(actions or []), score=score, features=features)
