"""Signing up in the client with an email that already has an account: the server answers as
it would for a new one and creates nothing; the client's log-in that follows fails, and it
says what that can mean without the server ever having said the address is registered."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import PASSWORD, Server, unique_name


def test_a_sign_up_with_a_registered_email_says_to_log_in_to_that_account(
    page: Page, server: Server, new_trader: Any
) -> None:
    owner = new_trader("owner")
    page.goto(server.base_url + "/")
    page.get_by_label("Email").fill(f"{owner.username}@e2e.example.com")
    page.get_by_label("Username").fill(unique_name("again"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("If this email already had an account, no new one was made")
    expect(alert).not_to_contain_text("invalid username or password")
    expect(page.get_by_role("button", name="Create account")).to_be_visible()  # still out
