#!/usr/bin/env bash
# Rebuild crates/dlls/<dll>/nt4-exports.txt (NT 4.0 SP6 export catalogues).
#
#   tools/nt4-catalogue/regenerate.sh                 # offline, from extract/
#   tools/nt4-catalogue/regenerate.sh --mirror PATH   # parse a checkout of the
#                                                     # Chappell mirror, check it
#                                                     # against extract/, rebuild
#   tools/nt4-catalogue/regenerate.sh --fetch         # git-clone the mirror first
#
# Any further arguments are DLL keys (advapi32 kernel32 ntdll: from Chappell's
# tables; crtdll gdi32 msvcrt user32 wsock32: from the other extracts, see README.md);
# default is all.  --mirror/--fetch concern only Chappell's mirror; the options
# --mingw-org-wsl PATH and --mingw-w64 PATH of nt4catalogue.py check the other
# extracts against their sources.
# Output is deterministic: the same input always gives byte-identical files.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${PYTHON:-python3}"
repo_url="https://github.com/geoffchappellmirror/geoffchappellmirror.github.io"
commit="cf37877296a10cae31b69cdec2f2bdb45f19cf0e"

mirror=""
case "${1:-}" in
  --mirror)
    mirror="${2:?--mirror needs a path}"; shift 2 ;;
  --fetch)
    shift
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    git clone --quiet --filter=blob:none "$repo_url" "$tmp/mirror"
    if ! git -C "$tmp/mirror" checkout --quiet "$commit" 2>/dev/null; then
      echo "note: commit $commit not found; using the default branch" >&2
    fi
    mirror="$tmp/mirror" ;;
esac

if [ -n "$mirror" ]; then
  exec "$py" "$here/nt4catalogue.py" --mirror "$mirror" --check "$@"
else
  exec "$py" "$here/nt4catalogue.py" "$@"
fi
