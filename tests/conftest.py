import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Tests read English unless they ask for Chinese; the site's default stays Chinese.

    Argon2 is deliberately slow; tests hash with a fast hasher (test_password_hashing checks the real one).
    """
    settings.LANGUAGE_CODE = "en"
    settings.TONGXIN_STAFF_2FA = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
