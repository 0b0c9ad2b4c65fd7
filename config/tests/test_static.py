"""Production static files: collectstatic makes hashed, compressed copies that whitenoise serves."""

import re

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.fixture
def collected_static(settings, tmp_path):
    # Only the project's own static folder, to keep the test quick; the storage is production's.
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", interactive=False, verbosity=0)
    return settings.STATIC_ROOT


@pytest.mark.django_db
def test_pages_link_hashed_static_files_served_compressed_and_cached_forever(collected_static):
    client = Client()
    page = client.get("/accounts/login/").content.decode()
    href = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)
    assert href, "the page should link the content-hashed stylesheet"
    assert (collected_static / href[1].removeprefix("/static/")).with_suffix(".css.gz").exists()

    response = client.get(href[1], HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
