#!/usr/bin/env bash
# Run every check, failing fast:
#   1. scripts/setup.sh test       (the .venv with every extra, Graphviz, Chromium)
#   2. ruff check .
#   3. mypy                        (strict; files from pyproject.toml)
#   4. pytest                      (tests/ and docs/; extra arguments go here)
#   5. the sdist's own core tests  (built, unpacked, run against the unpacked tree)
#   6. mkdocs build --strict       (when mkdocs.yml exists)
#      benchmarks/run.py --quick   (a 10-second smoke run)
#   7. pytest -m core tests        under every other Python 3.10-3.13 found,
#                                  each in .venv-pyXY with only pytest installed
# Exits non-zero on the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_NO_INPUT=1
export NO_MKDOCS_2_WARNING=1  # mkdocs-material prints a banner about its successor otherwise

passed=()
skipped=()
start=$SECONDS

header() { printf '\n==> %s\n' "$*"; }
join() { local out="" x; for x in "$@"; do out="${out:+$out; }$x"; done; printf '%s' "${out:-nothing}"; }

finish_failed() {
    local what=$1 rc=$2
    printf '\nFAILED: %s (exit %s) after %ss; passed before it: %s\n' \
        "$what" "$rc" "$((SECONDS - start))" "$(join "${passed[@]}")"
    exit "$rc"
}

# run_step NAME CMD...: print a header, run CMD, stop everything if it fails.
run_step() {
    local name=$1 rc=0
    shift
    header "$name"
    "$@" || rc=$?
    [[ $rc -eq 0 ]] || finish_failed "$name" "$rc"
    passed+=("$name")
}

# pytest exit 5 means "no tests collected": the suite must not be empty.
run_pytest_step() {
    local name=$1 rc=0
    shift
    header "$name"
    "$@" || rc=$?
    if [[ $rc -eq 5 ]]; then
        printf 'pytest collected no tests; the suite must not be empty\n'
    fi
    [[ $rc -eq 0 ]] || finish_failed "$name" "$rc"
    passed+=("$name")
}

py_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }

# ----------------------------------------------------------------- main venv
run_step "setup" bash scripts/setup.sh test

export VIRTUAL_ENV="$ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
main_version="$(py_version "$VIRTUAL_ENV/bin/python")"

run_step "ruff check ." ruff check .
run_step "mypy" mypy
# setup.sh installed Chromium: the browser tests must run, not skip.
export CHAINRULE_REQUIRE_BROWSER=1
run_pytest_step "pytest (Python $main_version)" python -m pytest "$@"

# sdist_core_tests: build the sdist (scripts/build_sdist.py: setuptools' own
# backend, offline, from a clean copy), unpack it in a temporary folder and run
# its core tests there, importing the unpacked packages: every file the tests
# need must be in the sdist.
sdist_core_tests() {
    local tmp rc=0 sdist tree
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/chainrule-sdist.XXXXXX")"
    sdist="$(python scripts/build_sdist.py "$tmp")" || { rc=$?; rm -rf "$tmp"; return "$rc"; }
    tar -xzf "$sdist" -C "$tmp" || { rc=$?; rm -rf "$tmp"; return "$rc"; }
    tree="${sdist%.tar.gz}"
    echo "unpacked $(basename "$sdist"): $(find "$tree" -type f | wc -l) files"
    (
        cd "$tree"
        export PYTHONPATH="$tree"
        python -c 'import sys, autograd, nn
for m in (autograd, nn):
    assert m.__file__.startswith(sys.argv[1] + "/"), f"{m.__name__} imported from {m.__file__}"
' "$tree" && python -m pytest -m core -q -p no:cacheprovider tests
    ) || rc=$?
    rm -rf "$tmp"
    return "$rc"
}
run_pytest_step "sdist core tests (Python $main_version)" sdist_core_tests

if [[ -f mkdocs.yml ]]; then
    run_step "mkdocs build --strict" mkdocs build --strict
