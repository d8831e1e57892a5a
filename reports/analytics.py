"""Pure data shaping with pandas: rows in, DataFrames out. No request, no ORM, no formatting.

Budget figures arrive as plain rows (program, fiscal year, stage, whole yen, rounded flag,
source kind). A program with no figure of its own for a year and stage takes the sum of its
children's; a parent whose own figure exceeds its children's shows the difference as the
unitemized remainder (その他・内訳なし), marked rounded when any figure it comes from is.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

STAGES = ["request", "draft", "enacted", "supplementary", "settled"]
STAGE_RANK = {stage: rank for rank, stage in enumerate(STAGES)}
REMAINDER = "remainder"

LINE_COLUMNS = ["program_id", "fiscal_year", "stage", "amount_yen", "rounded", "source_kind"]
VALUE_COLUMNS = ["program_id", "fiscal_year", "stage", "amount_yen", "rounded", "own", "illustrative"]
BREAKDOWN_COLUMNS = ["fiscal_year", "stage", "series", "amount_yen", "rounded", "illustrative"]


def lines_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Budget lines as a DataFrame with fixed columns (empty input gives an empty frame)."""
    frame = pd.DataFrame(list(rows), columns=LINE_COLUMNS)
    return frame.astype({"amount_yen": "int64", "fiscal_year": "int64", "rounded": "bool"})


def _children(programs: Iterable[dict]) -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for program in programs:
        children.setdefault(program["parent_id"], []).append(program["id"])
    return children


def rolled_values(lines: pd.DataFrame, programs: list[dict]) -> pd.DataFrame:
    """Each program's value for every (fiscal year, stage) that has figures.

    ``own`` is True for the program's own budget line; False for a sum of its descendants'
    values (used when it has no line itself). ``rounded`` is True when any figure used is.
    """
    children = _children(programs)
    out: list[dict] = []
    for (fy, stage), group in lines.groupby(["fiscal_year", "stage"], sort=True):
        own = {
            int(row.program_id): (int(row.amount_yen), bool(row.rounded), row.source_kind == "illustrative")
            for row in group.itertuples()
        }
        memo: dict[int, tuple[int, bool, bool, bool] | None] = {}

        def value(pid: int, own=own, memo=memo):
            if pid in memo:
                return memo[pid]
            if pid in own:
                amount, rounded, illustrative = own[pid]
                result = (amount, rounded, True, illustrative)
            else:
                parts = [v for child in children.get(pid, []) if (v := value(child)) is not None]
                result = (
                    (sum(p[0] for p in parts), any(p[1] for p in parts), False, any(p[3] for p in parts))
                    if parts
                    else None
                )
            memo[pid] = result
            return result

        for program in programs:
            result = value(program["id"])
            if result is not None:
                amount, rounded, is_own, illustrative = result
                out.append(
                    {
                        "program_id": program["id"],
                        "fiscal_year": int(fy),
                        "stage": stage,
                        "amount_yen": amount,
                        "rounded": rounded,
                        "own": is_own,
                        "illustrative": illustrative,
                    }
                )
    return pd.DataFrame(out, columns=VALUE_COLUMNS)


def breakdown(values: pd.DataFrame, programs: list[dict], parent_id: int) -> pd.DataFrame:
    """A parent's children per (fiscal year, stage), plus the unitemized remainder.

    The remainder (series ``"remainder"``) = the parent's own figure − Σ its children's values,
    present only where the parent has its own figure and at least one child has a value. It is
    kept even when negative (a data problem to show, not hide) and never forced to zero.
    """
    child_ids = _children(programs).get(parent_id, [])
    rows: list[dict] = []
    for (fy, stage), group in values.groupby(["fiscal_year", "stage"], sort=True):
        by_program = {int(r.program_id): r for r in group.itertuples()}
        parts = [by_program[c] for c in child_ids if c in by_program]
        for part in parts:
            rows.append(
                {
                    "fiscal_year": int(fy),
                    "stage": stage,
                    "series": int(part.program_id),
                    "amount_yen": int(part.amount_yen),
                    "rounded": bool(part.rounded),
                    "illustrative": bool(part.illustrative),
                }
            )
        parent = by_program.get(parent_id)
        if parent is not None and parent.own and parts:
            remainder = int(parent.amount_yen) - sum(int(p.amount_yen) for p in parts)
            if remainder != 0:
                rows.append(
                    {
                        "fiscal_year": int(fy),
                        "stage": stage,
                        "series": REMAINDER,
                        "amount_yen": remainder,
                        "rounded": bool(parent.rounded) or any(bool(p.rounded) for p in parts),
                        "illustrative": bool(parent.illustrative) or any(bool(p.illustrative) for p in parts),
                    }
                )
    return pd.DataFrame(rows, columns=BREAKDOWN_COLUMNS)


