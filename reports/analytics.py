"""Pure data shaping with pandas: rows in, DataFrames out. No request, no ORM, no formatting.

Budget figures follow DESIGN §2b ("a derived number never says more than its inputs"); this
module is the one place those rules are written, and every page, report, chart and export
reads budget figures through it:

1. **Complete or nothing.** A program's figure for (fiscal year, stage) is its own stated figure.
   Only where it has none is it the sum of its children (下位事業の合計), and only when every
   child that exists that year has a figure at that same stage. A partial sum is never a value:
   it is reported separately (``partial_sums``) so a page can say "n of m sub-programs".
2. **Latest stage** is chosen per program and year among those complete figures
   (``chosen_figures``; ``stage_per_year`` and ``latest_figures`` read it).
3. **Changes** only between two complete figures of the same stage whose stage is not in
   doubt; rounded (約) when either side is (``change``).
4. **Totals** only over figures of one stage none of which contains another (``can_total``).
5. **Precision, stage doubt and source kind travel** with every figure: ``rounded``, ``doubt``
   and ``kind`` (the most cautionary kind of any input: illustrative > reported > press > official).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

STAGES = ["request", "draft", "enacted", "supplementary", "settled"]
STAGE_RANK = {stage: rank for rank, stage in enumerate(STAGES)}
REMAINDER = "remainder"  # the parent's own figure minus its (complete) children: その他・内訳なし
UNITEMIZED = "unitemized"  # the parent's own figure where its children are not all known
KIND_CAUTION = ["illustrative", "reported", "press", "official"]

LINE_COLUMNS = ["program_id", "fiscal_year", "stage", "amount_yen", "rounded", "source_kind", "doubt"]
VALUE_COLUMNS = [
    "program_id", "fiscal_year", "stage", "amount_yen", "rounded", "own", "parts", "kind", "illustrative", "doubt",
]  # fmt: skip
PARTIAL_COLUMNS = ["program_id", "fiscal_year", "stage", "have", "expected"]
BREAKDOWN_COLUMNS = ["fiscal_year", "stage", "series", "amount_yen", "rounded", "illustrative", "kind", "doubt"]


def with_none(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Optional columns hold None for a missing value (never NaN): one way to write "missing"."""
    for column in columns:
        frame[column] = pd.Series([None if v is None or v != v else v for v in frame[column]], dtype=object,
                                  index=frame.index)  # fmt: skip
    return frame


def lines_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Budget lines as a DataFrame with fixed columns (empty input gives an empty frame).
    ``doubt``: the source's wording does not settle the stage (absent in old rows: False)."""
    frame = pd.DataFrame([{"doubt": False, **row} for row in rows], columns=LINE_COLUMNS)
    return frame.astype({"amount_yen": "int64", "fiscal_year": "int64", "rounded": "bool", "doubt": "bool"})


def most_cautious(kinds: Iterable[str]) -> str:
    """The kind a derived figure carries: the most cautionary kind among its inputs."""
    kinds = set(kinds)
    return next((k for k in KIND_CAUTION if k in kinds), next(iter(sorted(kinds)), "official"))


def caution_rank(kinds: pd.Series) -> tuple[pd.Series, dict[int, str]]:
    """Each kind's place in the order of caution (``most_cautious`` as numbers, so a grouped
    minimum picks the same kind without a Python call per group): rank, and rank → kind."""
    order = list(KIND_CAUTION) + sorted(set(kinds.dropna()) - set(KIND_CAUTION))
    ranks = {kind: i for i, kind in enumerate(order)}
    return kinds.map(ranks), dict(enumerate(order))


def _children(programs: Iterable[dict]) -> dict[int | None, list[dict]]:
    children: dict[int | None, list[dict]] = {}
    for program in programs:
        children.setdefault(program["parent_id"], []).append(program)
    return children


def exists_in(program: dict, fy: int) -> bool:
    """Whether a program may exist in ``fy``: an unknown first or last year does not rule it out."""
    start, end = program.get("start_fy"), program.get("end_fy")
    return (start is None or fy >= start) and (end is None or fy <= end)


@dataclass(frozen=True)
class Figure:
    amount_yen: int
    rounded: bool
    own: bool
    parts: int  # 0 for a stated figure, else the number of sub-programs summed
    kind: str
    doubt: bool


