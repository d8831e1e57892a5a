import hashlib
import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """For load balancers, no login: ``{"db": "ok"|"error", "cache": "ok"|"error"}``. 503 only
    when the database does not answer (the app cannot serve); a cache outage is reported but
    answers 200, because every page still works without the cache. Never redirected to HTTPS
    (``SECURE_REDIRECT_EXEMPT``) and answered before the session and login middleware
    (``core.middleware.HealthCheckMiddleware``), so a session cookie cannot turn a database
    outage into a 500."""
    from .cache import cache_works

    status = {"db": "ok", "cache": "ok" if cache_works() else "error"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure to answer means the database is down
        logger.warning("Health check: the database does not answer: %s", error)
        status["db"] = "error"
    return JsonResponse(status, status=503 if status["db"] == "error" else 200)


def mail_required(view):
    """``view`` answers 404 unless mail can be sent (``settings.PASSWORD_RESET_ENABLED``): a
    password reset that cannot deliver its mail must not accept requests."""
    import functools

    from django.conf import settings
    from django.http import Http404

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404("Password reset is not available: no mail is configured.")
        return view(request, *args, **kwargs)

    return wrapped


class FilteredTableView:
    """A list page: restricted queryset → FilterSet → Table (sorted, paginated), with the unit
    switch and an export hook. Subclasses declare ``template_name``, ``filterset_class``,
    ``table_class`` and ``get_queryset(request)``; ``export_formats`` lists what
    ``?export=`` may ask for (the exports issue plugs its writers into ``render_export``)."""

    template_name = ""
    filterset_class = None
    table_class = None
    per_page = 50
    export_formats: tuple[str, ...] = ("csv", "xlsx")
    export_name = "export"
    export_columns: list = []

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
        if export and not request.GET.get("chart"):
            if export not in self.export_formats:
                return HttpResponseBadRequest("Unknown export format.")
            return self.render_export(request, export, filterset, table)
        if request.GET.get("cp932") == "count" and self.export_formats:
            return self.render_cp932_count(request, table)
        context = {
            "filterset": filterset,
            "table": table,
            "warnings": params.warnings,
            "data_as_of": data_as_of(),
            "can_edit": table.can_edit,
            "export_formats": self.export_formats,
            "print_filters": describe_filters(filterset),
            # counted on demand (?cp932=count), never on a page view: it means writing every row
            "cp932_replaced": None if self.export_formats else 0,
            **self.extra_context(request, filterset, table),
        }
        return self.render(request, context)

    def render(self, request, context):
        from django.shortcuts import render

        return render(request, self.template_name, context)

    def export_rows(self, queryset):
        """Rows (dicts keyed by column key) for the export, streamed from the queryset."""
        raise NotImplementedError

    def export_sources(self, queryset):
        """The sources cited by the exported rows, for the About sheet."""
        try:
            source_model = queryset.model._meta.get_field("source").related_model
        except Exception:  # noqa: BLE001 - the exported model cites no source
            return []
        ids = queryset.order_by().values_list("source_id", flat=True).distinct()
        return list(source_model.objects.filter(pk__in=ids).order_by("kind", "title"))

    def render_export(self, request, export, filterset, table):
        """The same restricted, filtered, sorted rows as the table — every page, not one."""
        from .exports import export_response
        from .params import page_params

        unit = page_params(request).unit
        queryset = table.data.data  # ordered exactly as the table on screen, ending with the key
        data = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
        about = export_about(request, filterset, unit, self.export_sources(queryset)) if export == "xlsx" else None
        return export_response(
            request,
            what=self.export_name,
            columns=self.export_columns,
            rows=lambda: self.export_rows(queryset),
            unit=unit,
            fy_from=data.get("fy_from"),
            fy_to=data.get("fy_to"),
            about=about,
        )

    def cp932_replacements(self, request, table) -> int:
        """How many characters a Shift_JIS download of these rows would replace: one pass over
        every row, so only on demand, and cached per data version, filters and language."""
        from django.core.cache import cache

        from .exports import count_cp932_replacements
        from .history import data_version
        from .params import page_params

        query = sorted((k, v) for k, v in request.GET.lists() if k not in ("cp932", "page", "sort"))
        digest = hashlib.sha256(f"{request.path}:{query}:{request.LANGUAGE_CODE}".encode()).hexdigest()[:32]
        key = f"kakehashi:cp932:{data_version()}:{digest}"
        count = cache.get(key)
        if count is None:
            queryset = table.data.data
            count = count_cp932_replacements(self.export_columns, self.export_rows(queryset), page_params(request).unit)
            cache.set(key, count, timeout=600)
        return count

    def render_cp932_count(self, request, table):
        from django.shortcuts import render

        return render(
            request,
            "generic/cp932_count.html",
            {"cp932_replaced": self.cp932_replacements(request, table), "rows": table.paginator.count},
        )


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


def describe_filters(filterset) -> list[tuple[str, str]]:
    """The filters in effect as (label, value) pairs in words."""
    if not filterset.is_bound or not filterset.form.is_valid():
        return []
    result = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", [], ()) or (hasattr(value, "exists") and not value.exists()):
            continue
        field = filterset.form.fields[name]
        if hasattr(value, "__iter__") and not isinstance(value, str):
            choices = dict(getattr(field, "choices", []))
            text = ", ".join(str(choices.get(v, v)) for v in value)
        else:
            choices = dict(getattr(field, "choices", []))
            text = str(choices.get(value, value))
        result.append((str(field.label), text))
    return result


def export_about(request, filterset, unit, sources) -> list[tuple[str, str]]:
    """The About sheet: what, filters, units, data as of, and every source with its kind."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from .formatting import unit_label
    from .history import data_as_of

    as_of = data_as_of()
    rows = [
        (_("Exported from"), request.build_absolute_uri()),
        (_("Exported at"), timezone.localtime().isoformat(timespec="seconds")),
        (_("Data as of"), timezone.localtime(as_of).isoformat(timespec="seconds") if as_of else "—"),
        (_("Unit of money columns"), unit_label(unit)),
        (_("Fiscal years"), _("April to March, labelled by the Western year they start in (2008 = 平成20年度)")),
    ]
    filters = describe_filters(filterset)
    rows += [(_("Filter: %(name)s") % {"name": label}, value) for label, value in filters] or [
        (_("Filters"), _("none"))
    ]
    rows.append(("", ""))
    rows.append((_("Sources"), ""))
    for source in sources:
        rows.append((f"[{source.kind}] {source.key}", f"{source.title} — {source.publisher} {source.url}".strip()))
    return rows
