"""Pages that combine apps or draw charts live in reports/; their URL names keep the owning
domain's namespace (programs:program_list …) as STYLE.md asks."""

from django.urls import path

from . import views

program_urls = (
    [
        path("programs/", views.program_list, name="program_list"),
        path("programs/<slug:slug>/", views.program_detail, name="program"),
        path("budgets/", views.budget_list, name="budget_list"),
    ],
    "programs",
)

cluster_urls = (
    [
        path("regions/", views.region_list, name="region_list"),
        path("regions/<slug:slug>/", views.region_detail, name="region"),
        path("clusters/<slug:slug>/", views.cluster_detail, name="cluster"),
    ],
    "clusters",
)

report_urls = (
    [
        path("outcomes/", views.outcomes, name="outcomes"),
    ],
    "reports",
)
