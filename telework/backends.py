"""The authentication backend of the portal: Django's ModelBackend behind the login policy (telework/login.py).

Every password login in the process passes here, whichever form asked: a locked account or address is refused
before its password is looked at (and logged as locked). What a right password may then do — at the office,
from home, with or without the second factor — is decided when the login happens (the user_logged_in receiver
in telework/login.py), and every wrong password is counted (user_login_failed).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from telework import login


class PolicyBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if login.policy_refuses_locked(request=request, username=str(username or "")):
            raise PermissionDenied  # stops every backend: Django answers as for a wrong password
        return super().authenticate(request, username=username, password=password, **kwargs)
