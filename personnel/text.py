"""Japanese text as search compares it: one folding for every search in the portal (documents, the staff directory,
and later the register and the intranet).

`fold()` maps the ways one word is typed to one form, with jaconv (the well-kept library for it): half-width kana
to full-width (ﾃﾚﾜｰｸ → テレワーク), full-width letters and digits to ASCII (ＡＢＣ１２３ → abc123), hiragana to
katakana (てれわーく → テレワーク), lower case, and runs of spaces (full-width ones too) to one. Kanji are left as
they are: a reading cannot be told from the characters, which is why names are searched by their kana column too.

Stored text that is searched this way is kept folded in a column of its own (e.g. Document.search_text), written
where the text is written; the query is folded the same way, so both sides meet.
"""

from __future__ import annotations

import re

import jaconv

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """The search form of `text` (see the module docstring)."""
    folded = jaconv.hira2kata(jaconv.normalize(text or "", "NFKC")).lower()
    return _SPACES.sub(" ", folded).strip()


def words(query: str) -> list[str]:
    """The folded words of a search box's query (every word must match), without repeats."""
    return list(dict.fromkeys(w for w in fold(query).split(" ") if w))


def joined(*parts: object) -> str:
    """One folded search column from several fields (empty ones left out), with a name's parts also written
    together so that 山田太郎 finds 山田 太郎."""
    return fold(" ".join(str(p) for p in parts if p not in (None, "")))
