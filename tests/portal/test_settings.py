"""Settings come from the environment; a malformed value stops start-up instead of being guessed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal import settings as portal_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)])
def test_booleans_are_read_strictly(monkeypatch, raw, expected):
    monkeypatch.setenv("X_FLAG", raw)
    assert portal_settings.env_bool("X_FLAG", not expected) is expected


def test_a_malformed_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        portal_settings.env_bool("X_FLAG", False)


def test_a_rank_outside_one_to_nine_is_refused(monkeypatch):
    monkeypatch.setenv("X_RANK", "12")
    with pytest.raises(ImproperlyConfigured, match="outside"):
        portal_settings.env_int("X_RANK", 3, minimum=1, maximum=9)


def test_an_office_network_that_is_not_cidr_is_refused(monkeypatch):
    monkeypatch.setenv("X_NETS", "10.0.0.0/8, city-hall")
    with pytest.raises(ImproperlyConfigured, match="city-hall"):
        portal_settings.env_networks("X_NETS", [])


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", "import portal.settings"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_start_up_without_a_secret_key_is_refused():
    result = start({"DEBUG": "0"})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_a_redis_url_of_the_wrong_scheme_is_refused():
    result = start({"DEBUG": "1", "REDIS_URL": "http://cache:6379"})
    assert result.returncode != 0 and "REDIS_URL" in result.stderr


def test_the_first_run_defaults_are_japanese_and_tokyo(settings):
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == ("ja", "Asia/Tokyo", True)


def test_dates_are_read_as_staff_write_them_in_both_languages():
    from django import forms
    from django.utils import translation

    field = forms.DateField()
    for language in ("ja", "en"):
        with translation.override(language):
            for typed in ("2026/12/10", "2026-12-10", "2026年12月10日"):
                assert field.clean(typed).isoformat() == "2026-12-10", (language, typed)
