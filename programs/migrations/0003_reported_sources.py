"""Figures that coordinators typed into annual reports point to the report's own Source row;
those rows are of the kind ``reported`` (地域からの報告), not ``official`` (DESIGN §2b)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Source = apps.get_model("programs", "Source")
    Source.objects.filter(key__startswith="annual-report-", kind="official").update(kind="reported")


def backwards(apps, schema_editor):
    Source = apps.get_model("programs", "Source")
    Source.objects.filter(key__startswith="annual-report-", kind="reported").update(kind="official")


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_derived_figures")]

    operations = [migrations.RunPython(forwards, backwards)]
