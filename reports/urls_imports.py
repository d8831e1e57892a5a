"""Import pages (upload → preview → confirm). Filled in by the imports work."""

urlpatterns = []
