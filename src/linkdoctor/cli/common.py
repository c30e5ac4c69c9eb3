"""What every command shares: exit codes, the plain error, building the app, running a service."""

import functools

import click

from linkdoctor.errors import LinkdoctorError

EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN, EXIT_CANCELLED = 0, 1, 2, 130


class CliError(click.ClickException):
    """A plain message on stderr and exit code 2."""

    exit_code = EXIT_CANNOT_RUN

    def show(self, file=None):
        click.echo(f"linkdoctor: {self.message}", err=True)


def build_app(recover: bool = False):
    """The app (its database upgraded); `recover` also tidies work a crash interrupted."""
    from linkdoctor import create_app
    from linkdoctor.jobs.recovery import recover_interrupted

    try:
        app = create_app()
    except (OSError, ValueError, LinkdoctorError) as exc:
        raise CliError(getattr(exc, "message", None) or str(exc)) from exc
    if recover:
        with app.app_context():
            recover_interrupted(app.config["LINKDOCTOR_SETTINGS"].data_dir)
    return app


def service_command(recover: bool = False):
    """Run a command inside an app context; the project's errors become plain messages."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            app = build_app(recover)
            with app.app_context():
                try:
                    return func(app, *args, **kwargs)
                except LinkdoctorError as exc:
                    raise CliError(exc.message) from exc

        return wrapper

    return decorate
