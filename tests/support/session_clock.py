"""The test session's clock: the whole run lives in one local day.

CI starts at any hour and a run lasts minutes. Data made for "today" once per session (the
browser tests' live server, session-scoped plans) stays made for that day, and a page asked
after local midnight speaks of the next day, which has none. So the session's clock is chosen
once, at the start, and every part of the run reads it: this process and its threads (the live
server) through a ticking time_machine travel, the browser's pages through a shifted `Date`
(`browser_date_script`), and the processes a test starts (gunicorn, `flask jobs`, a Celery
worker) through `clocked_command`.

The chosen instant is the real one, or ROTEIRO_TEST_CLOCK when set; but if the local day ends
less than RUN_BUDGET after it, the session starts at the next local midnight instead. Never
earlier than the real time: the browser's cookie jar keeps the real clock.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as day_time

from app.services.clock import DEFAULT_TZ

# Longer than any run of the suite (its budget is 20 minutes; CI takes about 10). A run
# starting this close to local midnight starts at midnight instead.
RUN_BUDGET = timedelta(hours=1)

# Read by `python -m tests.support.session_clock` in a process started by a test.
OFFSET_ENV = "ROTEIRO_TEST_CLOCK_OFFSET_S"


def next_local_midnight(moment: datetime) -> datetime:
    """The first local midnight strictly after ``moment`` (aware)."""
    local = moment.astimezone(DEFAULT_TZ)
    return datetime.combine(local.date() + timedelta(days=1), day_time(0), tzinfo=DEFAULT_TZ)


def session_start(wanted: datetime) -> datetime:
    """Where the session's clock starts when the run is asked to start at ``wanted``: there,
    unless the local day has less than RUN_BUDGET left; then at the next local midnight."""
    midnight = next_local_midnight(wanted)
    # compared in UTC: aware datetimes sharing a tzinfo subtract as wall clocks
    if midnight.astimezone(UTC) - wanted.astimezone(UTC) < RUN_BUDGET:
        return midnight
    return wanted


@dataclass(frozen=True)
class SessionClock:
    """The session's clock as started: its first instant and its lead over the real clock."""

    start: datetime
    offset_s: float

    def ends_before(self) -> datetime:
        """The local midnight the whole run must finish before."""
        return next_local_midnight(self.start)


_current: SessionClock | None = None


def start_session_clock() -> SessionClock:
    """Start the session's clock (once per process; pytest_sessionstart calls it)."""
    global _current
    if _current is not None:
        return _current
    real = datetime.now(UTC)
    moment = os.environ.get("ROTEIRO_TEST_CLOCK")
    try:
        wanted = datetime.fromisoformat(moment) if moment else real
    except ValueError as exc:
        raise ValueError(f"ROTEIRO_TEST_CLOCK is not an ISO timestamp: {moment!r}") from exc
    if wanted.tzinfo is None:
        raise ValueError(f"ROTEIRO_TEST_CLOCK needs a UTC offset, e.g. -03:00: {moment!r}")
    start = session_start(wanted)
    offset = (start - real).total_seconds()
    if offset < -1:
        # the browser would drop the cookies of a server living in its past
        raise ValueError(f"ROTEIRO_TEST_CLOCK must not be in the past: {moment!r}")
    if start != real:
        _travel(start.timestamp())
    _current = SessionClock(start=start, offset_s=max(offset, 0.0))
    return _current


def current() -> SessionClock:
    """The running session's clock (started by the root conftest)."""
    if _current is None:
        raise RuntimeError("the session clock is not started (tests/conftest.py starts it)")
    return _current


def _travel(timestamp: float) -> None:
    import time_machine

    time_machine.travel(timestamp, tick=True).start()


def real_time() -> float:
    """The real clock (Unix seconds), whatever travel this process is on."""
    import time_machine

    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.time.time()
    return time.time()


# Only `Date` is shifted: Playwright's clock.install() also fakes the timers and `performance`,
# whose navigation timings a test reads. Date() called as a function returns a string, as the
# real one does; everything else is the real Date's.
_DATE_SCRIPT = """(() => {
  const shiftMs = %d;
  if (!shiftMs) return;
  const RealDate = Date;
  function SessionDate(...args) {
    if (!new.target) return new RealDate(RealDate.now() + shiftMs).toString();
    return args.length ? new RealDate(...args) : new RealDate(RealDate.now() + shiftMs);
  }
  SessionDate.prototype = RealDate.prototype;
  SessionDate.now = () => RealDate.now() + shiftMs;
  SessionDate.parse = RealDate.parse;
  SessionDate.UTC = RealDate.UTC;
  const property = { value: SessionDate, writable: true, configurable: true };
  Object.defineProperty(globalThis, "Date", property);
})();
"""


def browser_date_script() -> str:
    """A browser context's init script: its pages' `Date` runs on this process's clock (the
    session's, or a test's own travel), as far ahead of the real clock as it is now, and
    flows on."""
    return _DATE_SCRIPT % round((time.time() - real_time()) * 1000)


def clocked_command(argv: list[str]) -> list[str]:
    """``argv`` (``[python, "-m", module, ...]``) run on the session's clock in a child process.

    A child process has the real clock; this one runs the module under the same ticking travel
    (forked workers inherit it). Pair it with `clocked_env`."""
    if argv[1:2] != ["-m"]:
        raise ValueError(f"expected [python, '-m', module, ...], got {argv!r}")
    return [argv[0], "-m", "tests.support.session_clock", *argv[2:]]


def clocked_env(env: dict[str, str]) -> dict[str, str]:
    """``env`` plus the session clock's lead over the real clock, for `clocked_command`."""
    return {**env, OFFSET_ENV: repr(current().offset_s)}


def _main() -> None:
    """``python -m tests.support.session_clock MODULE ARGS...``: run MODULE as ``-m`` would,
    ahead of the real clock by $ROTEIRO_TEST_CLOCK_OFFSET_S seconds."""
    import runpy

    offset = float(os.environ[OFFSET_ENV])
    if offset:
        _travel(time.time() + offset)
    module, *args = sys.argv[1:]
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _main()
