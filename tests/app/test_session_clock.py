"""The test session's clock (tests/support/session_clock.py): a run never crosses local midnight,
and the processes a test starts share its clock."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.services.clock import DEFAULT_TZ, local_today
from tests.support import session_clock
from tests.support.session_clock import RUN_BUDGET, clocked_command, clocked_env, session_start

ROOT = Path(__file__).resolve().parents[2]


def _sp(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=DEFAULT_TZ)


def test_a_run_far_from_midnight_starts_where_asked() -> None:
    """Tests that a start with more than the run's budget left in the local day is kept."""
    for wanted in (
        _sp("2026-11-30T00:00:00"),
        _sp("2026-11-30T14:10:00"),
        _sp("2026-11-30T22:59:00"),
    ):
        assert session_start(wanted) == wanted


def test_a_run_near_midnight_starts_at_midnight() -> None:
    """Tests that a start less than the run's budget before local midnight moves to that
    midnight (forward, never back), whatever offset the instant was written with."""
    midnight = _sp("2026-12-01T00:00:00")
    for wanted in (
        midnight - RUN_BUDGET + timedelta(seconds=1),
        _sp("2026-11-30T23:58:00"),
        datetime(2026, 12, 1, 2, 59, 59, tzinfo=UTC),  # 23:59:59 in São Paulo
    ):
        start = session_start(wanted)
        assert start == midnight
        assert start >= wanted
    # 03:00 UTC is São Paulo's midnight itself: the whole day lies ahead
    assert session_start(datetime(2026, 12, 1, 3, 0, tzinfo=UTC)) == midnight


def test_this_run_is_inside_its_day() -> None:
    """Tests that the running session's clock started at least the run's budget before the
    midnight it must end before, and that the run has not reached it."""
    clock = session_clock.current()
    assert clock.ends_before() - clock.start >= RUN_BUDGET
    assert local_today() == clock.start.astimezone(DEFAULT_TZ).date()
    assert clock.offset_s >= 0


def test_a_started_process_reads_the_session_clock() -> None:
    """Tests that a process started through `clocked_command` is ahead of the real clock by the
    session's lead: here five years, read back as the year `python -m calendar` prints."""
    five_years = 5 * 365 * 86400.0
    env = clocked_env({"PYTHONPATH": str(ROOT)})
    assert float(env[session_clock.OFFSET_ENV]) == session_clock.current().offset_s
    env[session_clock.OFFSET_ENV] = repr(five_years)
    out = subprocess.run(
        clocked_command([sys.executable, "-m", "calendar"]),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    expected = datetime.now(UTC) + timedelta(seconds=five_years - session_clock.current().offset_s)
    assert out.split()[0] == str(expected.year)
