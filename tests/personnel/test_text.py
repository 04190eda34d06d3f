"""The one folding of Japanese text for search (personnel/text.py)."""

from __future__ import annotations

import pytest

from personnel import text


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("ﾃﾚﾜｰｸ", "テレワーク"),
        ("てれわーく", "テレワーク"),
        ("テレワーク", "テレワーク"),
        ("ＡＢＣ１２３", "abc123"),
        ("ｶﾞｲﾄﾞ", "ガイド"),
        ("年次休暇　の 取得", "年次休暇 ノ 取得"),
        ("2026-人事-000123", "2026-人事-000123"),
        ("２０２６－人事－０００１２３", "2026-人事-000123"),
        ("2026‐人事−000123", "2026-人事-000123"),
    ],
)
def test_every_way_of_typing_a_word_folds_to_one(typed, folded):
    assert text.fold(typed) == folded


def test_the_words_of_a_query_are_folded_and_not_repeated():
    assert text.words(" ﾃﾚﾜｰｸ  てれわーく　申請 ") == ["テレワーク", "申請"]


def test_a_joined_column_leaves_out_empty_parts():
    assert text.joined("年休", None, "", "たなか") == "年休 タナカ"
