#!/usr/bin/env bash
# Run every test, unit and browser, on SQLite (or on the database DATABASE_URL names).
# Installs what the tests need first; arguments go to pytest:  ./test.sh tests/community -x
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source ./start.sh

# The browser tests drive Debian's Chromium with CJK fonts; the translation test runs xgettext;
# the poster tests draw the PDF with poppler's pdftoppm.
system_packages_missing() {
    local missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed' || missing+=(fonts-noto-cjk)
    command -v xgettext >/dev/null && command -v msgmerge >/dev/null || missing+=(gettext)
    command -v pdftoppm >/dev/null || missing+=(poppler-utils)  # the poster tests look at the PDF's page
    echo "${missing[@]}"
}

make_venv
install_package ".[test]"
missing="$(system_packages_missing)"
if [ -n "$missing" ]; then
    # shellcheck disable=SC2086  # one word per package
    apt_install $missing
fi

exec "$VENV/bin/pytest" "$@"
