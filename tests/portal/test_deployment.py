"""Deployment settings: start-up refuses a weak SECRET_KEY; `manage.py check --deploy` is clean with the
production environment the README documents; every page carries a Content-Security-Policy without inline
scripts."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def documented_production_environment() -> dict[str, str]:
    """The KEY=value lines of the README's `production.env` block (a placeholder secret replaced by a real one)."""
    block = re.search(r"```sh\n# production\.env\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "README.md documents the production environment in a ```sh block starting '# production.env'"
    env = dict(re.findall(r"^([A-Z_]+)=(\S*)", block.group(1), re.M))
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECRET_KEY", "SECURE_", "SESSION_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "key",
    [
        "short-but-set-secret-key-of-forty-chars",
        "django-insecure-" + "k" * 20 + secrets.token_urlsafe(30),
        "ab" * 40,
    ],
    ids=["shorter than 50", "django-insecure- prefix", "fewer than 5 distinct characters"],
)
def test_production_start_up_refuses_a_weak_secret_key(key):
    result = run(["-c", "import portal.settings"], {"DEBUG": "0", "SECRET_KEY": key})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr and "50" in result.stderr


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], documented_production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_environment_redirects_to_https_behind_the_documented_proxy():
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE)"
    )
    env = {**documented_production_environment(), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = run(["-c", f"import django; django.setup(); {script}"], env)
    assert result.returncode == 0, result.stderr
    redirect, hsts, rest = result.stdout.strip().split(" ", 2)
    assert redirect == "True" and int(hsts) >= 31536000  # a year
    assert rest == "('HTTP_X_FORWARDED_PROTO', 'https') True"  # nginx says https; cookies only over https


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy_without_inline_scripts(client):
    response = client.get(reverse("login"))
    policy = dict(
        (directive.split()[0], directive.split()[1:])
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy.get("script-src", policy["default-src"])
    assert "'unsafe-eval'" not in policy.get("script-src", policy["default-src"])
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
