"""Drills: production-mode Kakehashi (gunicorn, PostgreSQL, Redis) under load, outages, killed
workers, hostile input and dump/restore. Run with ``make drills`` (``drills/run.py``)."""
