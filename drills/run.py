"""Run the drills: ``.venv/bin/python drills/run.py [name …]`` (``make drills``, ``make drills
DRILL=load``). One line per drill: name, PASS/FAIL, the key figures (and why, for a failure);
exit status 1 when any drill fails. Every drill starts what it needs on 127.0.0.1 and stops it
again; the databases of a run (``kakehashi_drill_<pid>_…``) are dropped at the end; logs stay in
/tmp/kakehashi-drills-<pid>/."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drills import dump_restore, hostile, infra, kill_import, load, pg_restart, redis_down  # noqa: E402

#: name → (drill, time budget in seconds; the drill is stopped and fails beyond it)
DRILLS = {
    "load": (load.drill, 170),
    "postgres-restart": (pg_restart.drill, 90),
    "redis-down": (redis_down.drill, 60),
    "kill-mid-import": (kill_import.drill, 75),
    "hostile-inputs": (hostile.drill, 170),
    "dump-restore": (dump_restore.drill, 150),
}
#: the whole run, seeding included: a drill is cut short (and fails) when this is spent
TOTAL_BUDGET = 600
SEED_BUDGET = 120


class DrillTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise DrillTimeout()


def _terminate(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="name", help=f"drills to run (default: all): {', '.join(DRILLS)}")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in DRILLS]
    if unknown:
        parser.error(f"unknown drill {', '.join(unknown)}; choose from {', '.join(DRILLS)}")
    names = args.names or list(DRILLS)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGALRM, _alarm)
    infra.WORK.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    failed = []
    seed_seconds = 0.0
    try:
        if any(name != "postgres-restart" for name in names):  # that one seeds its own private cluster
            signal.alarm(SEED_BUDGET)
            try:
                infra.prepare_seed()
            except (DrillTimeout, Exception) as error:  # noqa: BLE001 - every drill then fails with the reason
                infra.log(traceback.format_exc())
                print(f"seeding the drill database failed: {type(error).__name__}: {error}"[:800], flush=True)
                return 1
            finally:
                signal.alarm(0)
            seed_seconds = time.monotonic() - started
        for name in names:
            function, budget = DRILLS[name]
            infra.log(f"--- {name}")
            began = time.monotonic()
            remaining = int(TOTAL_BUDGET - (began - started))
            budget = min(budget, remaining)
            if remaining < 5:
                result = infra.Result(False, "", [f"not run: the run's {TOTAL_BUDGET} s were spent"])
                print(f"{name:<17} FAIL  — {result.reasons[0]}", flush=True)
                failed.append(name)
                continue
            signal.alarm(budget)
            try:
                result = function()
            except DrillTimeout:
                result = infra.Result(False, "", [f"did not finish within its budget of {budget} s"])
            except Exception as error:  # noqa: BLE001 - a drill that cannot run is a failed drill
                infra.log(traceback.format_exc())
                result = infra.Result(False, "", [f"{type(error).__name__}: {error}".strip()[:600]])
            finally:
                signal.alarm(0)
            seconds = time.monotonic() - began
            verdict = "PASS" if result.passed else "FAIL"
            line = f"{name:<17} {verdict}  {result.figures}" + (f" [{seconds:.0f} s]")
            if not result.passed:
                failed.append(name)
                line += "  — " + "; ".join(result.reasons)
            print(line, flush=True)
            infra.log(line)
    finally:
        signal.alarm(0)
        infra.stop_everything()
        infra.drop_all_databases()
        for db in (infra.REDIS_DB, infra.REDIS_DB_SECOND):  # the drills' cache entries
            with contextlib.suppress(OSError):
                infra.redis_flush(6379, db)
    total = time.monotonic() - started
    print(
        f"{len(names) - len(failed)} of {len(names)} drills passed in {total:.0f} s "
        f"(seeding {seed_seconds:.0f} s; logs: {infra.WORK})",
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    os.chdir(infra.ROOT)
    sys.exit(main())
