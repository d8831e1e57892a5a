from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class SourceKind(TextChoices):
    OFFICIAL = "official", _("Official")
    PRESS = "press", _("Press / other publication")
    ILLUSTRATIVE = "illustrative", _("Illustrative")


class PolicyArea(TextChoices):
    REGIONAL = "regional", _("Regional science and technology")
    INDUSTRY_ACADEMIA = "industry_academia", _("Industry–academia collaboration")


class Implementer(TextChoices):
    MEXT = "mext", _("MEXT")
    JST = "jst", _("JST")


class Stage(TextChoices):
    """Budget stages in the order a year's figure advances (DESIGN §2)."""

    REQUEST = "request", _("Budget request")
    DRAFT = "draft", _("Government draft")
    ENACTED = "enacted", _("Enacted budget")
    SUPPLEMENTARY = "supplementary", _("After supplementary")
    SETTLED = "settled", _("Settled")


STAGE_ORDER = {stage: index for index, stage in enumerate(Stage.values)}
STAGE_JA = {
    Stage.REQUEST: "概算要求",
    Stage.DRAFT: "予算案",
    Stage.ENACTED: "当初予算",
    Stage.SUPPLEMENTARY: "補正後",
    Stage.SETTLED: "決算",
}


class Precision(TextChoices):
    EXACT = "exact", _("Exact")
    ROUNDED = "rounded", _("Rounded in the source")


class IndicatorUnit(TextChoices):
    CASES = "cases", _("cases (件)")
    COMPANIES = "companies", _("companies (社)")
    YEN = "yen", _("yen")
