"""Region-owned querysets. ``restrict(user, action)`` is the one scope choke point (DESIGN §6):
every signed-in user reads; program managers change everything; a coordinator changes only the
regions assigned to them."""

from django.db import models

from core.querysets import CHANGE, VIEW
from core.roles import Role, has_role

from . import periods


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

    def running_in(self, fy: int):
        """Regions with at least one cluster running in ``fy`` (clusters/periods.py)."""
        from .models import Cluster

        return self.filter(pk__in=Cluster.objects.running_in(fy).values("region_id"))

    def possibly_running_in(self, fy: int):
        """Regions with at least one cluster of unknown period that may have run in ``fy``."""
        from .models import Cluster

        return self.filter(pk__in=Cluster.objects.possibly_running_in(fy).values("region_id"))


class ClusterQuerySet(RegionOwnedQuerySet):
    region_path = "region"

    def with_period(self):
        """Annotated with what ``possibly_running_in`` and ``periods.Period.from_row`` need."""
        if periods.LAST_FUNDED in self.query.annotations:
            return self
        return periods.with_period(self)

    def running_in(self, fy: int):
        """Clusters whose known period covers ``fy`` (DESIGN §2b)."""
        return self.filter(periods.running_q(fy))

    def possibly_running_in(self, fy: int):
        """Clusters of unknown period that may have run in ``fy`` (never counted as running)."""
        return self.with_period().filter(periods.possibly_running_q(fy))


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
