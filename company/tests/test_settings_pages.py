"""The seller profile and tax rates: kept by a Manager on a settings page, audited, validated."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from company.models import SellerProfile
from tax.gstin import make_gstin
from tax.models import TaxRate

GSTIN = make_gstin("27", "AABCB4821K")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _profile(**extra):
    return {"legal_name": "Bottleworks Pvt Ltd", "gstin": GSTIN, "state_code": "", "pan": "", **extra}


def test_a_manager_saves_the_profile_and_the_state_and_pan_come_from_the_gstin(client, manager_user):
    client.force_login(manager_user)
    response = client.post("/settings/seller/", _profile(upi_id="plant@sbi"))
    assert response.status_code == 302
    profile = SellerProfile.current()
    assert (profile.state_code, profile.pan, profile.upi_id) == ("27", "AABCB4821K", "plant@sbi")
    assert profile.history.first().history_user == manager_user


def test_a_gstin_with_a_wrong_check_digit_is_refused_and_what_was_typed_is_kept(client, manager_user):
    client.force_login(manager_user)
    wrong = GSTIN[:14] + ("A" if GSTIN[14] != "A" else "B")
    response = client.post("/settings/seller/", _profile(gstin=wrong, legal_name="Typed Name"))
    assert response.status_code == 400
    assert b"check digit" in response.content and b"Typed Name" in response.content
    assert not SellerProfile.objects.exists()


def test_a_state_other_than_the_gstins_is_refused(client, manager_user):
    client.force_login(manager_user)
    response = client.post("/settings/seller/", _profile(state_code="29"))
    assert response.status_code == 400 and b"registered in state 27" in response.content


def test_the_logo_must_be_a_small_png_or_jpeg(client, manager_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager_user)
    bad = SimpleUploadedFile("logo.svg", b"<svg onload='x'></svg>", content_type="image/svg+xml")
    assert client.post("/settings/seller/", _profile(logo=bad)).status_code == 400
    good = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    assert client.post("/settings/seller/", _profile(logo=good)).status_code == 302
    assert SellerProfile.current().logo.read() == PNG


@pytest.mark.parametrize("who", ["staff_user", "owner_user"])
def test_only_a_manager_may_open_the_settings(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/settings/seller/").status_code == 403
    assert client.get("/settings/tax-rates/").status_code == 403


def test_a_manager_keeps_tax_rates_and_a_bad_rate_is_refused(client, manager_user):
    client.force_login(manager_user)
    assert (
        client.post("/settings/tax-rates/", {"name": "GST 18%", "rate": "18", "is_active": "on"}).status_code
        == 302
    )
    assert client.post("/settings/tax-rates/", {"name": "GST 180%", "rate": "180"}).status_code == 400
    assert (
        client.post("/settings/tax-rates/", {"name": "gst 18%", "rate": "18"}).status_code == 400
    )  # same name
    rate = TaxRate.objects.get()
    assert (rate.name, rate.rate, rate.is_active) == ("GST 18%", D("18.00"), True)
    client.post(f"/settings/tax-rates/{rate.pk}/", {"name": "GST 18%", "rate": "18"})
    rate.refresh_from_db()
    assert rate.is_active is False and rate.history.count() == 2
