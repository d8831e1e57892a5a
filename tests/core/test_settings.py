"""Production settings: refuse to start without a secret key; pass check --deploy with one."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_secret_key_when_debug_off():
    result = run_manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_check_deploy_passes_with_real_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="k" * 10 + "-Zq8x!vR2#pLm9@tW4$yB7%nC1^dF6&hJ3*sK5(gE0)uA",
        DJANGO_ALLOWED_HOSTS="kakehashi.example.jp",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_defaults_to_false():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.TIME_ZONE, settings.LANGUAGE_CODE)",
        DJANGO_SECRET_KEY="x" * 60,
    )
    assert result.stdout.strip().splitlines()[-1] == "False Asia/Tokyo ja"
