"""Region-owned querysets. ``restrict(user, action)`` is the one scope choke point (DESIGN §6):
every signed-in user reads; program managers change everything; a coordinator changes only the
regions assigned to them."""

from django.db import models

from core.querysets import CHANGE, VIEW
from core.roles import Role, has_role


class RegionOwnedQuerySet(models.QuerySet):
    #: the lookup from this model to Region, e.g. "region" for Cluster, "cluster__region" for funding
    region_path = ""

    def restrict(self, user, action: str = VIEW):
        if not user.is_authenticated:
            return self.none()
        if action == VIEW or has_role(user, Role.PROGRAM_MANAGER):
            return self
        if action == CHANGE and has_role(user, Role.COORDINATOR):
            lookup = f"{self.region_path}__coordinators" if self.region_path else "coordinators"
            return self.filter(**{lookup: user})
        return self.none()

    def for_region(self, region):
        lookup = self.region_path or "pk"
        return self.filter(**{lookup: region.pk if hasattr(region, "pk") else region})


class RegionQuerySet(RegionOwnedQuerySet):
    region_path = ""

    def active_in(self, fy: int):
        """Regions with at least one cluster active in fiscal year ``fy``."""
        from .models import Cluster

        return self.filter(pk__in=Cluster.objects.filter(active_clusters_q(fy)).values("region_id"))


def active_clusters_q(fy: int, prefix: str = "") -> models.Q:
    """Q for clusters whose known period covers ``fy``.

    A cluster whose last year is unknown is bounded by its program's last year, and is open
    only when neither is known. A cluster whose first year is unknown is never counted.
    """
    p = prefix
    return models.Q(**{f"{p}start_fy__lte": fy}) & (
        models.Q(**{f"{p}end_fy__gte": fy})
        | models.Q(**{f"{p}end_fy__isnull": True, f"{p}program__end_fy__gte": fy})
        | models.Q(**{f"{p}end_fy__isnull": True, f"{p}program__end_fy__isnull": True})
    )


class ClusterQuerySet(RegionOwnedQuerySet):
    region_path = "region"

    def active_in(self, fy: int):
        """Clusters whose known period covers fiscal year ``fy`` (an unknown end counts as open)."""
        return self.filter(active_clusters_q(fy))


class ClusterChildQuerySet(RegionOwnedQuerySet):
    region_path = "cluster__region"


def with_cluster_summary(queryset):
    """Annotate regions with their cluster count and first/last known fiscal years (subqueries,
    so the counts are not multiplied by other joins)."""
    from django.db.models import Count, IntegerField, Max, Min, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from .models import Cluster

    per_region = Cluster.objects.filter(region=OuterRef("pk")).order_by().values("region")
    return queryset.annotate(
        cluster_count=Coalesce(
            Subquery(per_region.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0
        ),
        first_fy=Subquery(per_region.annotate(m=Min("start_fy")).values("m")[:1], output_field=IntegerField()),
        last_fy=Subquery(per_region.annotate(m=Max("end_fy")).values("m")[:1], output_field=IntegerField()),
    )
