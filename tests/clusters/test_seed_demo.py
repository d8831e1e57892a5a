import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from clusters.management.commands.seed_demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from clusters.models import Region

pytestmark = pytest.mark.django_db


def test_demo_accounts_with_roles_and_regions():
    User = get_user_model()
    for username in DEMO_ACCOUNTS:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    assert User.objects.get(username="admin").is_superuser
    assert list(User.objects.get(username="ministry").groups.values_list("name", flat=True)) == ["viewer"]
    assert list(User.objects.get(username="manager").groups.values_list("name", flat=True)) == ["program_manager"]
    assert list(Region.objects.get(slug="hamamatsu").coordinators.values_list("username", flat=True)) == [
        "coord-hamamatsu"
    ]
    assert list(Region.objects.get(slug="sapporo").coordinators.values_list("username", flat=True)) == ["coord-sapporo"]
    assert list(User.objects.get(username="coord-hamamatsu").coordinated_regions.values_list("slug", flat=True)) == [
        "hamamatsu"
    ]


def test_seed_demo_twice_gives_no_duplicates():
    User = get_user_model()
    before = (User.objects.count(), Region.objects.get(slug="hamamatsu").coordinators.count())
    call_command("seed_demo", "--force")
    call_command("seed_demo", "--force")
    assert (User.objects.count(), Region.objects.get(slug="hamamatsu").coordinators.count()) == before
    assert User.objects.get(username="coord-hamamatsu").groups.count() == 1


@override_settings(DEBUG=False)
def test_seed_demo_refuses_without_debug():
    with pytest.raises(CommandError, match="refuses to run with DEBUG off"):
        call_command("seed_demo")


def test_roles_created_by_migration():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= {
        "viewer",
        "coordinator",
        "analyst",
        "program_manager",
    }
