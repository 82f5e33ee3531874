"""A cheap necessary condition in front of a big cue regex.

Python's `re` tries a big alternation (hundreds of phrases, with `.{0,8}` gaps) one
alternative after the other at every position of a message, and most messages match none.
`guarded(rx)` reads rx's parsed pattern (re's own parser) and collects a set of short
literal strings ("anchors") such that every match of rx contains at least one of them:
a literal run contributes one of its bigrams, an alternation the union of its
alternatives' anchors, an optional part nothing. The anchors are compiled into a small
trie-shaped regex (one alternative per first character) that rejects most messages at C
speed; only messages that pass it meet rx. The condition is necessary, never sufficient,
so results are identical (tests/test_guard.py checks it on the corpus and on random text).

Where no anchor set can be proven (a pattern that can match without any literal), the
guard is absent and rx runs as it is.
"""
from __future__ import annotations

import re
from re import _constants as _C
from re import _parser as _P

# single characters so common in chat that a guard on them would pass nearly everything:
# prefer any other required literal over them
_COMMON = set("的了是我你们不一有在这个要吗吧呢啊好就也都还能会下上说没到看给和那么多大")


def _cost(anchors: frozenset) -> float:
    return sum((8.0 if a in _COMMON else 3.0) if len(a) == 1 else 1.0 for a in anchors)


def _seq(items) -> frozenset | None:
    cands: list[frozenset] = []
    run = ""
    for op, av in list(items) + [(None, None)]:
        if op is _C.LITERAL:
            run += chr(av)
            continue
        if len(run) >= 2:
            cands += [frozenset([run[i:i + 2]]) for i in range(len(run) - 1)]
        elif run:
            cands.append(frozenset([run]))
        run = ""
        if op is None:
            break
        a = _item(op, av)
        if a is not None:
            cands.append(a)
    return min(cands, key=_cost) if cands else None


def _item(op, av) -> frozenset | None:
    if op is _C.IN:
        chars = set()
        for o, a in av:
            if o is _C.LITERAL:
                chars.add(chr(a))
            elif o is _C.RANGE and a[1] - a[0] < 16:
                chars.update(chr(x) for x in range(a[0], a[1] + 1))
            else:  # NEGATE, categories, wide ranges: no small set of required characters
                return None
        return frozenset(chars)
    if op is _C.SUBPATTERN:
        _group, add_flags, _del, sub = av
        if add_flags & (re.IGNORECASE | re.VERBOSE):
            return None
        return _seq(sub)
    if op is _C.BRANCH:
        out: set = set()
        for alt in av[1]:
            a = _seq(alt)
            if a is None:
                return None
            out |= a
        return frozenset(out)
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT, _C.POSSESSIVE_REPEAT):
        return _seq(av[2]) if av[0] >= 1 else None
    return None  # lookarounds, anchors, any-char, backreferences: require nothing


def anchors(pattern: str, flags: int = 0) -> frozenset | None:
    """Strings one of which every match of `pattern` contains (None: none can be proven)."""
    if flags & (re.IGNORECASE | re.VERBOSE):
        return None
    parsed = _P.parse(pattern, flags)
    if parsed.state.flags & (re.IGNORECASE | re.VERBOSE):  # an inline (?i) at the start
        return None
    return _seq(parsed)


def _trie(strings: frozenset) -> re.Pattern:
    by: dict[str, set] = {}
    for s in strings:
        by.setdefault(s[0], set()).add(s[1:])
    parts = []
    for c in sorted(by):
        rests = by[c]
        if "" in rests:
            parts.append(re.escape(c))
        else:
            parts.append(re.escape(c) + "(?:" + "|".join(re.escape(r) for r in sorted(rests)) + ")")
    return re.compile("|".join(parts))


class Guarded:
    """A compiled regex with a cheap necessary condition in front: same results as rx."""
    __slots__ = ("rx", "guard", "pattern", "flags")

    def __init__(self, rx: re.Pattern):
        self.rx = rx
        self.pattern = rx.pattern
        self.flags = rx.flags
        try:
            a = anchors(rx.pattern, rx.flags & ~re.UNICODE)
        except Exception:  # noqa: BLE001 - re's private parser changed shape: no guard, same results
            a = None
        self.guard = _trie(a) if a else None

    def possible(self, text: str) -> bool:
        return self.guard is None or self.guard.search(text) is not None

    def search(self, text: str, *args):
        if self.guard is not None and self.guard.search(text) is None:
            return None
        return self.rx.search(text, *args)

    def finditer(self, text: str, *args):
        if self.guard is not None and self.guard.search(text) is None:
            return iter(())
        return self.rx.finditer(text, *args)

    def findall(self, text: str, *args):
        if self.guard is not None and self.guard.search(text) is None:
            return []
        return self.rx.findall(text, *args)

    def match(self, text: str, *args):
        return self.rx.match(text, *args)

    def fullmatch(self, text: str, *args):
        return self.rx.fullmatch(text, *args)

    def __getattr__(self, name):  # split, subn, groups, groupindex…: the regex itself
        return getattr(self.rx, name)

    def sub(self, repl, text: str, count: int = 0):
        if self.guard is not None and self.guard.search(text) is None:
            return text
        return self.rx.sub(repl, text, count)


def guarded(rx: re.Pattern) -> Guarded:
    return Guarded(rx)
