"""History tabs: every recorded change to an object and the rows that belong to it."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from clusters import selectors as cluster_selectors
from clusters.models import AnnualReport, Cluster, ClusterFunding, ClusterOutcome, Evaluation, Region
from core.history import history_entries
from programs import selectors as program_selectors
from programs.models import BudgetLine, OutcomeValue, Program


def render_history(request, obj, sources, crumbs):
    return render(
        request,
        "generic/history.html",
        {"object": obj, "entries": history_entries(sources), "crumbs": crumbs, "object_url": obj.get_absolute_url()},
    )


def program_history(request, slug):
    program = program_selectors.program_get(user=request.user, slug=slug)
    sources = [
        (Program, Program.history.filter(id=program.pk)),
        (BudgetLine, BudgetLine.history.filter(program_id=program.pk)),
        (OutcomeValue, OutcomeValue.history.filter(program_id=program.pk)),
    ]
    crumbs = [
        {"label": _("Programs"), "url": reverse("programs:program_list")},
        {"label": program.display_name, "url": program.get_absolute_url()},
        {"label": _("History")},
    ]
    return render_history(request, program, sources, crumbs)


def cluster_history(request, slug):
    cluster = cluster_selectors.cluster_get(user=request.user, slug=slug)
    sources = [
        (Cluster, Cluster.history.filter(id=cluster.pk)),
        (ClusterFunding, ClusterFunding.history.filter(cluster_id=cluster.pk)),
        (ClusterOutcome, ClusterOutcome.history.filter(cluster_id=cluster.pk)),
        (Evaluation, Evaluation.history.filter(cluster_id=cluster.pk)),
        (AnnualReport, AnnualReport.history.filter(cluster_id=cluster.pk)),
    ]
    crumbs = [
        {"label": _("Regions"), "url": reverse("clusters:region_list")},
        {"label": cluster.region.display_name, "url": cluster.region.get_absolute_url()},
        {"label": cluster.display_name, "url": cluster.get_absolute_url()},
        {"label": _("History")},
    ]
    return render_history(request, cluster, sources, crumbs)


def region_history(request, slug):
    region = cluster_selectors.region_get(user=request.user, slug=slug)
    cluster_ids = list(Cluster.objects.restrict(request.user).filter(region=region).values_list("pk", flat=True))
    sources = [
        (Region, Region.history.filter(id=region.pk)),
        (Cluster, Cluster.history.filter(id__in=cluster_ids)),
        (ClusterFunding, ClusterFunding.history.filter(cluster_id__in=cluster_ids)),
        (ClusterOutcome, ClusterOutcome.history.filter(cluster_id__in=cluster_ids)),
        (Evaluation, Evaluation.history.filter(cluster_id__in=cluster_ids)),
        (AnnualReport, AnnualReport.history.filter(cluster_id__in=cluster_ids)),
    ]
    crumbs = [
        {"label": _("Regions"), "url": reverse("clusters:region_list")},
        {"label": region.display_name, "url": region.get_absolute_url()},
        {"label": _("History")},
    ]
    return render_history(request, region, sources, crumbs)
