"""What a command loads and starts: `linkdoctor scan` of a few links as a user runs it (python -m linkdoctor).

Its speed is measured by bench/small_scan.py; here, what makes it: the worker processes started before the
commands load and used by the whole scan, and nothing of the web app or of Apprise loaded.
"""

import json
import os
import subprocess
import sys

from tests.support.cli import run_cli

# The program as `python -m linkdoctor scan --json` runs it, counting the worker processes it starts and
# saying, at the end, which of the modules a scan does not need were loaded.
PROGRAM = """
import atexit, json, sys
from linkdoctor.workers import pool

started = []
original = pool._Worker.__init__

def counting(self):
    original(self)
    started.append("linkdoctor.cli" in sys.modules)  # whether the commands had been loaded by then

pool._Worker.__init__ = counting
loaded = lambda prefix: any(name == prefix or name.startswith(prefix + ".") for name in sys.modules)
atexit.register(lambda: print(json.dumps({"workers": started, "web": loaded("linkdoctor.web"),
                                          "apprise": loaded("apprise")}), file=sys.stderr))
sys.argv = ["linkdoctor", "scan", "--json"]
from linkdoctor.launch import run
run()
"""


def test_a_small_cli_scan_uses_only_the_workers_started_while_the_commands_load(env, library):
    for i in range(10):
        library.healthy(f"Séries/Show/Season 01/e{i:02}.mkv")
    library.broken("Séries/Show/Season 01/e10.mkv")
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # 1: a problem was found
    assert json.loads(done.stdout)["statistics"]["total_analyzed"] == 11
    facts = json.loads(done.stderr.strip().splitlines()[-1])
    # The workers a scan uses at first (one per core, two at most) were started before the commands were
    # loaded; they checked the selected path and scanned the season folder: no other process was started.
    assert facts == {"workers": [False] * min(2, os.cpu_count() or 1), "web": False, "apprise": False}


def test_the_version_and_an_unknown_command_still_answer_plainly(env):
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("linkdoctor ")
    unknown = run_cli("scna")
    assert unknown.returncode == 2 and "No such command" in unknown.stderr and "Traceback" not in unknown.stderr
