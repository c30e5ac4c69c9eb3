"""What every command shares: exit codes, the plain error, building the app, running a service."""

import contextlib
import functools

import click

from linkdoctor.errors import LinkdoctorError

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN, EXIT_CANCELLED = 0, 1, 2, 130


class CliError(click.ClickException):
    """A plain message on stderr and exit code 2."""

    exit_code = EXIT_CANNOT_RUN

    def show(self, file=None):
        click.echo(f"linkdoctor: {self.message}", err=True)


def build_app(recover: bool = False, web: bool = False):
    """The app (its database upgraded); `recover` also tidies work a crash interrupted; `web` (serve
    only) adds the pages, the API and the request checks."""
    from linkdoctor import create_app
    from linkdoctor.jobs.recovery import recover_interrupted

    import sqlalchemy.exc

    from linkdoctor.schema import unreadable
    from linkdoctor.settings import load_settings

    try:
        app = create_app(web=web)
    except (OSError, ValueError, LinkdoctorError) as exc:
        raise CliError(getattr(exc, "message", None) or str(exc)) from exc
    except sqlalchemy.exc.DatabaseError as exc:
        raise CliError(unreadable(load_settings().database_path, exc.orig or exc).message) from exc
    if recover:
        with app.app_context(), plain_errors(app):
            recover_interrupted(app.config["LINKDOCTOR_SETTINGS"].data_dir)
    return app


@contextlib.contextmanager
def plain_errors(app):
    """The project's errors, and a database that breaks under us, as one plain line and exit 2."""
    import sqlalchemy.exc

    from linkdoctor.schema import unreadable

    try:
        yield
    except LinkdoctorError as exc:
        raise CliError(exc.message) from exc
    except sqlalchemy.exc.DatabaseError as exc:
        database = app.config["LINKDOCTOR_SETTINGS"].database_path
        raise CliError(unreadable(database, exc.orig or exc).message) from exc


def service_command(recover: bool = False):
    """Run a command inside an app context; the project's errors become plain messages."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            app = build_app(recover)
            with app.app_context(), plain_errors(app):
                return func(app, *args, **kwargs)

        return wrapper

    return decorate
