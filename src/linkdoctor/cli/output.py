"""What a long command writes: its progress on stderr while it runs, its outcome on stdout, its exit code.

Progress goes to stderr so that stdout keeps the report or the one JSON document: on a terminal a line
redrawn in place, otherwise (a log, cron) a plain line now and then.
"""

import json
import sys
import time
from typing import Callable, NoReturn

import click

from linkdoctor.cli.common import EXIT_OK, EXIT_PROBLEMS

PROGRESS_LINE_SECONDS = 10.0  # without a terminal: a progress line at most this often


def cancel_on_sigterm(signum, frame):
    """A signal handler: `docker stop` and `kill` cancel the command cleanly, like Ctrl-C."""
    raise KeyboardInterrupt


class ProgressPrinter:
    """A running command's progress on stderr: redrawn in place on a terminal, a line every
    PROGRESS_LINE_SECONDS elsewhere."""

    def __init__(self, width: int):
        self.width = width  # the redrawn line is cut and padded to this many characters
        self.on_terminal = sys.stderr.isatty()
        self._last = time.monotonic()

    def due(self) -> bool:
        """Whether a progress line is to be written now: always on a terminal, else once its time has come."""
        return self.on_terminal or time.monotonic() - self._last >= PROGRESS_LINE_SECONDS

    def show(self, line: str, log_line: str | None = None) -> None:
        """Redraw `line` on a terminal; elsewhere write `log_line` (or `line`) as a line of its own."""
        if self.on_terminal:
            click.echo(f"\r{line[:self.width]:<{self.width}}", err=True, nl=False)
        else:
            self._last = time.monotonic()
            click.echo(log_line or line, err=True)

    def end(self) -> None:
        """Leave the redrawn line on a terminal, so that what follows starts on a line of its own."""
        if self.on_terminal:
            click.echo("", err=True)


def finish(document: dict, as_json: bool, print_text: Callable[[], None], problems) -> NoReturn:
    """End a command: `document` as JSON with --json, else `print_text()`; exit 1 when `problems`, else 0."""
    if as_json:
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print_text()
    sys.exit(EXIT_PROBLEMS if problems else EXIT_OK)