else
    header "mkdocs build --strict: skipped, no mkdocs.yml"
    passed+=("mkdocs (skipped: no mkdocs.yml)")
fi

# A smoke run of the benchmarks (at most 10 s): they must keep working.
run_step "benchmarks --quick" python benchmarks/run.py --quick

# ------------------------------------------------- core tests, other Pythons
unset VIRTUAL_ENV

find_python() {  # find_python 3.X: newest pyenv 3.X.N, else python3.X on PATH
    local v=$1 root cand
    root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
    for cand in $(ls -d "$root"/versions/"$v".*/bin/python 2>/dev/null \
                  | grep -E "/versions/${v//./\\.}\.[0-9]+/bin/python$" | sort -V -r) \
                "$(command -v "python$v" || true)"; do
        [[ -n "$cand" && -x "$cand" ]] || continue
        [[ "$(py_version "$cand")" == "$v" ]] && { echo "$cand"; return 0; }
    done
    return 1
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
        printf '%s\n' "$shown" | tail -n 40
        printf 'pip failed (exit %s); full log: %s\n' "$rc" "$log"
        return "$rc"
    fi
    printf '%s\n' "$shown" | grep -E '^(WARNING|DEPRECATION)' || true
}

# core_venv 3.X PYTHON: create or reuse .venv-py3X with pytest and the package.
core_venv() {
    local v=$1 py=$2 dir=".venv-py${1/./}" hash
    hash="$(cat pyproject.toml scripts/test.sh | sha256sum | cut -d' ' -f1)"
    if [[ -d "$dir" ]] && [[ "$(py_version "$dir/bin/python" || true)" != "$v" ]]; then
        echo "$dir is broken or has another Python; recreating it"
        rm -rf "$dir"
    fi
    if [[ ! -d "$dir" ]]; then
        echo "creating $dir with $py"
        "$py" -m venv "$dir" || return
    fi
    [[ -f "$dir/.gitignore" ]] || printf '*\n' > "$dir/.gitignore"
    if [[ "$(cat "$dir/.chainrule-setup" 2>/dev/null)" == "$hash" ]]; then
        echo "$dir up to date; pip skipped"
        return 0
    fi
    rm -f "$dir/.chainrule-setup"
    echo "installing pytest and the package (--no-deps) into $dir"
    pip_logged "$dir/pip-install.log" "$dir/bin/python" -m pip install --progress-bar off \
        "pytest>=8" || return
    pip_logged "$dir/pip-install.log" "$dir/bin/python" -m pip install --progress-bar off \
        --no-deps -e . || return
    printf '%s' "$hash" > "$dir/.chainrule-setup"
}

core_ran=()
for v in 3.10 3.11 3.12 3.13; do
    if [[ "$v" == "$main_version" ]]; then
        continue  # the full suite above already ran the core tests here
    fi
    if ! py="$(find_python "$v")"; then
        why="not found: no pyenv version $v.* and no python$v on PATH"
        printf '\n==> core tests (Python %s): skipped, %s\n' "$v" "$why"
        skipped+=("Python $v ($why)")
        continue
    fi
    if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        why="$py has no venv/ensurepip module"
        printf '\n==> core tests (Python %s): skipped, %s\n' "$v" "$why"
        skipped+=("Python $v ($why)")
        continue
    fi
    run_step "set up .venv-py${v/./} (Python $v)" core_venv "$v" "$py"
    run_pytest_step "core tests (Python $v)" \
        ".venv-py${v/./}/bin/python" -m pytest -m core -q -p no:cacheprovider tests
    core_ran+=("$v")
done

# ------------------------------------------------------------------ summary
printf '\nPythons: full suite on %s; core tests on %s; skipped: %s\n' \
    "$main_version" "${core_ran[*]:-none}" "$(join "${skipped[@]}")"
printf 'ALL CHECKS PASSED in %ss: %s\n' "$((SECONDS - start))" "$(join "${passed[@]}")"
