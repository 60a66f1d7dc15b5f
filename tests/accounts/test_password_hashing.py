from django.contrib.auth.hashers import make_password
from django.test import override_settings

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_passwords_are_hashed_with_argon2_in_production_settings():
    # tests/conftest.py swaps in a fast hasher per test; the module-level setting is the real one.
    from tongxin import settings as tongxin_settings

    assert tongxin_settings.PASSWORD_HASHERS[0] == ARGON2
    with override_settings(PASSWORD_HASHERS=tongxin_settings.PASSWORD_HASHERS):
        assert make_password("correct horse battery").startswith("argon2$argon2id$")
