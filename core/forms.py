"""Form fields and the base form shared by every edit form (UI.md B7)."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

#: the largest amount a form accepts (1,000 trillion yen); the column could hold more
MAX_YEN = 10**15
MAX_TEXT = 5000

#: C0 controls except tab, LF and CR; DEL; C1 controls. Invisible, meaningless in this data, and
#: XML (so XLSX) cannot carry most of them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_characters_message(text: str) -> str | None:
    """Why ``text`` cannot be stored (it holds control characters, named by code point), or None."""
    found = sorted(set(CONTROL_CHARACTERS.findall(text)))
    if not found:
        return None
    names = ", ".join(f"U+{ord(c):04X}" for c in found[:5]) + ("…" if len(found) > 5 else "")
    return _("The text holds invisible control characters (%(chars)s); remove them and save again.") % {"chars": names}


def refuse_control_characters(value) -> None:
    """A validator for free text: refuses control characters (see CONTROL_CHARACTERS)."""
    message = control_characters_message(str(value).replace("\x00", ""))  # Django refuses NUL itself
    if message:
        raise ValidationError(message, code="control_characters")


def guard_text_fields(form: forms.BaseForm) -> None:
    """Every free-text field of ``form`` refuses control characters."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and refuse_control_characters not in field.validators:
            field.validators.append(refuse_control_characters)


def normalise_number(value: str) -> str:
    """Full-width digits → half-width; drop thousands separators, spaces and a trailing 円/件."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    for junk in (",", "，", "、", " ", "\u3000", "円", "件", "社"):
        text = text.replace(junk, "")
    return text


class NumberInput(forms.TextInput):
    """A text input that shows whole numbers with thousands separators (digits stay half-width)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return super().format_value(value)


class YenField(forms.IntegerField):
    """Whole yen: accepts １，５６６，０００，０００ or 1,566,000,000; refuses negatives, decimals
    and amounts beyond MAX_YEN with a clear message."""

    default_error_messages = {
        "invalid": _("Enter the amount in whole yen using digits only, e.g. 1,566,000,000."),
        "min_value": _("Amounts cannot be negative."),
        "max_value": _("This amount is too large (at most 1,000 trillion yen)."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_YEN)
        kwargs.setdefault("widget", NumberInput)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value not in self.empty_values:
            value = normalise_number(value)
            if value.startswith("-") or value.startswith("−") or value.startswith("▲"):
                raise ValidationError(self.error_messages["min_value"], code="min_value")
        return super().to_python(value)


class CountField(YenField):
    default_error_messages = {
        "invalid": _("Enter a whole number using digits only."),
        "min_value": _("Counts cannot be negative."),
        "max_value": _("This number is too large."),
    }


class VersionedModelForm(forms.ModelForm):
    """A ModelForm that carries the row's version (optimistic locking) and caps free text."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        guard_text_fields(self)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = MAX_TEXT
                field.validators.append(MaxLengthValidator(MAX_TEXT))
                field.widget.attrs.setdefault("maxlength", str(MAX_TEXT))

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if self.instance.pk and not version:
            raise ValidationError(_("The form is missing its version; reload the page and try again."))
        return version


class FastSelect(forms.Select):
    """A ``<select>`` for long choice lists (clusters, regions and programs at national scale):
    the options are written directly instead of through a template per option, and for model
    choices the options' HTML is cached per data version under their query (which carries the
    user's scope) and the language, so a list of 2,000 clusters costs a cache lookup and a string
    search for the selected value, not 2,000 model instances and templates. The markup is the
    same as Django's Select."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.html import escape
        from django.utils.safestring import mark_safe

        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        if self.allow_multiple_selected:
            final["multiple"] = True
        if self.is_required and not self.allow_multiple_selected:
            final["required"] = True
        options = self.options_html()
        for key in {str(v) for v in self.format_value(value)}:
            plain = f'<option value="{escape(key)}">'
            options = options.replace(plain, f'<option value="{escape(key)}" selected>', 1)
        written = "".join(
            f" {escape(k)}" if v is True else f' {escape(k)}="{escape(v)}"'
            for k, v in final.items()
            if v is not False and v is not None
        )
        return mark_safe(f"<select{written}>{options}</select>")

    def options_html(self) -> str:
        """Every option (and optgroup), none selected."""
        import hashlib

        from django.core.exceptions import EmptyResultSet
        from django.utils.translation import get_language

        from .history import cached_per_version

        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return self._write_options()
        try:
            query = str(queryset.query)
        except EmptyResultSet:
            return self._write_options()
        empty = getattr(self.choices.field, "empty_label", None)
        digest = hashlib.sha256(f"{query}|{get_language()}|{empty}".encode()).hexdigest()[:32]
        return cached_per_version(f"select-options:{digest}", self._write_options)

    def _write_options(self) -> str:
        from django.utils.html import escape

        parts = []
        for key, label in self.choices:
            if isinstance(label, (list, tuple)):
                parts.append(f'<optgroup label="{escape(key)}">')
                parts.extend(f'<option value="{escape(k)}">{escape(sub)}</option>' for k, sub in label)
                parts.append("</optgroup>")
            else:
                parts.append(f'<option value="{escape(key)}">{escape(label)}</option>')
        return "".join(parts)
