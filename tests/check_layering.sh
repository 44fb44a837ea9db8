#!/usr/bin/env bash
# The layering rule of core/ (docs/ARCHITECTURE.md): a module includes only modules of lower layers, never
# a sibling of its own layer or one above it, and never Qt. One static library would link either way, so
# this check is what keeps the order. Prints every include that breaks it; exits 1 when there is one.
# usage: tests/check_layering.sh [SOURCE_ROOT]
set -euo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root/core"

# layer of each module: lower numbers are lower layers
declare -A layer=([common]=0 [io]=1 [data]=2 [nets]=2 [model]=3 [train]=4 [metrics]=5 [distributed]=5 [explain]=6)

modules=$(find . -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
status=0
for module in $modules; do
    if [[ -z ${layer[$module]+set} ]]; then
        echo "core/$module: a module without a layer; add it to tests/check_layering.sh and docs/ARCHITECTURE.md"
        status=1
        continue
    fi
done
while IFS=: read -r file line include; do
    from=${file#./}; from=${from%%/*}
    to=$(sed -E 's/^#include "([^/"]+)\/.*/\1/' <<<"$include")
    [[ $to == "$include" || $to == "$from" ]] && continue  # not a module include, or its own module
    if [[ -z ${layer[$to]+set} || -z ${layer[$from]+set} ]]; then
        continue  # not a core module (a build path), or a module without a layer (reported above)
    fi
    if (( layer[$to] >= layer[$from] )); then
        echo "core/${file#./}:$line includes $to/ (layer ${layer[$to]}) from $from/ (layer ${layer[$from]}): only lower layers may be included"
        status=1
    fi
done < <(grep -rn --include='*.h' --include='*.cpp' -E '^#include "[^"]+/' . | sed -E 's/^([^:]+):([0-9]+):/\1:\2:/')
if grep -rn --include='*.h' --include='*.cpp' -E '^#include <Q' . ; then
    echo "core/ includes Qt (above): core stays Qt-free"
    status=1
fi
exit $status
