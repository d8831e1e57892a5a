from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class SourceKind(TextChoices):
    OFFICIAL = "official", _("Official")
    PRESS = "press", _("Press / other publication")
    REPORTED = "reported", _("Reported by the region")
    ILLUSTRATIVE = "illustrative", _("Illustrative")


#: kinds whose figures are marked wherever they appear (charts, headlines, exports), DESIGN §2b
MARKED_KINDS = (SourceKind.REPORTED, SourceKind.ILLUSTRATIVE)
#: the most cautionary kind first: a derived figure takes the first kind any of its inputs has
KIND_CAUTION = [SourceKind.ILLUSTRATIVE, SourceKind.REPORTED, SourceKind.PRESS, SourceKind.OFFICIAL]


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
    """How precisely the source states a figure. "Exact" claims only that the digits are the
    source's own (出典記載の数値), not that the figure is final (DESIGN §2b)."""

    EXACT = "exact", _("As stated in the source")
    ROUNDED = "rounded", _("Rounded in the source (approx.)")


class IndicatorUnit(TextChoices):
    CASES = "cases", _("cases (件)")
    COMPANIES = "companies", _("companies (社)")
    YEN = "yen", _("yen")


def stage_text(stage: str, alternative: str = "", wording: str = "") -> str:
    """A stage as the source settles it: "当初予算", or where the wording leaves it open
    "予算案または当初予算（出典の表記：政府予算）" (DESIGN §2b: stage doubt is data)."""
    from django.utils.translation import gettext

    labels = dict(Stage.choices)
    if not alternative:
        return str(labels.get(stage, stage))
    first, second = sorted([stage, alternative], key=lambda s: STAGE_ORDER.get(s, 99))
    text = gettext("%(first)s or %(second)s") % {"first": labels[first], "second": labels[second]}
    if wording:
        text += gettext(" (the source says: %(wording)s)") % {"wording": wording}
    return text
