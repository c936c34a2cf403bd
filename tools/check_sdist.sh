#!/usr/bin/env bash
# Build the sdist, check what it holds, install it into a fresh venv on this
# (non-Windows) machine and run the portable tests against that install.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOSTPY=${HOSTPY:-python3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$HOSTPY" -m pip install -q --disable-pip-version-check build
"$HOSTPY" -m build --sdist --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
sdist=$(ls "$WORK"/dist/mprapi_cffi-*.tar.gz)
listing=$(tar tzf "$sdist")
for needed in build_mprapi.py setup.py pyproject.toml LICENSE README.md CHANGELOG.md \
        mprapi_cffi/__init__.py mprapi_cffi/py.typed mprapi_cffi/_mprapi.pyi mprapi_cffi/exporter/__init__.py \
        mprapi_cffi/admin.py mprapi_cffi/ras.py docs/remote-access.md \
        tests/router/router.c tests/router/admin.c tests/router/router.def tests/conftest.py tests/mib_bytes.py \
        tools/test_wheel.py tools/build_router.py tools/lanelib.py tools/winlane.py; do
    grep -q "/$needed\$" <<<"$listing" || { echo "sdist lacks $needed" >&2; exit 1; }
done
if grep -E '\.(pyd|dll|so|o|exe|pyc)$|/\.winlane/' <<<"$listing"; then
    echo "sdist holds generated files (above)" >&2; exit 1
fi

"$HOSTPY" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check "$sdist" pytest >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log" >&2; exit 1; }
# The sdist's own tests, run from outside its tree so the import finds the install.
mkdir "$WORK/src" && tar xzf "$sdist" -C "$WORK/src"
cp -r "$WORK"/src/mprapi_cffi-*/tests "$WORK/tests"
(cd "$WORK" && "$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider tests >"$WORK/pytest.log" 2>&1) \
    || { cat "$WORK/pytest.log" >&2; exit 1; }
tail -n1 "$WORK/pytest.log"
echo "sdist: $(basename "$sdist"), $(wc -l <<<"$listing") files, pure-Python install passes"
