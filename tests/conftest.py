"""Shared fixtures. The reference and demo data are loaded once per test database, so every
test sees the real seed (and rolls back its own changes)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def pytest_configure(config):
    from django.conf import settings

    # Tests run with DEBUG off like production, but over plain HTTP and without collectstatic.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def load_seed():
    """Reference data, illustrative demo data and the demo accounts (what `make run` loads)."""
    from clusters.management.commands.seed_demo import Command
    from clusters.reference import load_demo, load_reference
    from core.loading import LoadReport

    report = LoadReport()
    load_reference(report)
    load_demo(report)
    Command().create_accounts()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_seed()


@pytest.fixture
def seed_users(db):
    User = get_user_model()
    return {user.username: user for user in User.objects.all()}


def make_user(username, *roles, regions=()):
    User = get_user_model()
    user = User.objects.create_user(username=username, password="pw-for-tests-only")
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    for region in regions:
        region.coordinators.add(user)
    return user


@pytest.fixture
def viewer(db):
    return make_user("test-viewer", "viewer")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with an empty cache (cached aggregates are keyed by data version)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _japanese_by_default():
    """Each test starts in the default language: a request with the English cookie activates
    English for its thread (core.middleware), which must not leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
