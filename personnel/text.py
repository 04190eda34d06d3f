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
import unicodedata

import jaconv

_SPACES = re.compile(r"\s+")
# Dashes typed for the hyphen of a number (2026‐人事‐000123): one hyphen. The katakana long vowel ー is not one of
# them (jaconv.normalize would turn these into ー, which breaks numbers; NFKC and this table keep them apart).
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212\ufe63", "-"))


def fold(text: str) -> str:
    """The search form of `text` (see the module docstring)."""
    folded = jaconv.hira2kata(unicodedata.normalize("NFKC", text or "")).translate(_DASHES).lower()
    return _SPACES.sub(" ", folded).strip()


def variants(word: str) -> list[str]:
    """A word as typed and folded, for columns kept as entered (names, numbers) rather than folded."""
    return list(dict.fromkeys([word, fold(word)]))


def words(query: str) -> list[str]:
    """The folded words of a search box's query (every word must match), without repeats."""
    return list(dict.fromkeys(w for w in fold(query).split(" ") if w))


def joined(*parts: object) -> str:
    """One folded search column from several fields (empty ones left out), with a name's parts also written
    together so that 山田太郎 finds 山田 太郎."""
    return fold(" ".join(str(p) for p in parts if p not in (None, "")))
