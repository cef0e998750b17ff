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
    if [ "$(id -u)" -eq 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
            || echo "dev.sh: could not install ${missing[*]}; continuing" >&2
    elif command -v sudo >/dev/null; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "dev.sh: please install: ${missing[*]}" >&2
    fi
}

venv() {
    local extras="$1"
    if [ ! -x "$PY" ]; then
        python3 -m venv "$VENV"
    fi
    local stamp="$VENV/.installed-$extras"
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        "$PY" -m pip install -q --upgrade pip
        "$PY" -m pip install -q -e ".[$extras]"
        touch "$stamp"
    fi
}

case "${1:-}" in
    run)
        shift
        system_deps
        venv test
        exec "$VENV/bin/lectern" "$@"
        ;;
    test)
        shift
        system_deps
        venv test,build
        exec "$PY" -m pytest "$@"
        ;;
    *)
        echo "usage: ./dev.sh run [lectern args] | ./dev.sh test [pytest args]" >&2
        exit 2
        ;;
esac
