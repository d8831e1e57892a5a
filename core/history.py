"""When the data last changed, from django-simple-history's records, cached until the next write.

Every history record (i.e. every tracked write) bumps a data version in the cache, so cached
aggregates keyed by it are never stale, across processes too when the cache is shared (Redis).
"""

from django.apps import apps
from django.core.cache import cache
from django.db.models import Max
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

VERSION_KEY = "kakehashi:data-version"
AS_OF_KEY = "kakehashi:data-as-of:{version}"


def tracked_models():
    """Every model that carries a simple-history ``history`` manager."""
    return [m for m in apps.get_models() if getattr(m._meta, "simple_history_manager_attribute", None)]


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_data_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


@receiver(post_create_historical_record)
def _on_write(sender, **kwargs):
    bump_data_version()


def data_as_of():
    """The time of the latest recorded change to any tracked row, or None with no data."""
    key = AS_OF_KEY.format(version=data_version())
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    latest = None
    for model in tracked_models():
        value = model.history.aggregate(latest=Max("history_date"))["latest"]
        if value and (latest is None or value > latest):
            latest = value
    cache.set(key, latest or "", timeout=300)
    return latest
