"""Audit lines for logins: who tried, from where, when (the filter adds address and UTC time).

Only the username is logged, never the credentials; Django already blanks the password in the
signal, and nothing else from it is written.
"""

from __future__ import annotations

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("bottleworks.audit")


def _name(value: object) -> str:
    # A username is typed by whoever is at the keyboard: keep it short and on one line.
    return repr(str(value or "")[:150])


@receiver(user_login_failed, dispatch_uid="operations.audit.login_failed")
def login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    log.warning("login failed username=%s", _name(credentials.get("username")))


@receiver(user_locked_out, dispatch_uid="operations.audit.locked_out")
def locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    log.warning("login locked out username=%s", _name(username))


@receiver(user_logged_in, dispatch_uid="operations.audit.logged_in")
def logged_in(sender, request=None, user=None, **kwargs) -> None:
    log.info("login succeeded username=%s", _name(user.get_username() if user else ""))
