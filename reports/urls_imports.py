"""Import pages (DESIGN §5 "Imports"): upload → preview → confirm. Namespace ``imports``."""

from django.urls import path

from .views import imports as views

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/<slug:kind>/", views.import_upload, name="import_upload"),
    path("imports/<slug:kind>/<int:batch_id>/", views.import_preview, name="import_preview"),
]