def stage_per_year(values: pd.DataFrame, program_id: int, stage: str = "latest") -> dict[int, str]:
    """Which stage to show for each fiscal year of a program.

    ``latest``: the most advanced stage at which the program has a figure of its own that year
    (a partial sum of children at a later stage is not the program's figure); when it has no
    figure of its own that year, the most advanced stage of its children's sum. A named stage:
    only the years that have a value at that stage.
    """
    rows = values[values["program_id"] == program_id]
    result: dict[int, str] = {}
    for fy, group in rows.groupby("fiscal_year", sort=True):
        if stage == "latest":
            own = list(group.loc[group["own"], "stage"])
            candidates = own or list(group["stage"])
            result[int(fy)] = max(candidates, key=STAGE_RANK.__getitem__)
        elif stage in set(group["stage"]):
            result[int(fy)] = stage
    return result


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


def headline(values: pd.DataFrame, program_id: int) -> dict | None:
    """The program's own figure for its latest fiscal year and for the year before (each at its
    most advanced stage), the change and the percentage change, and whether the stages differ.

    Only the program's own figures count: a year where only sub-programs have figures (e.g. a
    later request for one child) says nothing about the program's total.
    """
    own = values[(values["program_id"] == program_id) & values["own"]]
    stages = stage_per_year(own, program_id)
    if not stages:
        return None
    latest_fy = max(stages)
    rows = select_stages(own, stages).set_index("fiscal_year")
    latest = rows.loc[latest_fy]
    result = {
        "fy": latest_fy,
        "stage": stages[latest_fy],
        "amount_yen": int(latest["amount_yen"]),
        "rounded": bool(latest["rounded"]),
        "previous": None,
    }
    previous_fy = latest_fy - 1
    if previous_fy in stages:
        previous = rows.loc[previous_fy]
        delta = int(latest["amount_yen"]) - int(previous["amount_yen"])
        result["previous"] = {
            "fy": previous_fy,
            "stage": stages[previous_fy],
            "amount_yen": int(previous["amount_yen"]),
            "rounded": bool(previous["rounded"]),
            "delta_yen": delta,
            "delta_pct": percent_change(int(latest["amount_yen"]), int(previous["amount_yen"])),
            "same_stage": stages[previous_fy] == stages[latest_fy],
        }
    return result


def year_over_year(values: pd.DataFrame, program_id: int) -> pd.DataFrame:
    """For each stage of a program, the change from the year before at the same stage only."""
    rows = values[values["program_id"] == program_id].sort_values(["stage", "fiscal_year"])
    out = []
    for stage, group in rows.groupby("stage"):
        by_year = {int(r.fiscal_year): r for r in group.itertuples()}
        for fy, row in by_year.items():
            prev = by_year.get(fy - 1)
            out.append(
                {
                    "fiscal_year": fy,
                    "stage": stage,
                    "amount_yen": int(row.amount_yen),
                    "rounded": bool(row.rounded),
                    "delta_yen": int(row.amount_yen) - int(prev.amount_yen) if prev is not None else None,
                    "delta_pct": percent_change(int(row.amount_yen), int(prev.amount_yen))
                    if prev is not None
                    else None,
                }
            )
    return pd.DataFrame(
        out, columns=["fiscal_year", "stage", "amount_yen", "rounded", "delta_yen", "delta_pct"]
    ).sort_values(["fiscal_year", "stage"], key=lambda s: s.map(STAGE_RANK) if s.name == "stage" else s)


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
            }
        )
    return pd.DataFrame(rows, columns=PREFECTURE_COLUMNS)


LINEAGE_COLUMNS = ["id", "name", "program", "program_id", "start", "end", "start_known", "end_known", "sort_key"]


