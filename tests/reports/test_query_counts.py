"""Pages pin their query count at two data sizes: the seed and ten times more rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import Cluster, Region
from programs.models import BudgetLine, Program
from tests.factories import (
    BudgetLineFactory,
    ClusterFactory,
    ClusterFundingFactory,
    ProgramFactory,
    RegionFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/programs/",
    "/programs/regional-innovation/",
    "/programs/knowledge-cluster/",
    "/programs/knowledge-cluster-1/",
    "/budgets/",
    "/regions/",
    "/regions/?measure=funding&kind=plan",
    "/regions/hamamatsu/",
    "/clusters/hamamatsu-kc2/",
    "/outcomes/",
    "/reports/status/",
    "/paper/",
]


def grow_tenfold():
    """Ten times the seed's programs, budget lines and clusters, attached to the real tree."""
    source = SourceFactory()
    root = Program.objects.get(slug="regional-innovation")
    kc = Program.objects.get(slug="knowledge-cluster")
    target_lines = BudgetLine.objects.count() * 10
    programs = [
        ProgramFactory(parent=root if i % 2 else kc, source=source, order=50 + i)
        for i in range(9 * Program.objects.count())
    ]
    i = 0
    while BudgetLine.objects.count() < target_lines:
        program = programs[i % len(programs)]
        BudgetLineFactory(program=program, fiscal_year=2000 + (i // len(programs)), stage="enacted", source=source)
        i += 1
    hamamatsu = Region.objects.get(slug="hamamatsu")
    for k in range(10):
        cluster = ClusterFactory(
            region=hamamatsu, program=programs[k], source=source, start_fy=2005 + k % 3, end_fy=2012
        )
        for fy in range(2007, 2012):
            ClusterFundingFactory(cluster=cluster, fiscal_year=fy, kind="plan", source=source)
            ClusterFundingFactory(cluster=cluster, fiscal_year=fy, kind="actual", source=source)
    kc2 = Cluster.objects.get(slug="hamamatsu-kc2")
    for fy in range(2009, 2012):
        ClusterFundingFactory(cluster=kc2, fiscal_year=fy, kind="actual", source=source)
    from programs.models import Indicator, OutcomeValue

    counting = list(Program.objects.filter(counts_toward_outcome_share=True))
    for n in range(9 * Indicator.objects.count()):
        indicator = Indicator.objects.create(slug=f"grown-{n}", name_ja=f"指標{n}", unit="cases", source=source)
        for fy in range(2003, 2011):
            OutcomeValue.objects.create(indicator=indicator, fiscal_year=fy, value=1000, source=source)
            for program in counting:
                OutcomeValue.objects.create(
                    indicator=indicator, fiscal_year=fy, program=program, value=10, source=source
                )
    target_clusters = Cluster.objects.count() * 10
    regions = [RegionFactory(source=source) for _ in range(Region.objects.count() * 9)]
    j = 0
    while Cluster.objects.count() < target_clusters:
        ClusterFactory(region=regions[j % len(regions)], program=programs[j % len(programs)], source=source)
        j += 1


def count_queries(client, url):
    client.get(url)  # warm the per-version caches the same way at both sizes
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_query_counts_do_not_grow_with_rows(viewer_client, django_assert_max_num_queries):
    small = {url: count_queries(viewer_client, url) for url in PAGES}
    grow_tenfold()
    from django.core.cache import cache

    cache.clear()
    large = {url: count_queries(viewer_client, url) for url in PAGES}
    assert large == small
    print("query counts per page:", small)
    for url in PAGES:
        with django_assert_max_num_queries(18):
            viewer_client.get(url)
