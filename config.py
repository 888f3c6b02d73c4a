"""Configuration classes, built from environment variables.

Pick one with ``EDUAPP_CONFIG`` (development, production) or pass a class to ``create_app``.
"""

import os
from datetime import timedelta
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
    #: ... except the studio's views that receive a whole draft (the engine's MAX_FILE_BYTES,
    #: 2 MB): URL-encoded by a browser's form, text may grow up to three times.
    MAX_SOURCE_REQUEST_BYTES = 6 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead, which ends at logout

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_COOKIE_NAME = "eduapp_session"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    #: A login session ends on the server this many seconds after sign-in, whatever happens, and
    #: after this many seconds without a request (SECURITY.md row 36): a clinical day, and a
    #: long enough pause to write a reflection, while a computer left signed in on a ward ends.
    SESSION_ABSOLUTE_LIFETIME = int(os.environ.get("SESSION_ABSOLUTE_LIFETIME", 12 * 60 * 60))
    SESSION_IDLE_LIFETIME = int(os.environ.get("SESSION_IDLE_LIFETIME", 2 * 60 * 60))
    #: Strict-Transport-Security max-age; 0 sends none (development, or a proxy that sends it).
    HSTS_SECONDS = 0

    # argon2id cost; OWASP's second recommended profile (19 MiB, t=2).
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19 * 1024
    ARGON2_PARALLELISM = 1

    #: Throttles (SECURITY.md rows 12 and 36; eduapp/accounts/throttle.py), counted in the
    #: database across all workers. Within its window each counter lets this many events pass;
    #: after that each try waits 2, 4, 8 ... seconds after the last event, up to the maximum.
    THROTTLE_WINDOW_SECONDS = 60 * 60
    THROTTLE_MAX_DELAY_SECONDS = 15 * 60
    #: Wrong passwords for one account from one address.
    LOGIN_FAILURES_PER_ACCOUNT_ADDRESS = 10
    #: Wrong passwords for one account from every address; slows only addresses that failed.
    LOGIN_FAILURES_PER_ACCOUNT = 100
    #: Wrong passwords from one address (an IPv6 /64) for any accounts.
    LOGIN_FAILURES_PER_ADDRESS = 100
    #: Wrong current passwords at the password change, per account.
    PASSWORD_CHANGE_FAILURES = 5
    #: Sign-ups from one address within SIGNUP_WINDOW_SECONDS: a large class signs up in a day.
    SIGNUPS_PER_ADDRESS = int(os.environ.get("SIGNUPS_PER_ADDRESS", "50"))
    SIGNUP_WINDOW_SECONDS = 24 * 60 * 60
    #: "Forgot your password?" requests from one address, and for one e-mail address (so that
    #: nobody can flood someone's inbox), within THROTTLE_WINDOW_SECONDS.
    PASSWORD_RESETS_PER_ADDRESS = 20
    PASSWORD_RESETS_PER_EMAIL = 3
    #: How many proxies in front of the app set X-Forwarded-For (0: use the peer address).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    #: "How others chose" and every figure about other learners is hidden below this many.
    SMALL_CELL_MINIMUM = 5
    #: "How others chose" is a snapshot, taken again only once this many more learners have
    #: decided at the node, and counting only accounts at least this old (docs/privacy.md).
    SHARED_FIGURES_STEP = 5
    SHARED_FIGURES_ACCOUNT_AGE = timedelta(days=1)
    #: Publishing needs, on the exact revision, an approval for each group from a member of the
    #: document who holds one of its platform roles, each group from a different person (one
    #: person holding both roles cannot publish alone); and the revision must pass validation.
    PUBLISH_RULE: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = (
        ("a patient educator", ("patient_educator",)),
        ("a tutor or staff member", ("tutor", "admin")),
    )
    #: A scenario still holding a starter's sample text is not signed off or published
    #: (studio.publishing.starter_leftovers); the editor flags it either way.
    STARTER_TEXT_BLOCKS_SIGN_OFF = True
    #: Outgoing mail (docs/mail.md). "files" writes each message under MAIL_DIR (development);
    #: "smtp" sends through SMTP_HOST. Messages wait in an outbox until `flask mail send`
    #: (or, where MAIL_DELIVER_AFTER_REQUEST is true, the request that queued them) sends them.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "files")
    MAIL_DIR = Path(os.environ.get("MAIL_DIR", BASE_DIR / "instance" / "mail"))
    MAIL_FROM = os.environ.get("MAIL_FROM", "no-reply@eduapp.localhost")
    MAIL_DELIVER_AFTER_REQUEST = True
    MAIL_MAX_TRIES = 10
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    #: "starttls" (port 587), "ssl" (port 465) or "none" (a relay on the same host only).
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "starttls")
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_TIMEOUT = 10
    #: Where people reach the platform (scheme and host; a path prefix is APPLICATION_ROOT), for
    #: the links in mail written outside a request (a service called from the command line, a
    #: worker); inside a request links follow the address it came to. Empty: such mail refuses
    #: to be written.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")
    #: How the platform names itself in e-mail: the school's or programme's name.
    SCHOOL_NAME = os.environ.get("SCHOOL_NAME", "eduapp")
    #: A link to confirm an address, or to finish signing up, works this long.
    CONFIRMATION_LIFETIME_SECONDS = 24 * 60 * 60
    #: A link to choose a new password works this long, once.
    PASSWORD_RESET_LIFETIME_SECONDS = 60 * 60
    #: LTI 1.3 (docs/lti.md). A retired signing key stays in eduapp's key set this long, so a
    #: platform that fetched the set before a rotation still checks what was signed just before.
    LTI_KEY_OVERLAP_HOURS = int(os.environ.get("LTI_KEY_OVERLAP_HOURS", "72"))
    #: A platform's key set is fetched again when a launch names a key it lacks, at most this
    #: often (a forged kid cannot make eduapp hammer the platform).
    LTI_JWKS_REFETCH_SECONDS = 60
    #: How long a login sent to the platform may take to come back as a launch.
    LTI_LOGIN_LIFETIME_SECONDS = 10 * 60
    #: Seconds of clock difference allowed when checking a launch's iat and exp.
    LTI_CLOCK_LEEWAY_SECONDS = 60
    LTI_HTTP_TIMEOUT = 10
    #: Scores wait in an outbox; `flask lti send-scores` sends them (or, where
    #: LTI_SEND_AFTER_REQUEST is true, the request that queued them), retrying this many times.
    LTI_SEND_AFTER_REQUEST = True
    LTI_SCORE_MAX_TRIES = 12
    #: Demo accounts may be created only where this is true.
    ALLOW_DEMO_ACCOUNTS = True
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    """What ``make run`` uses."""

    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")


