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

    def can_edit(self, request) -> bool:
        """Whether rows of this list get edit links (national rows: program managers only)."""
        from .roles import Role, has_role

        return has_role(request.user, Role.PROGRAM_MANAGER)

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
        table.can_edit = self.can_edit(request)
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
            "can_edit": table.can_edit,
            **self.extra_context(request, filterset, table),
        }
        return render(request, self.template_name, context)

    def render_export(self, request, export, filterset, table):
        raise NotImplementedError


def can_edit(user, obj) -> bool:
    """Whether ``user`` may change ``obj``: the object must be inside ``restrict(user, "change")``."""
    from .querysets import CHANGE

    if obj is None or not user.is_authenticated:
        return False
    return type(obj).objects.restrict(user, CHANGE).filter(pk=obj.pk).exists()


class EditView:
    """Create or edit one tracked row through core.services.save_tracked.

    Declare ``model``, ``form_class``, ``lookup`` (URL kwarg → field) and ``region_owned``.
    Access: anonymous users were sent to log in by the middleware; a user without an editing
    role gets 403; a coordinator asking for another region's row gets 404 on GET and POST alike;
    national rows are for program managers only. A stale version is refused with the list of
    what changed; invalid input comes back next to its field; nothing is written in either case.
    """

    model = None
    form_class = None
    template_name = "generic/edit.html"
    lookup: tuple[str, str] | None = None  # (url kwarg, model field)
    region_owned = False
    title = ""

    @classmethod
    def as_view(cls):
        def view(request, *args, **kwargs):
            return cls().dispatch(request, **kwargs)

        view.__name__ = cls.__name__
        view.__doc__ = cls.__doc__
        return view

    # --- access ----------------------------------------------------------------------------------
    def check_role(self, request):
        from django.core.exceptions import PermissionDenied

        from .roles import Role, has_role

        if has_role(request.user, Role.PROGRAM_MANAGER):
            return
        if self.region_owned and has_role(request.user, Role.COORDINATOR):
            return
        raise PermissionDenied

    def get_object(self, request, **kwargs):
        from django.shortcuts import get_object_or_404

        from .querysets import CHANGE

        if self.lookup is None:
            return None
        kwarg, field = self.lookup
        return get_object_or_404(self.model.objects.restrict(request.user, CHANGE), **{field: kwargs[kwarg]})

    # --- hooks -----------------------------------------------------------------------------------
    def get_form_kwargs(self, request, obj):
        return {"instance": obj, "user": request.user}

    def get_success_url(self, obj):
        return obj.get_absolute_url()

    def get_title(self, obj):
        return self.title

    def extra_context(self, request, obj) -> dict:
        return {}

    def save(self, request, form, obj):
        from .services import save_tracked

        instance = form.save(commit=False)
        return save_tracked(
            user=request.user, instance=instance, version=form.cleaned_data.get("version") if obj else None
        )

    # --- flow ------------------------------------------------------------------------------------
    def dispatch(self, request, **kwargs):
        from django.contrib import messages
        from django.core.exceptions import ValidationError
        from django.http import HttpResponseNotAllowed
        from django.shortcuts import redirect, render
        from django.utils.translation import gettext as _

        from .services import StaleVersion

        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        self.check_role(request)
        obj = self.get_object(request, **kwargs)
        stale = None
        if request.method == "POST":
            form = self.form_class(request.POST, **self.get_form_kwargs(request, obj))
            if form.is_valid():
                try:
                    saved = self.save(request, form, obj)
                except StaleVersion as error:
                    stale = error
                except ValidationError as error:
                    add_errors(form, error)
                else:
                    messages.success(request, _("Saved. Version %(version)s.") % {"version": saved.version})
                    return redirect(self.get_success_url(saved))
        else:
            form = self.form_class(**self.get_form_kwargs(request, obj))
        context = {
            "form": form,
            "object": obj,
            "stale": stale,
            "title": self.get_title(obj),
            **self.extra_context(request, obj),
        }
        status = 409 if stale else 400 if request.method == "POST" else 200
        return render(request, self.template_name, context, status=status)


def add_errors(form, error):
    """Attach a model ValidationError to the form: per field where the form has the field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)
