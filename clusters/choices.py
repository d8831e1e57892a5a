from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class Block(TextChoices):
    """The 8 regional blocks (8地方区分) used to group prefectures."""

    HOKKAIDO = "hokkaido", _("Hokkaido")
    TOHOKU = "tohoku", _("Tohoku")
    KANTO = "kanto", _("Kanto")
    CHUBU = "chubu", _("Chubu")
    KINKI = "kinki", _("Kinki")
    CHUGOKU = "chugoku", _("Chugoku")
    SHIKOKU = "shikoku", _("Shikoku")
    KYUSHU_OKINAWA = "kyushu-okinawa", _("Kyushu-Okinawa")


class ClusterStatus(TextChoices):
    """Derived from the cluster's period (clusters/periods.py), never stored (DESIGN §2b)."""

    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Running")
    ENDED = "ended", _("Ended")
    UNKNOWN = "unknown", _("Period unknown")


class FundingKind(TextChoices):
    PLAN = "plan", _("Plan")
    ACTUAL = "actual", _("Actual")


class EvaluationKind(TextChoices):
    MIDTERM = "midterm", _("Mid-term evaluation")
    FINAL = "final", _("Final evaluation")


class ReportStatus(TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
