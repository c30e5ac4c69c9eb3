"""Running `linkdoctor` as a user does: a child process with the test's environment."""

import os
import subprocess
import sys
import textwrap


def run_cli(*args, timeout=120, input=None, extra_env=None, prefix=()):
    """`linkdoctor ...` in a child process with this process's environment (plus extra_env)."""
    return subprocess.run([*prefix, sys.executable, "-m", "linkdoctor", *args], capture_output=True, text=True,
                          timeout=timeout, input=input, env={**os.environ, **(extra_env or {})})


# `python -c KILLER <scan id> <n>`: confirms the scan's proposals and SIGKILLs itself right after the
# n-th move, before the journal records it (crash safety of the quarantine).
KILLER = textwrap.dedent("""
    import os, signal, sys
    from linkdoctor import create_app, quarantine
    from linkdoctor.models import SymlinkScan, db
    from linkdoctor.quarantine import moves as moving
    moves = 0
    original_record = moving._record_move

    def record_or_die(*args):
        global moves
        moves += 1
        if moves == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)  # dies after the move, before the journal says so
        return original_record(*args)

    moving._record_move = record_or_die
    app = create_app()
    with app.app_context():
        scan_id = int(sys.argv[1])
        view = quarantine.confirmation_view(db.session.get(SymlinkScan, scan_id))
        settings = app.config["LINKDOCTOR_SETTINGS"]
        quarantine.confirm(scan_id, view["token"], None, False, str(settings.media_path),
                           settings.data_dir, settings.quarantine_dir)
""")
