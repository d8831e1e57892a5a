from django.db.models import Q

from core.querysets import NationalQuerySet


class ProgramQuerySet(NationalQuerySet):
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
