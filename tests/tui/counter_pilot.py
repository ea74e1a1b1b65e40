"""Driving the counter app the way a clerk does: log in, open a job, scan, wait for the workers."""

from __future__ import annotations

from textual.pilot import Pilot

from tests.tui.burst import scan_burst, settle


async def idle(pilot: Pilot) -> None:
    """Wait until thread workers are done and every queue on the screen is empty."""
    for _ in range(40):
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        if not any(w.is_running for w in pilot.app.workers):
            await settle(pilot)
            return
    raise AssertionError("workers still running")


async def type_text(pilot: Pilot, text: str) -> None:
    await pilot.press(*[c if c != " " else "space" for c in text])


async def login(pilot: Pilot, code: str = "1001", pin: str = "1234") -> None:
    await scan_burst(pilot, code)
    await type_text(pilot, pin)
    await pilot.press("enter")
    await idle(pilot)


async def open_sale(pilot: Pilot) -> None:
    await login(pilot)
    await pilot.press("f2")
    await idle(pilot)
