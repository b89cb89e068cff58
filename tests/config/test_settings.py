"""Production settings: `check --deploy` is clean, and nothing falls back to unsafe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "k3J#9vPq!z2Lr8Ws@5Tn^7Xy0Bc&4Hd6Gf1Mj$Qa_Ue-Ri+Ov=Sp",
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
}


def _manage(*args, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(PRODUCTION_ENV)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_prints_no_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("hosts", ["*", "portal.example.com,*"])
def test_production_refuses_a_wildcard_host(hosts):
    result = _manage("check", extra_env={"DJANGO_ALLOWED_HOSTS": hosts})

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must name the portal's hosts" in result.stderr


def test_production_needs_a_secret_from_the_environment():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
