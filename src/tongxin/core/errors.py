"""The one error type that a person can fix: a translated message for forms, the API and commands."""

from django.utils.functional import Promise


class ActionError(Exception):
    """Raised by an action when the request is understood but cannot be carried out.

    Views show `message` as a form error, the API answers 400 (or `status`), commands exit with 2.
    """

    def __init__(self, message: str | Promise, *, status: int = 400, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.code = code
