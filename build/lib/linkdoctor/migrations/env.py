"""Alembic's environment: run the migrations on the connection linkdoctor.schema hands over."""

from alembic import context
from sqlalchemy import create_engine

from linkdoctor.models import db

config = context.config
target_metadata = db.metadata


def run_migrations(connection) -> None:
    # SQLite cannot alter most of a table in place: batch mode copies it instead.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).connect() as standalone:
        run_migrations(standalone)
