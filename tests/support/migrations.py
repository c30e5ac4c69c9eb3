"""Moving a test database to one revision of the real migrations, up or down."""

from alembic import command
from sqlalchemy import create_engine

from linkdoctor.schema import alembic_config


def migrate(database, revision: str, down: bool = False, stamp_first: str | None = None) -> None:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            if stamp_first:  # release 0.1.0 predates Alembic: its schema is revision 0001, unstamped
                command.stamp(config, stamp_first)
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()
