#!/usr/bin/env bash
# Lectern's two set-up commands for a fresh Debian/Ubuntu machine:
#   ./dev.sh run    install everything into .venv and start the app
#   ./dev.sh test   install everything into .venv and run the whole test suite
# Extra arguments go to the app (run) or to pytest (test).
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY="$VENV/bin/python"
# Libraries Qt needs even offscreen, binutils for PyInstaller, Xvfb/xcb for a real window.
SYSTEM_PACKAGES=(libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 libglib2.0-0
    fonts-dejavu-core binutils python3-venv
    libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0)

system_deps() {
    command -v dpkg >/dev/null || return 0  # not Debian-like: see README for the list
    local missing=()
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    # python3-venv only matters for the system python; a pyenv/other python has venv built in.
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null; then
            echo "dev.sh: please install: ${missing[*]}" >&2
            return 0
        fi
        sudo=sudo
    fi
    { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; } \
        || echo "dev.sh: could not install ${missing[*]}; continuing (the tests say what is missing)" >&2
}

# An install stamp is fresh when it exists and pyproject.toml has not changed since.
stamp_fresh() {
    [ -f "$VENV/.installed-$1" ] && [ ! pyproject.toml -nt "$VENV/.installed-$1" ]
}

# venv TARGET STAMP [STAMP...]: install TARGET unless one of the stamps is fresh.
# `run` accepts the `test` stamp: `.[test,build]` includes everything the app needs,
# so `./dev.sh run` after `./dev.sh test` starts at once instead of reinstalling.
venv() {
    local target="$1" stamp="$2" name
    shift 2
    # A venv made without pip (Debian's python3 lacking ensurepip) is useless: make it again.
    if [ ! -x "$PY" ] || ! "$PY" -m pip --version >/dev/null 2>&1; then
        rm -rf "$VENV"
        python3 -m venv "$VENV" || { echo "dev.sh: python3 -m venv failed; install python3-venv" >&2; exit 1; }
    fi
    for name in "$stamp" "$@"; do
        stamp_fresh "$name" && return 0
    done
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -e "$target"
    touch "$VENV/.installed-$stamp"
}

case "${1:-}" in
    run)
        shift
        system_deps
        venv . app test
        exec "$VENV/bin/lectern" "$@"
        ;;
    test)
        shift
        system_deps
        venv ".[test,build]" test
        exec "$PY" -m pytest "$@"
        ;;
    *)
        echo "usage: ./dev.sh run [lectern args] | ./dev.sh test [pytest args]" >&2
        exit 2
        ;;
esac
