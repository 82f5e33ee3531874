"""The literal guards in front of the big cue regexes must never change a result."""
import re

from hypothesis import given, settings, strategies as st

from extractor.fields import followup, signals
from extractor.fields.guard import Guarded, anchors, guarded


def _all_guarded():
    out = [(f"obstacle:{c}", rx) for c, rx, _ in signals.OBSTACLE_RULES]
    out += [(f"stage:{s}", rx) for s, rx in signals.STAGE_RULES]
    out += [("PRICE", signals.PRICE), ("NEED", signals.NEED), ("COMPARE", signals.COMPARE),
            ("CONTACT", followup.CONTACT), ("NOT_CONTACT", followup.NOT_CONTACT), ("CANCEL", followup.CANCEL)]
    assert all(isinstance(rx, Guarded) for _, rx in out)
    return out


def test_anchor_sets():
    assert anchors(r"太贵|便宜.{0,4}点") == {"太贵", "便宜"}  # a bigram of each alternative
    assert anchors(r"(?:太贵)?") is None  # optional: nothing is required
    assert anchors(r".{0,3}") is None
    assert anchors(r"价格", re.IGNORECASE) is None and anchors(r"(?i)po单") is None
    assert anchors(r"[一二三]个点") == frozenset({"个点"})
    assert anchors(r"(?<!不)贵") == frozenset({"贵"})  # lookbehind requires nothing, 贵 is required


def test_guard_never_rejects_a_match_on_the_corpus():
    from labeling.corpus import raw_conversations
    texts = [m["text"] for c in raw_conversations() for m in c["messages"]]
    assert len(texts) > 3000
    for name, rx in _all_guarded():
        hits = 0
        for t in texts:
            a, b = rx.rx.search(t), rx.search(t)
            assert (a and a.span()) == (b and b.span()), (name, t)
            hits += a is not None
        assert hits > 0, name  # the regex is live on real text, so the check means something
    # and the guards do reject: most messages never reach the big regexes
    rejected = sum(not rx.possible(t) for _, rx in _all_guarded() for t in texts)
    assert rejected > 0.5 * len(texts) * len(_all_guarded())


_ALPHABET = "".join(sorted(set("".join(rx.pattern for _, rx in _all_guarded())) - set("\\()[]{}|?*+.^$")))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, min_size=0, max_size=40))
def test_guard_never_rejects_a_match_on_random_text(t):
    for name, rx in _all_guarded():
        a = rx.rx.search(t)
        assert (a and a.span()) == ((m := rx.search(t)) and m.span()), (name, t)
        assert [m.span() for m in rx.rx.finditer(t)] == [m.span() for m in rx.finditer(t)], (name, t)


def test_unguardable_pattern_runs_as_is():
    g = guarded(re.compile(r"\d+"))
    assert g.guard is None and g.search("abc 12").group(0) == "12"
    assert g.split("a1b22c") == ["a", "b", "c"] and g.groups == 0  # the rest is the regex's own


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["太贵", "便宜", "价格", "[一二]个点", "(?:能|得)?降", ".{0,3}", "(?:再)?让", "不行", "x?"]),
                min_size=1, max_size=4),
       st.text(alphabet="太贵便宜价格一二个点能得降再让不行xy ", max_size=30))
def test_guard_never_rejects_a_match_of_generated_patterns(parts, text):
    """Patterns built from the cue vocabulary (alternations, optional parts, gaps) on text
    drawn from the same characters, so matches are frequent."""
    rx = re.compile("|".join(parts[:2]) + "".join(parts[2:]))
    g = guarded(rx)
    assert (rx.search(text) and rx.search(text).span()) == (g.search(text) and g.search(text).span()), (rx.pattern, text)
