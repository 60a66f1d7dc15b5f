#!/usr/bin/env bash
# Try Tongxin on this machine: a virtualenv, the package, the demo town and a web server.
# Safe to run again: each step is skipped when already done. Arguments go to `tongxin start`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

PYTHON="${PYTHON:-python3}"
VENV=.venv

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

apt_install() {
    # Only root installs Debian packages, and only those that are missing.
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        say "Tongxin needs the Debian packages: $*"
        say "Install them with:  sudo apt-get install $*"
        exit 1
    fi
    say "Installing Debian packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@"
}

make_venv() {
    [ -x "$VENV/bin/python" ] && return
    if ! command -v "$PYTHON" >/dev/null; then
        say "Tongxin needs Python 3.11 or newer: install python3 (Debian 12 has 3.11)."
        exit 1
    fi
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        say "Tongxin needs Python 3.11 or newer; $PYTHON is $("$PYTHON" -V 2>&1)."
        exit 1
    fi
    say "Creating $VENV"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        # Debian's python3 leaves ensurepip out until python3-venv is installed.
        rm -rf "$VENV"
        apt_install python3-venv
        "$PYTHON" -m venv "$VENV"
    fi
}

install_package() {
    # $1: what to install, "." or ".[test]". A stamp per target holds pyproject.toml's digest.
    local target="$1"
    local stamp="$VENV/.installed${target#.}" digest
    digest="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    [ "$(cat "$stamp" 2>/dev/null)" = "$digest" ] && return
    say "Installing tongxin ${target#.} into $VENV"
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check -e "$target"
    echo "$digest" >"$stamp"
}

install_cjk_font() {
    # The village bulletin's PDF poster draws its Chinese with Debian's Noto CJK font.
    dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'ok installed' && return
    apt_install fonts-noto-cjk
}

# test.sh sources this file for the helpers above; only running it starts the site.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    make_venv
    install_package .
    install_cjk_font
    export DEBUG="${DEBUG:-1}"
    exec "$VENV/bin/tongxin" start "$@"
fi
