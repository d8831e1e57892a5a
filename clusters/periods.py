"""When a cluster runs: the one owner of DESIGN §2b "Periods".

A cluster is **running** in a fiscal year only when its *known* period covers it (first and last
year both known, first ≤ FY ≤ last). A cluster with an unknown first or last year is never
counted as running. It may be **possibly running** in FY when

* FY is at or after its first year — its program's first year when its own is unknown — and
* FY is at or before every bound that is known:
  its own last year; first year + the program's normal duration − 1 (Phase I: 5 years);
  the program's last year; the program's last funded year (the latest fiscal year with any
  budget line of the program).

Without a known first year (its own or its program's) a cluster is never possibly running.
Its status is then 期間不明 (``ClusterStatus.UNKNOWN``), never 実施中 — unless a known bound
alone settles it: a known last year already past means ended, a known first year still ahead
means planned.

The rule exists twice, on purpose and nowhere else: :class:`Period` on plain values (pages
that already hold rows) and the Q expressions below (counting in the database). A test checks
the two agree for every reference cluster and fiscal year. Counts read "N (+M with unknown
period)": :class:`RunningCount`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.utils.translation import gettext as _

from .choices import ClusterStatus

#: the annotation ``with_period`` adds to a Cluster queryset
LAST_FUNDED = "program_last_funded_fy"


@dataclass(frozen=True)
class Period:
    """A cluster's period with its program's bounds, as plain values."""

    start_fy: int | None
    end_fy: int | None
    program_start_fy: int | None = None
    program_end_fy: int | None = None
    normal_duration_years: int | None = None
    program_last_funded_fy: int | None = None

    @classmethod
    def of(cls, cluster, *, funded: bool = True) -> Period:
        """From a Cluster (with its program). Reads the ``with_period`` annotation when present,
        else asks the database for the program's last funded year (one query); ``funded=False``
        leaves that bound out (enough for ``admits``)."""
        program = cluster.program
        if hasattr(cluster, LAST_FUNDED):
            last_funded = getattr(cluster, LAST_FUNDED)
        elif funded and program.pk is not None:
            last_funded = program_last_funded_fy(program.pk)
        else:
            last_funded = None
        return cls(
            cluster.start_fy,
            cluster.end_fy,
            program.start_fy,
            program.end_fy,
            program.normal_duration_years,
            last_funded,
        )

    @classmethod
    def from_row(cls, row: dict) -> Period:
        """From a ``values(*VALUE_FIELDS)`` row of a ``with_period`` Cluster queryset."""
        return cls(*(row[name] for name in VALUE_FIELDS))

    @property
    def known(self) -> bool:
        """Both the first and the last fiscal year are known."""
        return self.start_fy is not None and self.end_fy is not None

    @property
    def earliest(self) -> int | None:
        """The first year it may have run: its own, else its program's; None when neither is known."""
        return self.start_fy if self.start_fy is not None else self.program_start_fy

    @property
    def cap(self) -> int | None:
        """The last year it may have run: the smallest known bound, None when none is known."""
        bounds = [self.end_fy, self.program_end_fy, self.program_last_funded_fy]
        if self.start_fy is not None and self.normal_duration_years:
            bounds.append(self.start_fy + self.normal_duration_years - 1)
        known = [b for b in bounds if b is not None]
        return min(known) if known else None

    def running(self, fy: int) -> bool:
        """Its known period covers ``fy``."""
        return self.known and self.start_fy <= fy <= self.end_fy

    def possibly_running(self, fy: int) -> bool:
        """Its period is not fully known and ``fy`` lies between its earliest year and its cap."""
        if self.known or self.earliest is None or fy < self.earliest:
            return False
        return self.cap is None or fy <= self.cap

    def admits(self, fy: int) -> bool:
        """Whether a per-year row (funding, outcome, report) may carry ``fy``: yes unless ``fy`` is
        known to lie outside — before a known first year or after a known last year, the
        cluster's own or its program's. A normal duration or the budget lines do not forbid."""
        lows = [b for b in (self.start_fy, self.program_start_fy) if b is not None]
        highs = [b for b in (self.end_fy, self.program_end_fy) if b is not None]
        return all(fy >= b for b in lows) and all(fy <= b for b in highs)

    def status(self, current_fy: int) -> ClusterStatus:
        """planned / active (実施中) / ended for a known period; 期間不明 otherwise, unless a known
        last year is already past (ended) or a known first year is still ahead (planned)."""
        if self.end_fy is not None and current_fy > self.end_fy:
            return ClusterStatus.ENDED
        if self.start_fy is not None and current_fy < self.start_fy:
            return ClusterStatus.PLANNED
        if self.known:
            return ClusterStatus.ACTIVE
        return ClusterStatus.UNKNOWN


def program_last_funded_fy(program_id: int) -> int | None:
    from programs.models import BudgetLine

    return BudgetLine.objects.filter(program_id=program_id).aggregate(last=Max("fiscal_year"))["last"]