def roll_up(lines: pd.DataFrame, programs: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every program's complete figures per (fiscal year, stage), and the partial sums left out.

    Returns ``(values, partials)``: ``values`` has VALUE_COLUMNS (own stated figures and complete
    sums of sub-programs only); ``partials`` has PARTIAL_COLUMNS — a program without its own
    figure whose existing sub-programs only partly have one (``have`` of ``expected``).
    """
    children = _children(programs)
    out: list[dict] = []
    partial: list[dict] = []
    for (fy, stage), group in lines.groupby(["fiscal_year", "stage"], sort=True):
        fy = int(fy)
        own = {
            int(r.program_id): Figure(int(r.amount_yen), bool(r.rounded), True, 0, r.source_kind, bool(r.doubt))
            for r in group.itertuples()
        }
        memo: dict[int, Figure | None] = {}

        def figure(pid: int, own=own, memo=memo, fy=fy, stage=stage) -> Figure | None:
            if pid in memo:
                return memo[pid]
            result = own.get(pid)
            if result is None:
                kids = [(c, figure(c["id"])) for c in children.get(pid, [])]
                expected = [(c, f) for c, f in kids if f is not None or exists_in(c, fy)]
                have = [f for _c, f in expected if f is not None]
                if have and len(have) == len(expected):
                    result = Figure(
                        sum(f.amount_yen for f in have),
                        any(f.rounded for f in have),
                        False,
                        len(have),
                        most_cautious(f.kind for f in have),
                        any(f.doubt for f in have),
                    )
                elif have:
                    partial.append(
                        {"program_id": pid, "fiscal_year": fy, "stage": stage, "have": len(have),
                         "expected": len(expected)}
                    )  # fmt: skip
            memo[pid] = result
            return result

        for program in programs:
            result = figure(program["id"])
            if result is not None:
                out.append(
                    {
                        "program_id": program["id"],
                        "fiscal_year": fy,
                        "stage": stage,
                        "amount_yen": result.amount_yen,
                        "rounded": result.rounded,
                        "own": result.own,
                        "parts": result.parts,
                        "kind": result.kind,
                        "illustrative": result.kind == "illustrative",
                        "doubt": result.doubt,
                    }
                )
    values = pd.DataFrame(out, columns=VALUE_COLUMNS)
    partials = pd.DataFrame(partial, columns=PARTIAL_COLUMNS).drop_duplicates()
    return values, partials


def rolled_values(lines: pd.DataFrame, programs: list[dict]) -> pd.DataFrame:
    """Each program's complete figures (see ``roll_up``)."""
    return roll_up(lines, programs)[0]


def partial_sums(lines: pd.DataFrame, programs: list[dict]) -> pd.DataFrame:
    """Where a program has no figure because only some of its sub-programs have one."""
    return roll_up(lines, programs)[1]


def breakdown(values: pd.DataFrame, programs: list[dict], parent_id: int) -> pd.DataFrame:
    """A parent's figure per (fiscal year, stage), split into its children where that is honest.

    - The parent's own figure with every existing child known: the children plus the
      unitemized remainder (series ``REMAINDER`` = own − Σ children, kept even when negative —
      a data problem to show — and never forced to zero; dropped only when exactly zero).
    - The parent's own figure with its children not all known: one bar, series ``UNITEMIZED``.
    - A complete sum of the children (no own figure): the children.
    """
    programs_by_parent = _children(programs)
    family = {parent_id, *(c["id"] for c in programs_by_parent.get(parent_id, []))}
    values = values[values["program_id"].isin(family)]  # only the parent's and its children's figures count
    rows: list[dict] = []
    for (fy, stage), group in values.groupby(["fiscal_year", "stage"], sort=True):
        fy = int(fy)
        by_program = {int(r.program_id): r for r in group.itertuples()}
        parent = by_program.get(parent_id)
        if parent is None:
            continue
        kids = programs_by_parent.get(parent_id, [])
        expected = [c for c in kids if c["id"] in by_program or exists_in(c, fy)]
        parts = [by_program[c["id"]] for c in expected if c["id"] in by_program]
        complete = bool(expected) and len(parts) == len(expected)

        def row(series, amount, rounded, kind, doubt, fy=fy, stage=stage):
            return {"fiscal_year": fy, "stage": stage, "series": series, "amount_yen": int(amount),
                    "rounded": bool(rounded), "illustrative": kind == "illustrative", "kind": kind,
                    "doubt": bool(doubt)}  # fmt: skip

        if parent.own and not complete:
            rows.append(row(UNITEMIZED, parent.amount_yen, parent.rounded, parent.kind, parent.doubt))
            continue
        for part in parts:
            rows.append(row(int(part.program_id), part.amount_yen, part.rounded, part.kind, part.doubt))
        if parent.own:
            remainder = int(parent.amount_yen) - sum(int(p.amount_yen) for p in parts)
            if remainder != 0:
                rounded = bool(parent.rounded) or any(bool(p.rounded) for p in parts)
                kind = most_cautious([parent.kind, *[p.kind for p in parts]])
                doubt = bool(parent.doubt) or any(bool(p.doubt) for p in parts)
                rows.append(row(REMAINDER, remainder, rounded, kind, doubt))
    return pd.DataFrame(rows, columns=BREAKDOWN_COLUMNS)


def chosen_figures(values: pd.DataFrame, stage: str = "latest") -> pd.DataFrame:
    """The one rule for "latest", for every program and year at once: the rows of ``values``
    (complete figures only: own, or complete sums of sub-programs; partial sums are never values)
    at the most advanced stage each (program, fiscal year) has — or, for a named stage, the rows
    at that stage. In the order of ``values``."""
    if values.empty:
        return values
    if stage != "latest":
        return values[values["stage"] == stage]
    rank = values["stage"].map(STAGE_RANK)
    best = rank.groupby([values["program_id"], values["fiscal_year"]], sort=False).transform("max")
    return values[rank == best]


def stage_per_year(values: pd.DataFrame, program_id: int, stage: str = "latest") -> dict[int, str]:
    """Which stage to show for each fiscal year of a program (``chosen_figures``): the most
    advanced stage among its complete figures that year, or only the years that have a complete
    figure at a named stage."""
    rows = chosen_figures(values[values["program_id"] == program_id], stage)
    return {int(fy): st for fy, st in sorted(zip(rows["fiscal_year"], rows["stage"], strict=True))}


def latest_figures(values: pd.DataFrame) -> dict[int, dict]:
    """Each program's latest figure: its last fiscal year with a complete figure, at that year's
    latest stage (``chosen_figures``). program id → figure dict."""
    result: dict[int, dict] = {}
    if values.empty:
        return result
    chosen = chosen_figures(values).sort_values(["program_id", "fiscal_year"], kind="stable")
    for r in chosen.groupby("program_id", sort=False).tail(1).itertuples():
        result[int(r.program_id)] = figure_dict(r)
    return result


def figure_dict(r) -> dict:
    """One row of ``values`` as a plain dict."""
    return {
        "fy": int(r.fiscal_year),
        "stage": r.stage,
        "amount_yen": int(r.amount_yen),
        "rounded": bool(r.rounded),
        "own": bool(r.own),
        "parts": int(r.parts),
        "kind": r.kind,
        "doubt": bool(r.doubt),
    }


def select_stages(frame: pd.DataFrame, stages: dict[int, str]) -> pd.DataFrame:
    """Rows of ``frame`` whose (fiscal_year, stage) is the chosen stage of that year."""
    if frame.empty:
        return frame
    mask = [stages.get(int(fy)) == stage for fy, stage in zip(frame["fiscal_year"], frame["stage"], strict=True)]
    return frame[mask].reset_index(drop=True)


def percent_change(new: int, old: int) -> Decimal | None:
    """(new − old) ÷ old × 100, exact Decimal rounded half-up to 1 dp; None when old is 0."""
    if not old:
        return None
    return (Decimal(new - old) * 100 / Decimal(old)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


#: why a change is not given (keys for presenters' sentences)
NO_CHANGE_STAGES = "stages-differ"
NO_CHANGE_DOUBT = "stage-in-doubt"
NO_CHANGE_MISSING = "missing"


def change(new: dict | None, old: dict | None, *, across_stages: bool = False) -> dict:
    """Δ and Δ% between two figures (dicts with amount_yen, stage, rounded, doubt).

    Only between two figures of the same stage, neither with its stage in doubt, unless
    ``across_stages`` (the caller's label names both stages). ``rounded`` when either side is.
    """
    if new is None or old is None:
        return {"delta_yen": None, "delta_pct": None, "rounded": False, "reason": NO_CHANGE_MISSING}
    rounded = bool(new["rounded"]) or bool(old["rounded"])
    if not across_stages and (new["doubt"] or old["doubt"]):
        return {"delta_yen": None, "delta_pct": None, "rounded": rounded, "reason": NO_CHANGE_DOUBT}
    if not across_stages and new["stage"] != old["stage"]:
        return {"delta_yen": None, "delta_pct": None, "rounded": rounded, "reason": NO_CHANGE_STAGES}
    delta = int(new["amount_yen"]) - int(old["amount_yen"])
    return {
        "delta_yen": delta,
        "delta_pct": percent_change(int(new["amount_yen"]), int(old["amount_yen"])),
        "rounded": rounded,
        "reason": None,
    }


def headline(values: pd.DataFrame, program_id: int) -> dict | None:
    """The program's complete figure for its latest fiscal year and for the year before (each
    at its latest stage), and the change. The stages may differ: the dashboard names both in
    words, as the 2008 paper compares its 予算案 with the year before's 当初予算."""
    stages = stage_per_year(values, program_id)
    if not stages:
        return None
    latest_fy = max(stages)
    rows = {int(r.fiscal_year): figure_dict(r) for r in select_stages(values[values["program_id"] == program_id],
                                                                       stages).itertuples()}  # fmt: skip
    latest = rows[latest_fy]
    result = {**latest, "previous": None}
    previous = rows.get(latest_fy - 1)
    if previous is not None:
        delta = change(latest, previous, across_stages=True)
        result["previous"] = {
            **previous,
            "delta_yen": delta["delta_yen"],
            "delta_pct": delta["delta_pct"],
            "delta_rounded": delta["rounded"],
            "same_stage": previous["stage"] == latest["stage"],
        }
    return result


YOY_COLUMNS = ["fiscal_year", "stage", "amount_yen", "rounded", "own", "parts", "kind", "doubt", "delta_yen",
               "delta_pct", "delta_rounded", "reason"]  # fmt: skip


def year_over_year(values: pd.DataFrame, program_id: int) -> pd.DataFrame:
    """For each complete figure of a program, the change from the year before at the same stage
    (``change``: none across stages or with the stage in doubt)."""
    rows = values[values["program_id"] == program_id]
    by_key = {(int(r.fiscal_year), r.stage): figure_dict(r) for r in rows.itertuples()}
    out = []
    for (fy, stage), figure in sorted(by_key.items(), key=lambda kv: (kv[0][0], STAGE_RANK[kv[0][1]])):
        delta = change(figure, by_key.get((fy - 1, stage)))
        out.append(
            {"fiscal_year": fy, "stage": stage, "amount_yen": figure["amount_yen"], "rounded": figure["rounded"],
             "own": figure["own"], "parts": figure["parts"], "kind": figure["kind"], "doubt": figure["doubt"],
             "delta_yen": delta["delta_yen"], "delta_pct": delta["delta_pct"], "delta_rounded": delta["rounded"],
             "reason": delta["reason"]}
        )  # fmt: skip
    return with_none(pd.DataFrame(out, columns=YOY_COLUMNS), ["delta_yen", "delta_pct", "reason"])


def can_total(rows: Iterable[tuple[int, str, bool]], programs: list[dict]) -> tuple[bool, str | None]:
    """Whether figures may be added up into a totals row: ``rows`` are (program id, stage, doubt).

    Only over one stage, none with its stage in doubt, and no program together with one of its
    ancestors (a parent's figure already contains its children's). Returns (ok, reason) with
    reason one of "stages", "doubt", "nested".
    """
    rows = list(rows)
    if len({stage for _pid, stage, _doubt in rows}) > 1:
        return False, "stages"
    if any(doubt for _pid, _stage, doubt in rows):
        return False, "doubt"
    parent = {p["id"]: p["parent_id"] for p in programs}
    present = {pid for pid, _stage, _doubt in rows}
    for pid in present:
        ancestor = parent.get(pid)
        while ancestor is not None:
            if ancestor in present:
                return False, "nested"
            ancestor = parent.get(ancestor)
    return True, None


def total(amounts: Iterable[tuple[int, bool]]) -> tuple[int, bool]:
    """Σ amounts and whether any part was rounded."""
    amount, rounded = 0, False
    for value, is_rounded in amounts:
        amount += value
        rounded = rounded or is_rounded
    return amount, rounded


# --- Regions, clusters and the prefecture map ------------------------------------------------

PREFECTURE_COLUMNS = [
    "code",
    "name_ja",
    "name_en",
    "clusters",
    "funding_yen",
    "regions",
    "cluster_names",
    "illustrative",
    "source_kind",
]


def prefecture_measures(
    prefectures: list[dict],
    region_prefectures: list[tuple[int, int]],
    regions: dict[int, str],
    clusters: list[dict],
    funding: dict[int, dict],
) -> pd.DataFrame:
    """Per prefecture: clusters active (of the regions covering it), national funding of those
    regions, and the names of both. A region spanning several prefectures counts in full for
    each of them, so prefecture figures must not be added up across prefectures.

    ``clusters``: rows with id, region_id, name; ``funding``: region id → {"yen", "illustrative"}.
    """
    by_prefecture: dict[int, list[int]] = {}
    for region_id, code in region_prefectures:
        if region_id in regions:
            by_prefecture.setdefault(code, []).append(region_id)
    clusters_by_region: dict[int, list[str]] = {}
    for cluster in clusters:
        clusters_by_region.setdefault(cluster["region_id"], []).append(cluster["name"])
    rows = []
    for prefecture in prefectures:
        region_ids = sorted(by_prefecture.get(prefecture["code"], []), key=lambda r: regions[r])
        names = [name for r in region_ids for name in clusters_by_region.get(r, [])]
        rows.append(
            {
                "code": prefecture["code"],
                "name_ja": prefecture["name_ja"],
                "name_en": prefecture["name_en"],
                "clusters": len(names),
                "funding_yen": sum(funding[r]["yen"] for r in region_ids if r in funding),
                "regions": [regions[r] for r in region_ids],
                "cluster_names": names,
                "illustrative": any(funding[r]["illustrative"] for r in region_ids if r in funding),
                "source_kind": most_cautious(
                    k for r in region_ids if r in funding for k in funding[r].get("kinds", {"official"})
                ),
            }
        )
    return pd.DataFrame(rows, columns=PREFECTURE_COLUMNS)


LINEAGE_COLUMNS = ["id", "name", "program", "program_id", "start", "end", "start_known", "end_known", "sort_key"]


def lineage(clusters: list[dict], *, horizon: int) -> pd.DataFrame:
    """A region's clusters in lineage order with the span to draw for each.

    Order: first known fiscal year (the cluster's, else its program's), then program order.
    A missing first year is drawn from the program's first year (``start_known`` False); without
    either the cluster has no span (start is None). A missing last year is the last year it may
    have run (``cap_fy``, clusters/periods.py; the program's last year when the row has no
    ``cap_fy``), else the year before the next cluster of the lineage starts, else open to
    ``horizon`` (``end_known`` False in every such case).
    """
    rows = []
    for c in clusters:
        start = c["start_fy"] if c["start_fy"] is not None else c["program_start_fy"]
        end = c["end_fy"] if c["end_fy"] is not None else c.get("cap_fy", c["program_end_fy"])
        if start is not None and end is not None and end < start:
            end = start
        rows.append(
            {
                "id": c["id"],
                "name": c["name"],
                "program": c["program"],
                "program_id": c["program_id"],
                "start": start,
                "end": end,
                "start_known": c["start_fy"] is not None,
                "end_known": c["end_fy"] is not None,
                "sort_key": (start if start is not None else 9999, c["program_order"], c["id"]),
            }
        )
    rows.sort(key=lambda r: r["sort_key"])
    for index, row in enumerate(rows):
        if row["start"] is None:
            row["end"] = None
            continue
        if row["end"] is None:
            later = [r["start"] for r in rows[index + 1 :] if r["start"] is not None and r["start"] > row["start"]]
            row["end"] = later[0] - 1 if later else max(horizon, row["start"])
    return pd.DataFrame(rows, columns=LINEAGE_COLUMNS)


FUNDING_COLUMNS = ["cluster_id", "fiscal_year", "kind", "national_yen", "local_yen", "illustrative", "source_kind"]


def funding_frame(rows: Iterable[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([{"source_kind": "official", **row} for row in rows], columns=FUNDING_COLUMNS)
    return frame.astype({"national_yen": "int64", "local_yen": "int64", "fiscal_year": "int64"})


def funding_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Σ national and local funding per fiscal year and kind (plan / actual), with the most
    cautionary source kind of the rows summed."""
    if frame.empty:
        return pd.DataFrame(columns=["fiscal_year", "kind", "national_yen", "local_yen", "illustrative", "source_kind"])
    grouped = frame.groupby(["fiscal_year", "kind"], as_index=False).agg(
        national_yen=("national_yen", "sum"),
        local_yen=("local_yen", "sum"),
        illustrative=("illustrative", "any"),
        source_kind=("source_kind", most_cautious),
    )
    return grouped.sort_values(["fiscal_year", "kind"], ascending=[True, False]).reset_index(drop=True)


# --- University outcomes and the four programs' share ----------------------------------------

SHARE_COLUMNS = [
    "indicator_id", "fiscal_year", "denominator", "numerator", "share", "parts", "expected_parts",
    "error", "derived", "rounded", "total_source_id", "part_source_ids", "illustrative", "part_kind", "total_kind",
]  # fmt: skip


def outcome_shares(totals: list[dict], contributions: list[dict], counting_program_ids: set[int]) -> pd.DataFrame:
    """Share = Σ contributions of the programs that count toward the outcome share ÷ the
    all-university total × 100, rounded half up to one decimal, per indicator and fiscal year.

    No total or a zero total → no share (None, shown as "—", never 0%). A numerator above the
    denominator is a data error: ``error`` is set and the share is None (never charted >100%).
    ``parts`` counts the programs with a value that year, ``expected_parts`` how many count, so a
    missing program is visible. Rows: totals (indicator_id, fiscal_year, value, derived, rounded,
    source_id) and contributions (indicator_id, fiscal_year, program_id, value, source_id,
    illustrative).
    """
    parts: dict[tuple[int, int], list[dict]] = {}
    for row in contributions:
        if row["program_id"] in counting_program_ids:
            parts.setdefault((row["indicator_id"], row["fiscal_year"]), []).append(row)
    totals_by_key = {(t["indicator_id"], t["fiscal_year"]): t for t in totals}
    out = []
    for key in sorted(set(totals_by_key) | set(parts)):
        total = totals_by_key.get(key)
        found = parts.get(key, [])
        numerator = sum(int(p["value"]) for p in found) if found else None
        denominator = int(total["value"]) if total is not None else None
        share, error = None, False
        if numerator is not None and denominator:
            if numerator > denominator:
                error = True
            else:
                share = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
                    Decimal("0.1"), rounding=ROUND_HALF_UP
                )
        out.append(
            {
                "indicator_id": key[0],
                "fiscal_year": key[1],
                "denominator": denominator,
                "numerator": numerator,
                "share": share,
                "parts": len(found),
                "expected_parts": len(counting_program_ids),
                "error": error,
                "derived": bool(total and total["derived"]),
                "rounded": bool(total and total["rounded"]),
                "total_source_id": total["source_id"] if total else None,
                "part_source_ids": sorted({p["source_id"] for p in found}),
                "illustrative": any(p["illustrative"] for p in found),
                "part_kind": most_cautious(p.get("source_kind", "official") for p in found) if found else None,
                "total_kind": total.get("source_kind", "official") if total else None,
            }
        )
    return with_none(
        pd.DataFrame(out, columns=SHARE_COLUMNS),
        ["denominator", "numerator", "share", "total_source_id", "part_kind", "total_kind"],
    )


def indicator_families(indicators: list[dict]) -> list[list[dict]]:
    """Indicators grouped with their redefinitions: [old, new, newer…], in display order.

    A definition change makes a new indicator that ``replaces`` the old one; charts show the
    family together with a break between the two definitions.
    """
    by_id = {i["id"]: i for i in indicators}
    successor = {i["replaces_id"]: i for i in indicators if i["replaces_id"] in by_id}
    families = []
    for indicator in indicators:
        if indicator["replaces_id"] in by_id:
            continue  # shown in its predecessor's family
        family = [indicator]
        while family[-1]["id"] in successor:
            family.append(successor[family[-1]["id"]])
        families.append(family)
    return families


# --- Report pivots ---------------------------------------------------------------------------


PIVOT_COLUMNS = ["program_id", "fiscal_year", "stage", "amount_yen", "rounded", "own", "parts", "kind", "doubt"]


def budget_pivot(values: pd.DataFrame, programs: list[dict], *, stage: str, fy_from=None, fy_to=None) -> pd.DataFrame:
    """Program × fiscal year at one stage (or each program's latest stage per year): complete
    figures only, with their precision, parts, kind and stage doubt. Rows keep the tree order.
    One selection over the whole frame (``chosen_figures``), no loop over programs."""
    frame = values
    if fy_from is not None:
        frame = frame[frame["fiscal_year"] >= fy_from]
    if fy_to is not None:
        frame = frame[frame["fiscal_year"] <= fy_to]
    order = {p["id"]: i for i, p in enumerate(programs)}
    chosen = chosen_figures(frame[frame["program_id"].isin(order)], stage)
    if chosen.empty:
        return pd.DataFrame(columns=PIVOT_COLUMNS)
    chosen = chosen.assign(_order=chosen["program_id"].map(order))
    chosen = chosen.sort_values(["_order", "fiscal_year"], kind="stable")[PIVOT_COLUMNS].reset_index(drop=True)
    return chosen.astype({"program_id": "int64", "fiscal_year": "int64", "amount_yen": "int64", "rounded": "bool",
                          "own": "bool", "parts": "int64", "doubt": "bool"})  # fmt: skip


def region_funding_pivot(rows: list[dict], *, kind: str, part: str = "national") -> pd.DataFrame:
    """Region × fiscal year sums of cluster funding (national, local or both) for plan or actual."""
    frame = pd.DataFrame(
        [{"source_kind": "official", **row} for row in rows],
        columns=["cluster_id", "region_id", "fiscal_year", "kind", "national_yen", "local_yen", "illustrative",
                 "source_kind"],
    )  # fmt: skip
    frame = frame[frame["kind"] == kind]
    if frame.empty:
        return pd.DataFrame(columns=["region_id", "fiscal_year", "amount_yen", "illustrative", "source_kind"])
    frame = frame.assign(
        amount_yen=frame["national_yen"] if part == "national" else frame["local_yen"] if part == "local"
        else frame["national_yen"] + frame["local_yen"]
    )  # fmt: skip
    rank, kinds = caution_rank(frame["source_kind"])
    grouped = (
        frame.assign(_rank=rank)
        .groupby(["region_id", "fiscal_year"], as_index=False)
        .agg(amount_yen=("amount_yen", "sum"), illustrative=("illustrative", "any"), _rank=("_rank", "min"))
    )
    grouped["source_kind"] = grouped["_rank"].map(kinds)  # the most cautious kind summed (most_cautious)
    return grouped.drop(columns="_rank").sort_values(["region_id", "fiscal_year"]).reset_index(drop=True)


COMPARE_COLUMNS = ["program_id", "a", "b", "delta_yen", "delta_pct", "delta_rounded", "reason"]


def compare_years(
    values: pd.DataFrame, programs: list[dict], *, fy_a: int, fy_b: int, stage_a: str, stage_b: str
) -> pd.DataFrame:
    """Each program's figure in two fiscal years (each at the given stage, or its latest), and
    the change where ``change`` allows one: same stage, or two stages the user named explicitly
    (the page then says so in words). Sorted by Δ, largest increase first; no change last.
    ``a`` and ``b`` are figure dicts (or None)."""
    across = stage_a != "latest" and stage_b != "latest"
    picked = []
    for fy, stage in ((fy_a, stage_a), (fy_b, stage_b)):
        chosen = chosen_figures(values[values["fiscal_year"] == fy], stage)
        picked.append({int(r.program_id): figure_dict(r) for r in chosen.itertuples()})
    rows = []
    for program in programs:
        a, b = picked[0].get(program["id"]), picked[1].get(program["id"])
        if a is None and b is None:
            continue
        delta = change(b, a, across_stages=across)
        rows.append(
            {
                "program_id": program["id"],
                "a": a,
                "b": b,
                "delta_yen": delta["delta_yen"],
                "delta_pct": delta["delta_pct"],
                "delta_rounded": delta["rounded"],
                "reason": delta["reason"],
            }
        )
    rows.sort(key=lambda r: (r["delta_yen"] is None, -(r["delta_yen"] or 0)))
    return with_none(pd.DataFrame(rows, columns=COMPARE_COLUMNS), ["a", "b", "delta_yen", "delta_pct", "reason"])
