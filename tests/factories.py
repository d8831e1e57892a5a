"""factory_boy factories for hand-made rows (the seed covers the real data)."""

import factory

from clusters.models import Cluster, ClusterFunding, Prefecture, Region
from programs.models import BudgetLine, Indicator, OutcomeValue, Program, ProgramFact, Source


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    key = factory.Sequence(lambda n: f"test-source-{n}")
    kind = "official"
    title = factory.Sequence(lambda n: f"テスト資料 {n}")
    publisher = "文部科学省"


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    slug = factory.Sequence(lambda n: f"test-program-{n}")
    name_ja = factory.Sequence(lambda n: f"テスト事業{n}")
    name_en = factory.Sequence(lambda n: f"Test program {n}")
    policy_area = "regional"
    implementer = "mext"
    source = factory.SubFactory(SourceFactory)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    program = factory.SubFactory(ProgramFactory)
    fiscal_year = 2008
    stage = "enacted"
    amount_yen = 1_000_000_000
    source = factory.SubFactory(SourceFactory)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    slug = factory.Sequence(lambda n: f"test-indicator-{n}")
    name_ja = factory.Sequence(lambda n: f"テスト指標{n}")
    unit = "cases"
    source = factory.SubFactory(SourceFactory)


class OutcomeValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutcomeValue

    indicator = factory.SubFactory(IndicatorFactory)
    fiscal_year = 2008
    program = None
    value = 100
    source = factory.SubFactory(SourceFactory)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"test-region-{n}")
    name_ja = factory.Sequence(lambda n: f"テスト地域{n}")
    source = factory.SubFactory(SourceFactory)

    @factory.post_generation
    def prefectures(self, create, extracted, **kwargs):
        if create:
            self.prefectures.set(extracted or [Prefecture.objects.get(code=22)])


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster

    slug = factory.Sequence(lambda n: f"test-cluster-{n}")
    region = factory.SubFactory(RegionFactory)
    program = factory.LazyFunction(lambda: Program.objects.get(slug="knowledge-cluster-2"))
    name_ja = factory.Sequence(lambda n: f"テストクラスター{n}")
    start_fy = 2007
    end_fy = 2011
    source = factory.SubFactory(SourceFactory)


class ClusterFundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClusterFunding

    cluster = factory.SubFactory(ClusterFactory)
    fiscal_year = 2008
    kind = "plan"
    national_yen = 500_000_000
    local_yen = 100_000_000
    source = factory.SubFactory(SourceFactory)


class ProgramFactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgramFact

    key = factory.Sequence(lambda n: f"test-fact-{n}")
    program = factory.SubFactory(ProgramFactory)
    kind = "count"
    fiscal_year = 2007
    value = 7
    measure = "regions_running"
    text_ja = factory.Sequence(lambda n: f"テスト記述{n}")
    text_en = factory.Sequence(lambda n: f"Test statement {n}")
    source = factory.SubFactory(SourceFactory)
