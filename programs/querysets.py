from django.db.models import Q

from core.querysets import NationalQuerySet

from .choices import STAGE_ORDER


class ProgramQuerySet(NationalQuerySet):
    def with_latest_budget(self):
        return with_latest_budget(self)

    def with_cluster_count(self):
        from django.db.models import Count

        return self.annotate(cluster_count=Count("clusters", distinct=True))

    def roots(self):
        return self.filter(parent__isnull=True)

    def counting_toward_share(self):
        return self.filter(counts_toward_outcome_share=True)


def descendant_ids(programs, root_ids) -> set[int]:
    """Ids of the given programs and all their descendants, from an in-memory list of programs."""
    children: dict[int | None, list[int]] = {}
    for program in programs:
        children.setdefault(program.parent_id, []).append(program.pk)
    result: set[int] = set()
    stack = list(root_ids)
    while stack:
        pk = stack.pop()
        if pk in result:
            continue
        result.add(pk)
        stack.extend(children.get(pk, []))
    return result


class BudgetLineQuerySet(NationalQuerySet):
    def in_years(self, fy_from=None, fy_to=None):
        qs = self
        if fy_from is not None:
            qs = qs.filter(fiscal_year__gte=fy_from)
        if fy_to is not None:
            qs = qs.filter(fiscal_year__lte=fy_to)
        return qs

    def with_program(self):
        return self.select_related("program", "source")


class OutcomeValueQuerySet(NationalQuerySet):
    def totals(self):
        return self.filter(program__isnull=True)

    def contributions(self):
        return self.filter(Q(program__isnull=False))


def latest_stage(stages) -> str | None:
    """The most advanced stage among ``stages`` (決算 > 補正後 > 当初予算 > 予算案 > 概算要求)."""
    stages = [s for s in stages if s in STAGE_ORDER]
    return max(stages, key=STAGE_ORDER.__getitem__) if stages else None


def stage_rank_expression():
    """SQL CASE giving each stage its rank (request 0 … settled 4), for ordering in the database."""
    from django.db.models import Case, IntegerField, Value, When

    return Case(*[When(stage=s, then=Value(r)) for s, r in STAGE_ORDER.items()], output_field=IntegerField())


def with_latest_budget(queryset):
    """Annotate programs with their latest figure: the latest fiscal year, and in it the most
    advanced stage (latest_fy, latest_stage, latest_amount, latest_rounded). Subqueries only."""
    from django.db.models import OuterRef, Subquery

    from .models import BudgetLine

    latest = (
        BudgetLine.objects.filter(program=OuterRef("pk"))
        .annotate(rank=stage_rank_expression())
        .order_by("-fiscal_year", "-rank")
    )
    return queryset.annotate(
        latest_fy=Subquery(latest.values("fiscal_year")[:1]),
        latest_stage=Subquery(latest.values("stage")[:1]),
        latest_amount=Subquery(latest.values("amount_yen")[:1]),
        latest_rounded=Subquery(latest.values("precision")[:1]),
    )
