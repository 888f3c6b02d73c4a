"""Alembic environment, run through Flask-Migrate (`flask db upgrade`), on SQLite and PostgreSQL."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from eduapp.models import metadata

config = context.config
# Keep the application's own loggers alive when migrations run inside it (tests, CLI).
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_extension = current_app.extensions["migrate"]
engine = migrate_extension.db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)
target_metadata = metadata


def run_migrations_offline() -> None:
    """Write SQL to standard output instead of running it (`flask db upgrade --sql`)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        **migrate_extension.configure_args,
    )
    with context.begin_transaction():
        context.run_migrations()


def _skip_empty_autogenerate(context_, revision, directives) -> None:
    """`flask db migrate` with no model change writes no empty revision."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations_online() -> None:
    configure_args = dict(migrate_extension.configure_args)
    configure_args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    with engine.connect() as connection:
        is_sqlite = connection.dialect.name == "sqlite"
        if is_sqlite:
            _enforce_foreign_keys(connection, False)
        try:
            context.configure(
                connection=connection, target_metadata=target_metadata, **configure_args
            )
            with context.begin_transaction():
                context.run_migrations()
                if is_sqlite:
                    _check_foreign_keys(connection)
        finally:
            if is_sqlite:
                _enforce_foreign_keys(connection, True)


def _enforce_foreign_keys(connection, enforce: bool) -> None:
    """Batch mode on SQLite copies a table, drops the old one and renames the copy: dropping a
    table that other rows refer to fails while foreign keys are enforced (as eduapp's
    connections do). The pragma is ignored inside a transaction, so it is set between them."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if enforce else 'OFF'}")
    connection.commit()


def _check_foreign_keys(connection) -> None:
    """Refuse to commit migrations that left a row referring to nothing."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"After the migrations, rows refer to nothing: {broken}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
