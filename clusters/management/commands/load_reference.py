from django.core.management.base import BaseCommand
from django.db import transaction

from clusters.reference import load_reference
from core.loading import LoadReport


class Command(BaseCommand):
    help = "Load (or refresh) the sourced reference data in fixtures/reference/. Safe to run again."

    def handle(self, *args, **options):
        report = LoadReport()
        with transaction.atomic():
            load_reference(report)
        for line in report.lines():
            self.stdout.write(line)
        for line in report.skipped_lines():  # rows a person changed since a loader wrote them
            self.stdout.write(self.style.WARNING(line))
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
