#!/usr/bin/env bash
# One entry point for a fresh machine:
#   ./dev.sh serve   set up .venv and the system tools, write the demo library if medias/ is empty, start the app
#   ./dev.sh test    the same set-up plus the test tools, then run the whole test suite in parallel
#                    (extra args go to pytest; LINKDOCTOR_TEST_WORKERS=N sets the number of processes)
# Both are idempotent: a second run only re-installs what changed.
set -euo pipefail
cd "$(dirname "$0")"

die() { echo "dev.sh: $*" >&2; exit 1; }

need_python() {
    for candidate in python3.11 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            PYTHON=$(command -v "$candidate"); return
        fi
    done
    die "Python 3.11 or newer is required (with venv). On Debian: apt-get install python3 python3-venv"
}

apt_install() {
    # Installs Debian packages when we are root; otherwise says exactly what to run.
    local missing=("$@")
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "dev.sh: installing ${missing[*]} from Debian's packages" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        die "missing ${missing[*]}; install with: sudo apt-get install ${missing[*]}"
    fi
}

system_tools() {
    local wanted=()
    command -v ffprobe >/dev/null 2>&1 || wanted+=(ffmpeg)
    if [ "${1:-}" = test ]; then
        command -v fusermount3 >/dev/null 2>&1 || wanted+=(fuse3)
        # The tests' FUSE filesystem uses mfusepy, which loads libfuse 2 first (what it is tested with).
        ldconfig -p 2>/dev/null | grep -q 'libfuse.so.2 ' || wanted+=(libfuse2)
        command -v chromium >/dev/null 2>&1 || wanted+=(chromium)
        command -v chromedriver >/dev/null 2>&1 || wanted+=(chromium-driver)
        # The reverse-proxy tests put Debian's nginx in front of the real `linkdoctor serve` (HTTPS with openssl's certificate).
        [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || wanted+=(nginx)
        command -v openssl >/dev/null 2>&1 || wanted+=(openssl)
        # The image's tests (tests/test_image.py): podman builds and runs the Dockerfile on a Debian
        # base that debootstrap makes (no registry needed); runc because crun cannot run in every
        # sandbox; uidmap for podman's user namespaces.
        command -v podman >/dev/null 2>&1 || wanted+=(podman)
        command -v buildah >/dev/null 2>&1 || wanted+=(buildah)
        [ -x /usr/sbin/debootstrap ] || command -v debootstrap >/dev/null 2>&1 || wanted+=(debootstrap)
        [ -x /usr/sbin/runc ] || command -v runc >/dev/null 2>&1 || wanted+=(runc)
        command -v newuidmap >/dev/null 2>&1 || wanted+=(uidmap)
    fi
    apt_install "${wanted[@]}"
    command -v ffprobe >/dev/null 2>&1 || die "ffprobe is required: apt-get install ffmpeg"
}

python_env() {
    local requirements=$1 stamp=.venv/.installed-$1
    need_python
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    local digest
    digest=$(cat "$requirements" requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
        .venv/bin/python -m pip install -q --upgrade pip >/dev/null
        .venv/bin/python -m pip install -q -r "$requirements" -e .
        echo "$digest" > "$stamp"
    fi
    # The package's bytecode, as an installed wheel has it: every `linkdoctor` command and worker
    # process would compile it again where PYTHONDONTWRITEBYTECODE is set (up-to-date files are skipped).
    .venv/bin/python -m compileall -q src/linkdoctor >/dev/null
}

case "${1:-}" in
    serve)
        shift
        system_tools serve
        python_env requirements.txt
        media=${LINKDOCTOR_MEDIA_PATH:-./medias}
        if [ -z "$(ls -A "$media" 2>/dev/null | grep -v '^.gitkeep$')" ]; then
            .venv/bin/linkdoctor demo
        fi
        exec .venv/bin/linkdoctor serve "$@"
        ;;
    test)
        shift
        system_tools test
        python_env requirements-test.txt
        # The browser tests' screenshots of every tab (desktop and phone) are kept here after the run.
        export LINKDOCTOR_SCREENSHOTS=${LINKDOCTOR_SCREENSHOTS:-$PWD/test-output/screenshots}
        # In parallel (pytest-xdist): LINKDOCTOR_TEST_WORKERS processes (default: three per core, at most
        # eight more than the cores: a test spends much of its time waiting, on a page's polls, a timeout,
        # a child process; on 2 cores the whole suite took 13:43 with 2 workers, 10:24 with 4 and 8:49 with
        # 6), tests dealt out one by one as workers free up; the few that must share a process are marked
        # with xdist_group (loadgroup). Passing -n (or -p no:xdist) yourself overrides this; -n 0 runs serially.
        cores=$(nproc)
        workers=$((3 * cores < cores + 8 ? 3 * cores : cores + 8))
        parallel=(-n "${LINKDOCTOR_TEST_WORKERS:-$workers}" --dist loadgroup)
        for arg in "$@"; do
            case "$arg" in -n|-n[0-9a]*|--numprocesses|--numprocesses=*|no:xdist) parallel=() ;; esac
        done
        exec .venv/bin/python -m pytest "${parallel[@]}" "$@"
        ;;
    *)
        die "usage: ./dev.sh serve [--host H --port P] | ./dev.sh test [pytest args]"
        ;;
esac
