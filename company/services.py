"""The seller profile: edited by a Manager, audited (history) like every business record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import roles
from accounts.models import User
from company.models import SellerProfile
from core.errors import InvalidDocument, NotAllowed
from tax import gstin

PROFILE_FIELDS = (
    "legal_name",
    "trade_name",
    "address",
    "state_code",
    "gstin",
    "pan",
    "phone",
    "email",
    "bank_name",
    "bank_account_number",
    "bank_ifsc",
    "upi_id",
    "logo",
    "invoice_terms",
)


@transaction.atomic
def save_seller_profile(*, by: User, **fields: Any) -> SellerProfile:
    """Change the one seller profile (made on first save). The GSTIN must be valid and agree with
    the state and PAN given; an empty state or PAN is taken from it."""
    if not roles.can_manage_master_data(by):
        raise NotAllowed("Only a Manager may change the seller profile.")
    profile = SellerProfile.objects.select_for_update().order_by("pk").first() or SellerProfile()
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise TypeError(f"unknown seller profile field {name}")
        if name == "logo" and value is None:
            continue  # no new file chosen: keep the one there is
        setattr(profile, name, value if value is not False else "")
    profile.gstin = gstin.normalise(profile.gstin)
    profile.pan = (profile.pan or "").strip().upper()
    profile.bank_ifsc = (profile.bank_ifsc or "").strip().upper()
    if profile.gstin:
        problem = gstin.gstin_problem(profile.gstin)
        if problem:
            raise InvalidDocument(fields={"gstin": [problem]})
        state, pan = gstin.state_of(profile.gstin), gstin.pan_of(profile.gstin)
        if profile.state_code and profile.state_code != state:
            raise InvalidDocument(
                fields={
                    "state_code": [f"The GSTIN is registered in state {state}, not {profile.state_code}."]
                }
            )
        if profile.pan and profile.pan != pan:
            raise InvalidDocument(fields={"pan": [f"The GSTIN holds the PAN {pan}, not {profile.pan}."]})
        profile.state_code, profile.pan = state, pan
    try:
        profile.full_clean()
    except ValidationError as invalid:
        raise InvalidDocument(fields=invalid.message_dict) from None
    profile._history_user = by
    profile.save()
    return profile
