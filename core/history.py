"""When the data last changed, from django-simple-history's records."""

from django.apps import apps
from django.db.models import Max


def tracked_models():
    """Every model that carries a simple-history ``history`` manager."""
    return [
        m
        for m in apps.get_models()
        if hasattr(m, "history") and hasattr(m._meta, "simple_history_manager_attribute")
    ]


def data_as_of():
    """The time of the latest recorded change to any tracked row, or None with no data."""
    latest = None
    for model in tracked_models():
        value = model.history.aggregate(latest=Max("history_date"))["latest"]
        if value and (latest is None or value > latest):
            latest = value
    return latest
