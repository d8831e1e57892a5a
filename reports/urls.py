"""Pages that combine apps or draw charts live in reports/; their URL names keep the owning
domain's namespace (programs:program_list …) as STYLE.md asks."""

from django.urls import path

from clusters.urls import urlpatterns as cluster_edit_urls
from programs.urls import urlpatterns as program_edit_urls

from . import views

program_urls = (
    [
        *program_edit_urls,
        path("programs/", views.program_list, name="program_list"),
        path("programs/<slug:slug>/", views.program_detail, name="program"),
        path("programs/<slug:slug>/history/", views.program_history, name="program_history"),
        path("budgets/", views.budget_list, name="budget_list"),
    ],
    "programs",
)

cluster_urls = (
    [
        *cluster_edit_urls,
        path("regions/", views.region_list, name="region_list"),
        path("regions/<slug:slug>/", views.region_detail, name="region"),
        path("regions/<slug:slug>/history/", views.region_history, name="region_history"),
        path("clusters/<slug:slug>/", views.cluster_detail, name="cluster"),
        path("clusters/<slug:slug>/history/", views.cluster_history, name="cluster_history"),
    ],
    "clusters",
)

report_urls = (
    [
        path("outcomes/", views.outcomes, name="outcomes"),
        path("reports/", views.report_index, name="index"),
        path("glossary/", views.glossary, name="glossary"),
        path("paper/", views.paper, name="paper"),
        path("reports/budget-pivot/", views.budget_pivot, name="budget_pivot"),
        path("reports/region-funding/", views.region_funding, name="region_funding"),
        path("reports/outcome-shares/", views.outcome_shares, name="outcome_shares"),
        path("reports/year-over-year/", views.yoy, name="yoy"),
        path("reports/dataset.zip", views.dataset_zip, name="dataset"),
        path("reports/status/", views.status_board, name="status_board"),
    ],
    "reports",
)
