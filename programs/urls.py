"""Editing national rows (program managers) and the source / outcome-value lists."""

from django.urls import path

from . import views

urlpatterns = [
    path("programs/new/", views.program_create, name="program_create"),
    path("programs/<slug:slug>/edit/", views.program_edit, name="program_edit"),
    path("budgets/new/", views.budget_line_create, name="budget_line_create"),
    path("budgets/<int:pk>/edit/", views.budget_line_edit, name="budget_line_edit"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<slug:slug>/edit/", views.indicator_edit, name="indicator_edit"),
    path("outcomes/values/", views.outcome_value_list, name="outcome_value_list"),
    path("outcomes/values/new/", views.outcome_value_create, name="outcome_value_create"),
    path("outcomes/values/<int:pk>/edit/", views.outcome_value_edit, name="outcome_value_edit"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/new/", views.source_create, name="source_create"),
    path("sources/<int:pk>/edit/", views.source_edit, name="source_edit"),
]
