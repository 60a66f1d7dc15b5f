"""Forms for signing in, the second factor and API tokens: labelled, with the right keyboards."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .backends import find_account, normalise_phone

WRONG_CREDENTIALS = _(
    "The name or phone number and the password do not match an account that can sign in. "
    "Check them and try again."
)


def lockout_key(identifier: str) -> str:
    """What failed attempts are counted against: the account's username when there is one.

    So "Alice", "alice" and her phone number share one count of failures, and a success clears it.
    """
    account = find_account(identifier)
    if account is not None:
        return account.get_username()
    phone = normalise_phone(identifier)
    return phone if len(phone) == 11 else identifier.strip().lower()


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username or mobile phone"),
        max_length=150,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user_cache: Any = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        identifier, password = cleaned.get("username"), cleaned.get("password")
        if identifier and password:
            # django-axes counts failures on the username passed here, so pass one key per account.
            self.user_cache = authenticate(
                self.request, username=lockout_key(identifier), password=password
            )
            if self.user_cache is None:
                raise forms.ValidationError(WRONG_CREDENTIALS, code="invalid_login")
        return cleaned

    def get_user(self) -> Any:
        return self.user_cache

    def signed_in_with(self) -> str:
        """Which of the two the person typed: "username" or "phone"."""
        typed = self.cleaned_data["username"].strip().lower()
        return "username" if typed == self.user_cache.get_username().lower() else "phone"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        help_text=_("Open your authenticator app and type the code it shows for Tongxin."),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        # Apps show the code as "123 456"; people type it either way.
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(
                _("Type the 6 digits of the code, without letters."), code="format"
            )
        return code


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        help_text=_("What will use the token, for example “grid reports script”."),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
