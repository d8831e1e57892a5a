"""gunicorn's settings for production: ``gunicorn config.wsgi``, started in the project directory,
reads this file (options given on the command line win).

``timeout``: gunicorn kills a worker that has not answered within it (the client gets 502). The
longest request is confirming the largest import allowed, 50,000 rows: bench/imports.py measured
12–16 CPU seconds (app and database: the time on an idle machine) and up to 34 s of wall time on a
shared 2-CPU machine under load; the preview estimates it at 34 s
(reports.views.imports.estimated_confirm_seconds), and the timeout is more than twice that
(tests/reports/test_import_batch.py checks it). A confirm cut off writes nothing (one transaction)
and can be confirmed again. gunicorn's default, 30 s, would cut off a 50,000-row confirm on a busy
machine.
"""

timeout = 120
graceful_timeout = 30
