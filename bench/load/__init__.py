"""Load and fault test: simulated learners against gunicorn, then a check of what was saved."""
