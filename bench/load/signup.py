"""A virtual user's arrival: sign up, sign in, wait for the practice account; and the
measured window, which opens once every user of the run has arrived."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import gevent
from locust.exception import StopUser

API = "/api/v1"
# The measured window: once every user has signed up, statistics restart and the run ends
# this many seconds later (argon2's sign-up burst is the ramp, reported but not the step).
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "0"))
_signed_up = 0
_gave_up = 0  # users whose sign-up failed or whose account did not open in time
PASSWORD = "load-test-horse-battery"  # noqa: S105 - throwaway traders on a loopback run
ACCOUNT_WAIT = 20.0


def sign_up(client: Any) -> tuple[str, dict[str, str], str]:
    """A new trader: sign up, sign in, wait for the practice account the platform opens
    after sign-up. Its username, auth header and account id."""
    name = f"load{uuid.uuid4().hex[:16]}"
    body = {"email": f"{name}@load.example.com", "username": name, "password": PASSWORD}
    client.post(f"{API}/auth/register", json=body, name="sign up")
    signed = client.post(
        f"{API}/auth/login", json={"username": name, "password": PASSWORD}, name="sign in"
    )
    if signed.status_code != 200:
        raise StopUser
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    deadline = time.monotonic() + ACCOUNT_WAIT
    while time.monotonic() < deadline:
        found = client.get(f"{API}/accounts", headers=headers, name="wait for account")
        practice = [a for a in found.json() if a["kind"] == "practice"] if found.ok else []
        if practice:
            return name, headers, str(practice[0]["account_id"])
        time.sleep(0.2)
    raise StopUser


def signed_up(environment: Any, ok: bool = True) -> None:
    """One more user is in (or gave up: its account never opened); the last one starts
    the measured window."""
    global _signed_up, _gave_up
    _signed_up += ok
    _gave_up += not ok
    runner = environment.runner
    if runner is None or _signed_up + _gave_up != runner.target_user_count or not STEP_SECONDS:
        return
    print(
        f"all {_signed_up} users in, {_gave_up} gave up: measuring {STEP_SECONDS:g} s", flush=True
    )
    runner.stats.reset_all()
    gevent.spawn_later(STEP_SECONDS, runner.quit)
