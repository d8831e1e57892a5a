"""Editing region-owned rows: cluster profiles (coordinators of the region, program managers),
evaluations (program managers) and the annual report workflow."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import FY_MAX, FY_MIN
from core.querysets import CHANGE
from core.roles import Role, has_role
from core.services import StaleVersion
from core.views import EditView, FilteredTableView, add_errors

from . import exports, services
from .choices import FundingKind, ReportStatus
from .filtersets import ClusterYearFilterSet
from .forms import AnnualReportForm, ClusterForm, EvaluationForm, ReviewForm
from .models import AnnualReport, Cluster, ClusterFunding, ClusterOutcome, Evaluation
from .tables import ClusterFundingTable, ClusterOutcomeTable


class ClusterEdit(EditView):
    """A cluster's profile: the region's coordinators and program managers."""

    model = Cluster
    form_class = ClusterForm
    lookup = ("slug", "slug")
    region_owned = True

    def get_form_kwargs(self, request, obj):
        return {"instance": obj}

    def get_title(self, obj):
        return _("Edit cluster profile: %(name)s") % {"name": obj.name_ja}

    def extra_context(self, request, obj):
        return {
            "crumbs": [
                {"label": _("Regions"), "url": reverse("clusters:region_list")},
                {"label": obj.region.display_name, "url": obj.region.get_absolute_url()},
                {"label": obj.display_name, "url": obj.get_absolute_url()},
                {"label": _("Edit")},
            ],
            "cancel_url": obj.get_absolute_url(),
        }


class EvaluationEdit(EditView):
    """Evaluations are entered by program managers."""

    model = Evaluation
    form_class = EvaluationForm
    lookup = ("pk", "pk")

    def get_title(self, obj):
        return _("Edit evaluation: %(evaluation)s") % {"evaluation": obj} if obj else _("New evaluation")

    def extra_context(self, request, obj):
        return {"crumbs": [{"label": self.get_title(obj)}], "cancel_url": obj.get_absolute_url() if obj else "/"}


class EvaluationCreate(EvaluationEdit):
    lookup = None


cluster_edit = ClusterEdit.as_view()
evaluation_edit = EvaluationEdit.as_view()
evaluation_create = EvaluationCreate.as_view()


EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def report_cluster(request, slug):
    """The cluster whose report ``request.user`` may work on: program managers any, coordinators
    only their regions' (another region's is a 404, GET and POST alike), everyone else 403."""
    if has_role(request.user, Role.PROGRAM_MANAGER) or has_role(request.user, Role.COORDINATOR):
        return get_object_or_404(Cluster.objects.restrict(request.user, CHANGE).select_related("region"), slug=slug)
    raise PermissionDenied


def report(request, slug, fy):
    """One cluster's annual report for fiscal year ``fy``: save a draft, submit; program managers
    accept or return it with a comment. Submitted and accepted reports are read-only to the
    coordinator."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    cluster = report_cluster(request, slug)
    if not FY_MIN <= fy <= FY_MAX or not cluster.admits(fy):
        raise Http404(_("This cluster has no report for that fiscal year."))
    existing = AnnualReport.objects.filter(cluster=cluster, fiscal_year=fy).first()
    indicators = services.report_indicators(fy)
    is_manager = has_role(request.user, Role.PROGRAM_MANAGER)
    locked = existing is not None and existing.status in services.LOCKED_FOR_COORDINATORS and not is_manager
    stale = None
    form = AnnualReportForm(indicators=indicators, initial=report_initial(cluster, fy, existing, indicators))
    review = ReviewForm(initial={"version": existing.version if existing else None})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("save", "submit"):
                if locked:
                    raise PermissionDenied(_("This report has been submitted and is read-only."))
                form = AnnualReportForm(request.POST, indicators=indicators)
                if not form.is_valid():
                    status = 400
                else:
                    data = form.cleaned_data
                    saved = services.report_save(
                        user=request.user,
                        cluster=cluster,
                        fy=fy,
                        version=data.get("version"),
                        national_yen=data.get("national_yen"),
                        local_yen=data.get("local_yen"),
                        outcomes=form.outcome_values(),
                        opened=data.get("opened"),
                    )
                    if action == "submit":
                        saved = services.report_submit(user=request.user, report=saved, version=saved.version)
                        messages.success(request, _("The report was submitted for review."))
                    else:
                        messages.success(request, _("The draft was saved."))
                    return redirect(saved.get_absolute_url())
            elif action in ("accept", "return"):
                if not is_manager:
                    raise PermissionDenied(_("Only program managers review annual reports."))
                if existing is None:
                    raise Http404
                review = ReviewForm(request.POST)
                if not review.is_valid():
                    status = 400
                else:
                    version = review.cleaned_data["version"]
                    if action == "accept":
                        services.report_accept(user=request.user, report=existing, version=version)
                        messages.success(request, _("The report was accepted."))
                    else:
                        services.report_return(
                            user=request.user, report=existing, version=version, comment=review.cleaned_data["comment"]
                        )
                        messages.success(request, _("The report was returned to the coordinator."))
                    return redirect(existing.get_absolute_url())
            else:
                status = 400
                messages.error(request, _("Unknown action."))
        except StaleVersion as error:
            stale, status = error, 409
        except ValidationError as error:
            status = 400
            if action in ("accept", "return"):
                review = ReviewForm(request.POST)
                review.is_valid()
                add_errors(review, error)
            else:
                form = AnnualReportForm(request.POST, indicators=indicators)
                form.is_valid()
                add_errors(form, error)
    context = {
        "cluster": cluster,
        "fy": fy,
        "report": existing,
        "form": form,
        "review": review,
        "locked": locked,
        "is_manager": is_manager,
        "can_submit": not locked and (existing is None or existing.status in EDITABLE_STATUSES),
        "can_review": is_manager and existing is not None and existing.status == ReportStatus.SUBMITTED,
        "stale": stale,
        "crumbs": [
            {"label": _("Regions"), "url": reverse("clusters:region_list")},
            {"label": cluster.region.display_name, "url": cluster.region.get_absolute_url()},
            {"label": cluster.display_name, "url": cluster.get_absolute_url()},
            {"label": _("Annual report %(fy)s") % {"fy": fy}},
        ],
    }
    return render(request, "clusters/report.html", context, status=status)


