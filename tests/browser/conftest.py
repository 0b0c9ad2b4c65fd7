"""Playwright with the system Chromium against pytest-django's live server (transactional DB).

Playwright's sync API runs an event loop in this thread, so Django's guard against database calls
from async code has to be lifted for these tests only.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PASSWORD = "correct-horse-battery"


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class Session:
    """One signed-in browser context, collecting console errors and saving screenshots."""

    def __init__(self, browser, base_url: str, width: int = 1280):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str):
        return self.page.goto(self.base_url + path)

    def login(self, username: str) -> Session:
        self.go("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return self

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser, live_server):
    sessions = []

    def open_(username: str, width: int = 1280) -> Session:
        session = Session(browser, live_server.url, width).login(username)
        sessions.append(session)
        return session

    yield open_
    for session in sessions:
        session.close()


@pytest.fixture
def stocked_plant(transactional_db, staff_user, manager_user, owner_user):
    """The test plant with stock bought in (each purchase below the approval threshold)."""
    from testing.plant import build_plant

    plant = build_plant()
    plant.buy(manager_user, (plant.bottle, 1200, "3.00"))
    plant.buy(manager_user, (plant.preform, 500, "2.00"), (plant.cap, 500, "0.50"))
    return plant
