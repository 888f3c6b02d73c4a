"""Configuration classes, built from environment variables.

Pick one with ``EDUAPP_CONFIG`` (development, production) or pass a class to ``create_app``.
"""

import os
from pathlib import Path
from typing import Any, ClassVar

BASE_DIR = Path(__file__).resolve().parent
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"  # noqa: S105 - refused in production


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Hosting platforms still hand out the pre-SQLAlchemy-1.4 scheme.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Config:
    """Development defaults; every value can be overridden by the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{BASE_DIR / 'instance' / 'eduapp.db'}")
    # hide_parameters: SQL errors in the log never carry what a learner wrote.
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {
        "pool_pre_ping": True,
        "hide_parameters": True,
    }
    CURRICULUM_DIR = Path(os.environ.get("CURRICULUM_DIR", BASE_DIR / "curriculum"))
    SCENARIOS_DIR = Path(os.environ.get("SCENARIOS_DIR", BASE_DIR / "scenarios"))

    # Requests larger than this are answered 413 before a view runs.
    MAX_CONTENT_LENGTH = 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, which ends at logout

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "eduapp_session"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12

    # argon2id cost; OWASP's second recommended profile (19 MiB, t=2).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    #: Sign-in throttling, counted in the database across all workers (SECURITY.md row 12).
    LOGIN_WINDOW_SECONDS = 15 * 60
    LOGIN_FAILURES_PER_ACCOUNT = 20
    LOGIN_ATTEMPTS_PER_ADDRESS = 100
    #: How many proxies in front of the app set X-Forwarded-For (0: use the peer address).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    #: "How others chose" and every figure about other learners is hidden below this many.
    SMALL_CELL_MINIMUM = 5
    #: Publishing needs, on the exact revision, an approval from a member of the document who
    #: holds one of each group's platform roles; and the revision must pass validation.
    PUBLISH_RULE: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = (
        ("a patient educator", ("patient_educator",)),
        ("a tutor or staff member", ("tutor", "admin")),
    )
    #: Demo accounts may be created only where this is true.
    ALLOW_DEMO_ACCOUNTS = True
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    """What ``make run`` uses."""


class TestConfig(Config):
    """Fast hashing, no real secret; the database URL is set by the test fixtures."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    """Behind gunicorn and PostgreSQL: secure cookies, no demo accounts."""

    SESSION_COOKIE_SECURE = True
    ALLOW_DEMO_ACCOUNTS = False
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {
        "pool_pre_ping": True,
        "hide_parameters": True,
        "pool_size": 5,
        "max_overflow": 5,
    }

    @classmethod
    def check(cls) -> None:
        """Refuse to start with the development secret or a missing one."""
        if cls.SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY) or len(cls.SECRET_KEY) < 32:
            raise RuntimeError(
                "ProductionConfig needs SECRET_KEY set to a random value of 32+ characters "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def config_from_environment() -> type[Config]:
    """The class named by EDUAPP_CONFIG, development by default."""
    name = os.environ.get("EDUAPP_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"EDUAPP_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}"
        ) from None
