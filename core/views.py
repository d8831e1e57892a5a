from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 {"db": "ok"} when the database answers a query, else 503 {"db": "error"}. No login."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"db": "error"}, status=503)
    return JsonResponse({"db": "ok"})


class FilteredTableView:
    """A list page: restricted queryset → FilterSet → Table (sorted, paginated), with the unit
    switch and an export hook. Subclasses declare ``template_name``, ``filterset_class``,
    ``table_class`` and ``get_queryset(request)``; ``export_formats`` lists what
    ``?export=`` may ask for (the exports issue plugs its writers into ``render_export``)."""

    template_name = ""
    filterset_class = None
    table_class = None
    per_page = 50
    export_formats: tuple[str, ...] = ()

    @classmethod
    def as_view(cls):
        def view(request, *args, **kwargs):
            return cls().dispatch(request, *args, **kwargs)

        view.__name__ = cls.__name__
        view.__doc__ = cls.__doc__
        return view

    def get_queryset(self, request):
        raise NotImplementedError

    def get_filterset(self, request, queryset):
        return self.filterset_class(request.GET or None, queryset=queryset, request=request)

    def get_table(self, request, rows, params):
        return self.table_class(rows, unit=params.unit)

    def extra_context(self, request, filterset, table) -> dict:
        return {}

    def dispatch(self, request, *args, **kwargs):
        from django.http import HttpResponseBadRequest
        from django.shortcuts import render
        from django_tables2 import RequestConfig

        from .history import data_as_of
        from .params import page_params

        self.kwargs = kwargs
        params = page_params(request)
        filterset = self.get_filterset(request, self.get_queryset(request))
        rows = filterset.qs
        table = self.get_table(request, rows, params)
        RequestConfig(request, paginate={"per_page": self.per_page}).configure(table)
        export = request.GET.get("export")
        if export:
            if export not in self.export_formats:
                return HttpResponseBadRequest("Unknown export format.")
            return self.render_export(request, export, filterset, table)
        context = {
            "filterset": filterset,
            "table": table,
            "warnings": params.warnings,
            "data_as_of": data_as_of(),
            **self.extra_context(request, filterset, table),
        }
        return render(request, self.template_name, context)

    def render_export(self, request, export, filterset, table):
        raise NotImplementedError
