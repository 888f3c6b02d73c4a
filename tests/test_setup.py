"""The skeleton: migrations agree with the models; creating the app has no side effects."""

import re

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from config import Config, DevelopmentConfig, config_from_environment
from eduapp import create_app
from eduapp.extensions import db
from eduapp.models import metadata


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_make_the_models_check_constraints(app):
    """Alembic does not compare check constraints, so this does: the same names on both
    databases, and on SQLite (which keeps the text as written) the same conditions."""
    dialect = db.engine.dialect
    models, migrated = {}, {}
    inspector = sa.inspect(db.engine)
    for table in metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                ddl = str(sa.schema.AddConstraint(constraint).compile(dialect=dialect))
                name, text = re.fullmatch(
                    r"ALTER TABLE \S+ ADD CONSTRAINT (\S+) CHECK \((.*)\)", ddl
                ).groups()
                models[name] = text
        for reflected in inspector.get_check_constraints(table.name):
            migrated[reflected["name"]] = reflected["sqltext"]
    assert len(models) > 10
    if dialect.name == "sqlite":
        assert migrated == models
    else:
        assert migrated.keys() == models.keys()


def test_creating_the_app_touches_no_database(tmp_path):
    path = tmp_path / "untouched.db"
    app = create_app(type("C", (Config,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}))
    assert app.name == "eduapp"
    assert not path.exists()


def test_config_is_chosen_by_environment(monkeypatch):
    monkeypatch.delenv("EDUAPP_CONFIG", raising=False)
    assert config_from_environment() is DevelopmentConfig
    monkeypatch.setenv("EDUAPP_CONFIG", "nonsense")
    with pytest.raises(RuntimeError, match="EDUAPP_CONFIG"):
        config_from_environment()


def test_health_check_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_unknown_pages_get_the_plain_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)
