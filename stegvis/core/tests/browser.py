"""Helpers for browser tests: axe-core after every page, and logging in as a person would."""

from __future__ import annotations

from typing import TYPE_CHECKING

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

if TYPE_CHECKING:
    from stegvis.core.models import User

PASSWORD = "ett-bra-testlosenord"
_axe = Axe()


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    results = _axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not bad, f"axe on {page.url}:\n" + "\n".join(bad)


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/logga-in/")
    assert_accessible(page)
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def sign_in(
    page: Page, base: str, user: User, with_code: bool = True, password: str = PASSWORD
) -> None:
    """Sign in as ``user`` from a fresh session (any earlier user's cookies cleared), with the
    one-time code of the user's TOTP device when ``with_code`` (roles that need two factors),
    and check the page the user lands on with axe-core. ``password``: the demo's users have
    their own."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.context.clear_cookies()
    page.goto(f"{base}/logga-in/")
    page.get_by_label("E-postadress").fill(user.email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    if with_code:
        device = TOTPDevice.objects.get(user=user)
        page.get_by_label("Engångskod").fill(f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Fortsätt").click()
    assert_accessible(page)