def report_initial(cluster, fy, existing, indicators) -> dict:
    funding = ClusterFunding.objects.filter(cluster=cluster, fiscal_year=fy, kind=FundingKind.ACTUAL).first()
    outcomes = {o.indicator_id: o.value for o in ClusterOutcome.objects.filter(cluster=cluster, fiscal_year=fy)}
    initial = {"version": existing.version if existing else None, "opened": timezone.now().isoformat()}
    if funding:
        initial.update(national_yen=funding.national_yen, local_yen=funding.local_yen)
    for indicator in indicators:
        if indicator.pk in outcomes:
            initial[f"indicator_{indicator.pk}"] = outcomes[indicator.pk]
    return initial


class ClusterYearListView(FilteredTableView):
    """Funding or outcome rows. Coordinators see the rows of their own regions (the rows they
    keep and may export, edit and import back); everyone else sees all rows."""

    filterset_class = ClusterYearFilterSet
    model = None

    def scope(self, request):
        if has_role(request.user, Role.COORDINATOR) and not has_role(request.user, Role.PROGRAM_MANAGER):
            return CHANGE
        return "view"

    def get_queryset(self, request):
        return self.model.objects.restrict(request.user, self.scope(request)).select_related(
            "cluster", "cluster__region", "source"
        )

    def can_edit(self, request):
        return False

    def extra_context(self, request, filterset, table):
        return {"crumbs": [{"label": self.title}], "title": self.title, "own_only": self.scope(request) == CHANGE}


class ClusterFundingListView(ClusterYearListView):
    model = ClusterFunding
    table_class = ClusterFundingTable
    template_name = "clusters/cluster_year_list.html"
    export_name = "cluster-funding"
    export_columns = exports.CLUSTER_FUNDING_COLUMNS
    title = gettext_lazy("Cluster funding")

    def export_rows(self, queryset):
        return exports.funding_rows(queryset)


class ClusterOutcomeListView(ClusterYearListView):
    model = ClusterOutcome
    table_class = ClusterOutcomeTable
    template_name = "clusters/cluster_year_list.html"
    export_name = "cluster-outcomes"
    export_columns = exports.CLUSTER_OUTCOME_COLUMNS
    title = gettext_lazy("Cluster outcomes")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")

    def export_rows(self, queryset):
        return exports.outcome_rows(queryset)


funding_list = ClusterFundingListView.as_view()
outcome_list = ClusterOutcomeListView.as_view()
