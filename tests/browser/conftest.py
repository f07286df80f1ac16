"""Browser tests: the app served by uvicorn on 127.0.0.1 (the suite's engine) and Debian's Chromium.

One server per test module, on its own data dir and database (a copy of the migrated SQLite template,
or the PostgreSQL test database emptied first), with one user per desk. The server's clock is pinned
at ``PINNED_AT`` through ``RELIEF_LEDGER_FIXED_NOW`` (the module-scoped server starts before the
per-test ``pinned_clock`` sets it), so a run, and its screenshots, are the same on any date.
Chromium is the system binary (``apt-get install chromium``); ``playwright install`` is never needed.
Screenshots of the main pages go to ``var/screenshots/`` (ignored by git) for people to look at.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import PASSWORD, PG_URL, _truncate_all
from tests.pinned_clock import PINNED_AT

from ledger import db
from ledger.config import Settings
from ledger.core import clock
from ledger.platform.service import UserService

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
USERS = (
    ("adjuster", "adjuster"),
    ("adjuster2", "adjuster"),
    ("approver", "approver"),
    ("approver2", "approver"),
    ("accountant", "accountant"),
    ("auditor", "auditor"),
    ("caseworker", "caseworker"),
    ("officer", "relief_officer"),
    ("officer2", "relief_officer"),
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Live:
    """The running workbench.

    Args:
        url: its base URL, ``http://127.0.0.1:<port>``.
        settings: its settings (data dir, database).
    """

    url: str
    settings: Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(settings: Settings) -> None:
    async def work() -> None:
        async with db.connected(settings) as engine:
            if settings.is_postgres:
                await _truncate_all(engine)
            for username, role in USERS:
                await UserService().add_user(username=username, role=role, password=PASSWORD)

    # Sync Playwright keeps an event loop running in this thread once a browser is open.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work()).result()


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path | None,
    pg_migrated: bool,
    cheap_password_hashing: None,
) -> Iterator[Live]:
    """A uvicorn server of the app on a free port, with one user per desk (password ``PASSWORD``)."""
    data_dir = tmp_path_factory.mktemp("live") / "var"
    data_dir.mkdir()
    secret = "browser-test-secret-0123456789abcdef"
    if sqlite_template is not None:
        shutil.copy(sqlite_template, data_dir / "relief-ledger.sqlite")
        settings = Settings(data_dir=data_dir, secret_key=secret)
    else:
        assert pg_migrated
        settings = Settings(data_dir=data_dir, database_url=PG_URL, secret_key=secret)
    _prepare(settings)
    port = _free_port()
    env = {
        **os.environ,
        "LEDGER_DATA_DIR": str(data_dir),
        "LEDGER_SECRET_KEY": secret,
        "LEDGER_DATABASE_URL": settings.database_url,
        clock.FIXED_NOW_VARIABLE: PINNED_AT.isoformat(),
    }
    log = (data_dir / "server.log").open("w")
    command = [sys.executable, "-m", "uvicorn", "ledger.app:create_app", "--factory"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert server.poll() is None, (data_dir / "server.log").read_text()
            try:
                if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start in time"
            time.sleep(0.2)  # polling a starting process: there is no event to wait on
        yield Live(url=url, settings=settings)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, without network features."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed: apt-get install chromium (scripts/system-packages.sh)")
    with playwright_api.sync_playwright() as driver:
        instance = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Desk:
    """One signed-in browser session (its own cookies) at the live server."""

    def __init__(self, browser: Any, live: Live, username: str | None = None) -> None:
        self.live = live
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        if username:
            self.sign_in(username)

    def go(self, path: str) -> Any:
        """Open ``path`` and return the response."""
        return self.page.goto(self.live.url + path)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        """Sign in through the form and wait for the desk."""
        self.go("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        with self.page.expect_navigation():
            self.page.click("main button[type=submit]")

    def submit(self, selector: str) -> None:
        """Click a submit button and wait for the next page."""
        with self.page.expect_navigation():
            self.page.click(selector)

    def shot(self, name: str) -> Path:
        """Save a full-page screenshot as a test artefact."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        """Close the browser context."""
        self.context.close()


@pytest.fixture
def desk(browser: Any, live: Live) -> Iterator[Any]:
    """Open desks as named users: ``desk("adjuster")``; all closed after the test."""
    opened: list[Desk] = []

    def open_desk(username: str | None = None) -> Desk:
        made = Desk(browser, live, username)
        opened.append(made)
        return made

    yield open_desk
    for made in opened:
        made.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical accessibility violations axe-core finds on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def unlabelled_inputs(page: Any) -> list[str]:
    """Inputs, selects and text areas (not hidden) without an accessible label."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                          && !el.getAttribute('aria-labelledby'))
            .map(el => el.name || el.id)"""
    )
    return found
