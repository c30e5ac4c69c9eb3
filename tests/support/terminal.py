"""Run linkdoctor on a real pseudo-terminal, as a user at a shell does."""

import os
import pty
import sys


def on_terminal(args, answers=(), prompt: bytes = b"") -> tuple[int, str]:
    """`linkdoctor ARGS` on a pty: each time `prompt` shows after the last answer, the next answer is typed
    (marked <<answer>> in the output). Returns (exit code, everything it printed)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-m", "linkdoctor", *args])
    output, answered = b"", 0
    answers = list(answers)
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if answers and prompt in output[answered:]:
            output += b"<<" + answers[0] + b">>"
            answered = len(output)
            os.write(fd, answers.pop(0) + b"\n")
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")
