from django.contrib import admin
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Uploaded import files, read-only: the import pages make them, never a person by hand."""

    list_display = ("filename", "kind", "user", "size", "created_at", "applied_at")
    list_filter = ("kind", ("applied_at", admin.EmptyFieldListFilter))
    search_fields = ("filename", "user__username", "sha256")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    fields = ("user", "kind", "filename", "size", "sha256", "created_at", "applied_at")
    readonly_fields = fields

    def get_queryset(self, request):
        # the file itself can be 10 MB: list its size, never load it
        return super().get_queryset(request).defer("content").annotate(content_size=Length("content"))

    @admin.display(description=_("size (bytes)"), ordering="content_size")
    def size(self, obj):
        return f"{obj.content_size:,}" if obj.content_size is not None else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
