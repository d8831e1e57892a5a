"""Login lockout (django-axes) that an attacker cannot turn against someone else.

Failures are counted per user name *and* address, so five wrong passwords for ``analyst`` typed
from anywhere else do not lock ``analyst`` out at the office; one address also has its own,
higher limit (``AXES_IP_FAILURE_LIMIT``) against password guessing across many names. The address
is ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` proxies stand in front of the app, and then it is
the address the outermost of them reports: a client-supplied X-Forwarded-For never counts.
"""

from __future__ import annotations

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``; behind ``TRUSTED_PROXY_COUNT`` (N) proxies, the
    N-th X-Forwarded-For entry from the right — the one the outermost trusted proxy appended.
    Entries left of it were written by the client and are ignored; a malformed entry falls back
    to ``REMOTE_ADDR``."""
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per lockout parameter set.

    ``AXES_LOCKOUT_PARAMETERS`` is ``[["username", "ip_address"], "ip_address"]``: the first set
    locks at ``AXES_FAILURE_LIMIT``, the address alone at ``AXES_IP_FAILURE_LIMIT``. axes compares
    one number with one limit, so each set's count is scaled to ``AXES_FAILURE_LIMIT``.
    """

    def get_failures(self, request, credentials=None) -> int:
        limit = settings.AXES_FAILURE_LIMIT
        limits = [limit, getattr(settings, "AXES_IP_FAILURE_LIMIT", limit)]
        scaled = [0]
        for index, attempts in enumerate(self.get_user_attempts(request, credentials)):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            own_limit = limits[min(index, len(limits) - 1)]
            scaled.append(failures * limit // own_limit)
        return max(scaled)
