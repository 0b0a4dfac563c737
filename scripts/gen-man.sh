#!/usr/bin/env bash
# Generates antred.8 and antre.1 from the commands' ArgumentParser definitions, using
# swift-argument-parser's own generate-manual tool (what `swift package generate-manual`
# runs), built once from the resolved checkout: the plugin itself would rebuild every
# product in another configuration first. Falls back to a plain page made from --help
# when the tool cannot be built.
# Usage: BIN=<dir with the built commands> scripts/gen-man.sh OUTDIR [NAME:SECTION...]
#        (default pages: antred:8 antre:1)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: BIN=dir scripts/gen-man.sh OUTDIR [NAME:SECTION...]}
shift
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(antred:8 antre:1)
bin=${BIN:?set BIN to the directory holding the built antred and antre}
swift=${SWIFT:-swift}
tools=.build/antre-gen/tools
parser=.build/checkouts/swift-argument-parser
mkdir -p "$out" "$(dirname "$tools")"

# Reproducible dates: the last commit's, not today's.
date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
[ -n "${SOURCE_DATE_EPOCH:-}" ] && date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)

generator=""
[ -d "$parser" ] || "$swift" package resolve >/dev/null
if "$swift" build --package-path "$parser" --scratch-path "$tools" -c release --product generate-manual >"$tools.log" 2>&1; then
  generator=$("$swift" build --package-path "$parser" --scratch-path "$tools" -c release --show-bin-path)/generate-manual
else
  echo "gen-man: could not build generate-manual (see $tools.log); writing pages from --help" >&2
fi

# A minimal man page from --help, for when generate-manual is unavailable.
from_help() { # name section
  local name=$1 section=$2 upper summary
  upper=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
  summary=$("$bin/$name" --help | sed -n 's/^OVERVIEW: //p' | head -n1)
  {
    printf '.TH %s %s "%s" "Antre" "Antre"\n.SH NAME\n%s \\- %s\n.SH DESCRIPTION\n.nf\n' \
      "$upper" "$section" "$date" "$name" "${summary:-Antre}"
    "$bin/$name" --help | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./'
    printf '.fi\n'
  } >"$out/$name.$section"
}

for spec in "${specs[@]}"; do
  name=${spec%%:*} section=${spec##*:}
  [ -x "$bin/$name" ] || { echo "gen-man: $bin/$name not built" >&2; exit 1; }
  if [ -n "$generator" ] && "$generator" "$bin/$name" --section "$section" --date "$date" \
       --authors "Antre maintainers" --output-directory "$out" 2>"$out/$name.err" \
     && [ -s "$out/$name.$section" ]; then
    rm -f "$out/$name.err"
  else
    [ -n "$generator" ] && { echo "gen-man: generate-manual failed for $name:" >&2; cat "$out/$name.err" >&2 || true; }
    rm -f "$out/$name.err"
    from_help "$name" "$section"
  fi
  echo "gen-man: $out/$name.$section"
done
