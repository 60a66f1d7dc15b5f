"""What every page's navigation needs to know about cases: the workbench link, unread notifications."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tongxin.core.models import Notification

from .permissions import is_case_staff


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show_workbench": False, "unread_notifications": 0}
    # Lazy: pages that never render the navigation (API, feeds) pay nothing.
    return {
        "show_workbench": SimpleLazyObject(lambda: is_case_staff(user)),
        "unread_notifications": _LazyCount(lambda: Notification.objects.filter(user=user).unread().count()),
    }


class _LazyCount:
    """A number computed on first use; `{% blocktranslate count %}` needs a real int, hence __int__."""

    def __init__(self, compute: Any) -> None:
        self._compute, self._value = compute, None

    def _get(self) -> int:
        if self._value is None:
            self._value = self._compute()
        return self._value

    def __int__(self) -> int:
        return self._get()

    def __bool__(self) -> bool:
        return self._get() > 0

    def __str__(self) -> str:
        return str(self._get())