def lineage(clusters: list[dict], *, horizon: int) -> pd.DataFrame:
    """A region's clusters in lineage order with the span to draw for each.

    Order: first known fiscal year (the cluster's, else its program's), then program order.
    A missing first year is drawn from the program's first year (``start_known`` False); without
    either the cluster has no span (start is None). A missing last year is the program's last
    year if known, else the year before the next cluster of the lineage starts, else open to
    ``horizon`` (``end_known`` False in every such case).
    """
    rows = []
    for c in clusters:
        start = c["start_fy"] if c["start_fy"] is not None else c["program_start_fy"]
        rows.append(
            {
                "id": c["id"],
                "name": c["name"],
                "program": c["program"],
                "program_id": c["program_id"],
                "start": start,
                "end": c["end_fy"] if c["end_fy"] is not None else c["program_end_fy"],
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


FUNDING_COLUMNS = ["cluster_id", "fiscal_year", "kind", "national_yen", "local_yen", "illustrative"]


def funding_frame(rows: Iterable[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=FUNDING_COLUMNS)
    return frame.astype({"national_yen": "int64", "local_yen": "int64", "fiscal_year": "int64"})


def funding_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Σ national and local funding per fiscal year and kind (plan / actual)."""
    if frame.empty:
        return pd.DataFrame(columns=["fiscal_year", "kind", "national_yen", "local_yen", "illustrative"])
    grouped = frame.groupby(["fiscal_year", "kind"], as_index=False).agg(
        national_yen=("national_yen", "sum"), local_yen=("local_yen", "sum"), illustrative=("illustrative", "any")
    )
    return grouped.sort_values(["fiscal_year", "kind"], ascending=[True, False]).reset_index(drop=True)


# --- University outcomes and the four programs' share ----------------------------------------

SHARE_COLUMNS = [
    "indicator_id", "fiscal_year", "denominator", "numerator", "share", "parts", "expected_parts",
    "error", "derived", "rounded", "total_source_id", "part_source_ids", "illustrative",
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
            }
        )
    return pd.DataFrame(out, columns=SHARE_COLUMNS)


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


def budget_pivot(values: pd.DataFrame, programs: list[dict], *, stage: str, fy_from=None, fy_to=None) -> pd.DataFrame:
    """Program × fiscal year at one stage (or each program's latest stage per year): amount in
    yen, with a parallel 'rounded' flag. Rows keep the program tree order; empty rows dropped."""
    frame = values
    if fy_from is not None:
        frame = frame[frame["fiscal_year"] >= fy_from]
    if fy_to is not None:
        frame = frame[frame["fiscal_year"] <= fy_to]
    rows = []
    for program in programs:
        stages = stage_per_year(frame, program["id"], stage)
        chosen = select_stages(frame[frame["program_id"] == program["id"]], stages)
        for r in chosen.itertuples():
            rows.append(
                {
                    "program_id": program["id"],
                    "fiscal_year": int(r.fiscal_year),
                    "stage": r.stage,
                    "amount_yen": int(r.amount_yen),
                    "rounded": bool(r.rounded),
                    "own": bool(r.own),
                }
            )
    return pd.DataFrame(rows, columns=["program_id", "fiscal_year", "stage", "amount_yen", "rounded", "own"])


def region_funding_pivot(rows: list[dict], *, kind: str, part: str = "national") -> pd.DataFrame:
    """Region × fiscal year sums of cluster funding (national, local or both) for plan or actual."""
    frame = pd.DataFrame(
        rows, columns=["cluster_id", "region_id", "fiscal_year", "kind", "national_yen", "local_yen", "illustrative"]
    )
    frame = frame[frame["kind"] == kind]
    if frame.empty:
        return pd.DataFrame(columns=["region_id", "fiscal_year", "amount_yen", "illustrative"])
    frame = frame.assign(
        amount_yen=frame["national_yen"] if part == "national" else frame["local_yen"] if part == "local"
        else frame["national_yen"] + frame["local_yen"]
    )  # fmt: skip
    return (
        frame.groupby(["region_id", "fiscal_year"], as_index=False)
        .agg(amount_yen=("amount_yen", "sum"), illustrative=("illustrative", "any"))
        .sort_values(["region_id", "fiscal_year"])
        .reset_index(drop=True)
    )


def compare_years(
    values: pd.DataFrame, programs: list[dict], *, fy_a: int, fy_b: int, stage_a: str, stage_b: str
) -> pd.DataFrame:
    """Each program's figure in two fiscal years (each at the given stage, or its latest), the
    change Δ and Δ%, sorted by Δ (largest increase first; programs missing a year last)."""
    rows = []
    for program in programs:
        own = values[values["program_id"] == program["id"]]
        picks = []
        for fy, stage in ((fy_a, stage_a), (fy_b, stage_b)):
            stages = stage_per_year(own[own["fiscal_year"] == fy], program["id"], stage)
            chosen = select_stages(own[own["fiscal_year"] == fy], stages)
            picks.append(chosen.iloc[0] if not chosen.empty else None)
        a, b = picks
        if a is None and b is None:
            continue
        delta = int(b["amount_yen"]) - int(a["amount_yen"]) if a is not None and b is not None else None
        rows.append(
            {
                "program_id": program["id"],
                "a_yen": int(a["amount_yen"]) if a is not None else None,
                "a_stage": a["stage"] if a is not None else None,
                "a_rounded": bool(a["rounded"]) if a is not None else False,
                "a_own": bool(a["own"]) if a is not None else True,
                "b_yen": int(b["amount_yen"]) if b is not None else None,
                "b_stage": b["stage"] if b is not None else None,
                "b_rounded": bool(b["rounded"]) if b is not None else False,
                "b_own": bool(b["own"]) if b is not None else True,
                "delta_yen": delta,
                "delta_pct": percent_change(int(b["amount_yen"]), int(a["amount_yen"])) if delta is not None else None,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "program_id",
            "a_yen",
            "a_stage",
            "a_rounded",
            "a_own",
            "b_yen",
            "b_stage",
            "b_rounded",
            "b_own",
            "delta_yen",
            "delta_pct",
        ],
    )
    frame["_missing"] = frame["delta_yen"].isna()
    frame["_sort"] = frame["delta_yen"].fillna(0)
    return (
        frame.sort_values(["_missing", "_sort"], ascending=[True, False])
        .drop(columns=["_missing", "_sort"])
        .reset_index(drop=True)
    )
