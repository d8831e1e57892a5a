import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.formatting import fiscal_year_range_label, unit_label
from core.tables import FiscalYearColumn, KakehashiTable, MoneyColumn, localized_name, other_name, source_cell

from .models import Region


class RegionTable(KakehashiTable):
    name = tables.Column(_("Region"), accessor="name_ja", order_by=("name_ja",))
    prefectures = tables.Column(_("Prefectures"), orderable=False, empty_values=())
    cluster_count = tables.Column(_("Clusters"), attrs={"th": {"class": "num"}, "td": {"class": "num"}})
    programs = tables.Column(_("Programs"), orderable=False, empty_values=())
    first_fy = tables.Column(_("Period"), order_by=("first_fy", "last_fy"), empty_values=())

    class Meta(KakehashiTable.Meta):
        model = Region
        fields = []
        sequence = ("name", "prefectures", "cluster_count", "programs", "first_fy")
        order_by = ("name",)

    def render_name(self, record):
        return format_html(
            '<a href="{}">{}</a>{}',
            reverse("clusters:region", args=[record.slug]),
            localized_name(record),
            other_name(record),
        )

    def render_prefectures(self, record):
        return "、".join(p.display_name for p in record.prefectures.all())

    def render_programs(self, record):
        names = sorted({c.program.display_name for c in record.clusters.all()})
        return format_html_join("", "<div>{}</div>", ((n,) for n in names)) if names else "—"

    def render_first_fy(self, record):
        return fiscal_year_range_label(record.first_fy, record.last_fy) or _("unknown")


class ClusterFundingTable(KakehashiTable):
    cluster = tables.Column(_("Cluster"), accessor="cluster__name_ja", order_by=("cluster__name_ja",))
    fiscal_year = FiscalYearColumn(verbose_name=_("Fiscal year"))
    kind = tables.Column(_("Plan or actual"))
    national_yen = MoneyColumn(_("National subsidy"))
    local_yen = MoneyColumn(_("Local contribution"))
    source = tables.Column(_("Source"), accessor="source__title", order_by=("source__kind", "source__title"))

    class Meta(KakehashiTable.Meta):
        fields = []
        sequence = ("cluster", "fiscal_year", "kind", "national_yen", "local_yen", "source")
        order_by = ("cluster", "fiscal_year", "kind")

    def render_cluster(self, record):
        return localized_name(record.cluster)

    def before_render(self, request):
        for name, label in (("national_yen", _("National subsidy")), ("local_yen", _("Local contribution"))):
            self.columns[name].column.verbose_name = f"{label}（{unit_label(self.unit)}）"

    def render_source(self, record):
        return source_cell(record.source)


class ClusterOutcomeTable(KakehashiTable):
    cluster = tables.Column(_("Cluster"), accessor="cluster__name_ja", order_by=("cluster__name_ja",))
    fiscal_year = FiscalYearColumn(verbose_name=_("Fiscal year"))
    indicator = tables.Column(_("Indicator"), accessor="indicator__name_ja", order_by=("indicator__order",))
    value = tables.Column(_("Value"), attrs={"th": {"class": "num"}, "td": {"class": "num"}})
    source = tables.Column(_("Source"), accessor="source__title", order_by=("source__kind", "source__title"))

    class Meta(KakehashiTable.Meta):
        fields = []
        sequence = ("cluster", "fiscal_year", "indicator", "value", "source")
        order_by = ("cluster", "fiscal_year", "indicator")

    def render_cluster(self, record):
        return localized_name(record.cluster)

    def render_indicator(self, record):
        return localized_name(record.indicator)

    def render_source(self, record):
        return source_cell(record.source)
