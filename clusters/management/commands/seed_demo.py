from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clusters.models import Region
from clusters.reference import load_demo, load_reference
from core.loading import LoadReport
from core.roles import Role

DEMO_PASSWORD = "kakehashi-demo"

#: username → (roles, region slugs coordinated, is superuser)
DEMO_ACCOUNTS = {
    "admin": ((), (), True),
    "ministry": ((Role.VIEWER,), (), False),
    "analyst": ((Role.ANALYST,), (), False),
    "manager": ((Role.PROGRAM_MANAGER,), (), False),
    "coord-hamamatsu": ((Role.COORDINATOR,), ("hamamatsu",), False),
    "coord-sapporo": ((Role.COORDINATOR,), ("sapporo",), False),
}


class Command(BaseCommand):
    help = (
        "Create the demo accounts (password 'kakehashi-demo') and load the illustrative demo data. "
        "Loads the reference data first. Safe to run again. Refuses to run with DEBUG off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run even when DEBUG is off")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it refuses to run with DEBUG off. "
                "Use --force if you really mean it (never on a production database)."
            )
        report = LoadReport()
        with transaction.atomic():
            load_reference(report)
            load_demo(report)
            created = self.create_accounts()
        for line in report.lines():
            self.stdout.write(line)
        for line in report.skipped_lines():  # rows a person changed since a loader wrote them
            self.stdout.write(self.style.WARNING(line))
        self.stdout.write(f"Demo accounts: {created} created, {len(DEMO_ACCOUNTS) - created} already there.")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every account's password is 'kakehashi-demo'."))

    def create_accounts(self) -> int:
        User = get_user_model()
        created = 0
        for username, (roles, region_slugs, superuser) in DEMO_ACCOUNTS.items():
            user, was_created = User.objects.get_or_create(
                username=username, defaults={"is_staff": superuser, "is_superuser": superuser}
            )
            if was_created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created += 1
            for role in roles:
                user.groups.add(Group.objects.get_or_create(name=str(role))[0])
            for slug in region_slugs:
                region = Region.objects.filter(slug=slug).first()
                if region is None:
                    raise CommandError(f"Region '{slug}' is missing from the reference data.")
                region.coordinators.add(user)
        return created
