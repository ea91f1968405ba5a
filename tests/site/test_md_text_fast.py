"""md_text escapes with str.translate; it must match the character-by-character rule."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from pmkit.app.site.text import _BIDI, ALWAYS, AT_START, _ORDERED, _ref, md_text


def reference(value: str) -> str:
    """The escaping rule spelled out one character at a time (the original code)."""
    text = " ".join(value.split())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" and ch not in _BIDI)
    ordered = _ORDERED.match(text)
    out = []
    for i, ch in enumerate(text):
        if ch in ALWAYS or (i == 0 and ch in AT_START) or (ordered and i == ordered.end(1)):
            out.append(_ref(ch))
        else:
            out.append(ch)
    return "".join(out)


SPECIAL = "".join(sorted(ALWAYS | AT_START)) + "0123456789 \n\t\x00\x1b\x7f\x85\u202e\u2066é漢"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(SPECIAL) | st.characters(), max_size=40))
def test_md_text_matches_the_character_rule(value):
    assert str(md_text(value)) == reference(value)


def test_examples_worked_by_hand():
    assert str(md_text("1. <b>x</b>")) == "1&#46; &lt;b&gt;x&lt;/b&gt;"
    assert str(md_text("- item")) == "&#45; item"
    assert str(md_text("a\x00b\u202ec")) == "abc"
    assert str(md_text("")) == ""
