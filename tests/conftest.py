import pytest


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read English unless they ask for Chinese; the site's default stays Chinese."""
    settings.LANGUAGE_CODE = "en"
    settings.TONGXIN_STAFF_2FA = True
