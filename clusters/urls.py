"""Editing region-owned rows: cluster profiles, annual reports, evaluations."""

from django.urls import path

from . import views

urlpatterns = [
    path("funding/", views.funding_list, name="funding_list"),
    path("cluster-outcomes/", views.outcome_list, name="outcome_list"),
    path("clusters/<slug:slug>/edit/", views.cluster_edit, name="cluster_edit"),
    path("clusters/<slug:slug>/reports/<int:fy>/", views.report, name="report"),
    path("evaluations/new/", views.evaluation_create, name="evaluation_create"),
    path("evaluations/<int:pk>/edit/", views.evaluation_edit, name="evaluation_edit"),
]
