"""A scheduler process for the suite: the bot wired as `k8sq run --role scheduler` wires it,
ticking at the simulated times the test sends on stdin.

    tick <ISO time>   prints "start", runs Jobs.tick at that time, prints "done <outcomes>"
    quit              exits

Settings come from the environment (DATABASE_URL, SLACK_API_URL, SLACK_BOT_TOKEN,
K8SQ_QUESTIONS_DIR); the clock is the simulated one.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime

from bot.bootstrap import build
from bot.config import load_settings
from tests.integration.game import FakeClock


def main() -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    settings = load_settings(dict(os.environ), env_file=None)
    clock = FakeClock(datetime.fromisoformat("2026-01-01T00:00:00+00:00"))
    bot = build(settings, clock=clock)
    bot.services.list_workspaces()  # connect before saying ready
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "quit":
            break
        if command != "tick":
            print(f"error unknown command {command!r}", flush=True)
            continue
        now = datetime.fromisoformat(arg)
        clock.set(now)
        print("start", flush=True)
        try:
            messages = [o.message for o in bot.jobs.tick(now)]
        except Exception as exc:  # as bot.scheduler does: log it, tick again next minute
            logging.exception("the scheduler's tick failed")
            messages = [f"tick failed: {type(exc).__name__}"]
        print("done " + json.dumps(messages), flush=True)
    bot.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