# --- The same rule in the database -------------------------------------------------------------

#: the fields ``Period.from_row`` reads (after ``with_period``)
VALUE_FIELDS = (
    "start_fy",
    "end_fy",
    "program__start_fy",
    "program__end_fy",
    "program__normal_duration_years",
    LAST_FUNDED,
)


def last_funded_subquery(program_ref: str = "program_id") -> Subquery:
    """Max(BudgetLine.fiscal_year) of the program ``program_ref`` points at (NULL without lines)."""
    from programs.models import BudgetLine

    lines = (
        BudgetLine.objects.filter(program_id=OuterRef(program_ref))
        .order_by()
        .values("program_id")
        .annotate(last=Max("fiscal_year"))
        .values("last")[:1]
    )
    return Subquery(lines, output_field=IntegerField())


def with_period(queryset):
    """Annotate a Cluster queryset with its program's last funded year (one subquery, no join
    that multiplies rows), which ``running_q`` and ``possibly_running_q`` need."""
    return queryset.annotate(**{LAST_FUNDED: last_funded_subquery()})


def running_q(fy: int) -> Q:
    """Clusters whose known period covers ``fy`` (no annotation needed)."""
    return Q(start_fy__isnull=False, end_fy__isnull=False, start_fy__lte=fy, end_fy__gte=fy)


def possibly_running_q(fy: int) -> Q:
    """Clusters with an unknown first or last year that may have run in ``fy`` (needs
    ``with_period``). Each known bound is one OR-NULL term, so an unknown bound does not limit."""
    unknown = Q(start_fy__isnull=True) | Q(end_fy__isnull=True)
    earliest = Q(start_fy__isnull=False, start_fy__lte=fy) | Q(
        start_fy__isnull=True, program__start_fy__isnull=False, program__start_fy__lte=fy
    )
    by_duration = (
        Q(start_fy__isnull=True)
        | Q(program__normal_duration_years__isnull=True)
        | Q(program__normal_duration_years=0)
        | Q(start_fy__gte=Value(fy + 1) - F("program__normal_duration_years"))
    )
    caps = (
        (Q(end_fy__isnull=True) | Q(end_fy__gte=fy))
        & (Q(program__end_fy__isnull=True) | Q(program__end_fy__gte=fy))
        & (Q(**{f"{LAST_FUNDED}__isnull": True}) | Q(**{f"{LAST_FUNDED}__gte": fy}))
        & by_duration
    )
    return unknown & earliest & caps


# --- Counts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningCount:
    """A count of running things with the ones that may also have run: "N (+M with unknown period)"."""

    running: int
    unknown: int = 0

    def __str__(self) -> str:
        return format_running_count(self.running, self.unknown)

    @property
    def extra(self) -> str:
        """Only the "(+M with unknown period)" part ("" when M is 0)."""
        if not self.unknown:
            return ""
        return _("(+%(count)s with unknown period)") % {"count": self.unknown}


def format_running_count(running: int, unknown: int) -> str:
    """「19（ほかに期間不明7）」 / "19 (+7 with unknown period)"; just "19" when none is unknown."""
    if not unknown:
        return str(running)
    return _("%(running)s (+%(unknown)s with unknown period)") % {"running": running, "unknown": unknown}


# --- Counting events in a (partial) list, beside what a source states ----------------------------

#: what a stated count may count, and in which event (ProgramFact.measure = "<what>_<event>")
COUNTED = ("regions", "clusters")
EVENTS = ("running", "ending", "starting")


def parse_measure(measure: str) -> tuple[str, str] | None:
    """``"regions_running"`` → ("regions", "running"); None for a measure the list cannot count."""
    what, _sep, event = (measure or "").partition("_")
    return (what, event) if what in COUNTED and event in EVENTS else None


def count_event(rows, fy: int, event: str) -> RunningCount:
    """Count distinct keys among ``(key, Period)`` rows (key: a region or cluster id) for which the
    event is known to happen in ``fy``, and apart those for which it may have happened.

    running: the known period covers ``fy`` / it is possibly running.
    ending: its known last year is ``fy`` / its last year is unknown and it may have run in ``fy``.
    starting: its known first year is ``fy`` / its first year is unknown and it may have run in ``fy``.
    """
    known: set = set()
    maybe: set = set()
    for key, period in rows:
        if event == "running":
            is_known, is_maybe = period.running(fy), period.possibly_running(fy)
        elif event == "ending":
            is_known = period.end_fy == fy
            is_maybe = period.end_fy is None and period.possibly_running(fy)
        else:
            is_known = period.start_fy == fy
            is_maybe = period.start_fy is None and period.possibly_running(fy)
        if is_known:
            known.add(key)
        elif is_maybe:
            maybe.add(key)
    return RunningCount(len(known), len(maybe - known))
