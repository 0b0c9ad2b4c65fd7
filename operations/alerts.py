"""Who hears about an operations failure, and the mail that tells them."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import DatabaseError

from accounts.roles import GROUP_NAMES, Role

log = logging.getLogger("bottleworks.operations")


def owner_recipients() -> list[str]:
    """Active Owners with an e-mail address, then ADMIN_EMAILS; each address once."""
    try:
        owners = list(
            get_user_model()
            .objects.filter(groups__name=GROUP_NAMES[Role.OWNER], is_active=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("email", flat=True)
        )
    except DatabaseError:
        log.exception("could not read the Owners' e-mail addresses; mailing ADMIN_EMAILS only")
        owners = []
    admins = [entry[1] if isinstance(entry, (tuple, list)) else entry for entry in settings.ADMINS]
    return list(dict.fromkeys([*owners, *admins]))


def alert_owners(subject: str, body: str) -> list[str]:
    """Mail the Owners; return who was mailed. A mail that cannot be sent is logged, not raised:
    the failure it reports must still reach the log and the exit code."""
    recipients = owner_recipients()
    if not recipients:
        log.error("no one to mail about: %s (give an Owner an e-mail address or set ADMIN_EMAILS)", subject)
        return []
    try:
        send_mail(f"[Bottleworks] {subject}", body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        log.exception("could not mail %s about: %s", ", ".join(recipients), subject)
        return []
    return recipients
