"""The WSGI entry point for gunicorn: ``gunicorn eduapp.wsgi:app``."""

from eduapp import create_app

app = create_app()