class TestConfig(Config):
    """Fast hashing, no real secret; the database URL is set by the test fixtures."""

    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
    PUBLIC_URL = "http://eduapp.test"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    #: Tests of other rules sign off untouched starters; tests of this rule turn it on.
    STARTER_TEXT_BLOCKS_SIGN_OFF = False


class ProductionConfig(Config):
    """Behind gunicorn and PostgreSQL: secure cookies, no demo accounts."""

    SESSION_COOKIE_SECURE = True
    #: A year, subdomains included (ASVS 3.4.1); HSTS_SECONDS=0 where the proxy sends it.
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 60 * 60))
    ALLOW_DEMO_ACCOUNTS = False
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    #: `flask mail send --loop` sends; a request never waits for the mail server.
    MAIL_DELIVER_AFTER_REQUEST = False
    #: `flask lti send-scores --loop` sends grades; a request never waits for the LMS.
    LTI_SEND_AFTER_REQUEST = False
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
        if cls.MAIL_BACKEND == "smtp" and not cls.SMTP_HOST:
            raise RuntimeError(
                "ProductionConfig sends mail over SMTP: set SMTP_HOST (and SMTP_PORT, "
                "SMTP_SECURITY, SMTP_USERNAME, SMTP_PASSWORD), or MAIL_BACKEND=files."
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
