#!/usr/bin/env bash
# Screenshots of the explorer for the README, under a virtual X server (xvfb-run, Debian package xvfb):
#   packaging/screenshots.sh [BUILD_DIR]   -> resources/readme/explorer-*.png
# Uses a throw-away settings folder, so the shots never depend on this user's recent files or window state.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
out="$root/resources/readme"
command -v xvfb-run >/dev/null || { echo "screenshots.sh: needs xvfb-run (apt-get install xvfb)" >&2; exit 1; }
config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT
shoot() {  # NAME ARGS...
  local name="$1"; shift
  XDG_CONFIG_HOME="$config" xvfb-run -a -s "-screen 0 1400x900x24" \
    "$build/bin/dermgan-explorer" --screenshot "$out/explorer-$name.png" "$@"
  echo "wrote $out/explorer-$name.png"
}
shoot start --no-model
shoot generate                                   # the bundled conditional model and its directions
state="$config/mel-mixed.json"                   # a melanoma, style-mixed, moved along pc1
cat > "$state" <<JSON
{"format": "dermgan-explorer-state", "version": 1, "model": "$root/models/ham64-cond.dermgan",
 "model_hash": "", "directions": "", "recipe": {"seed": 3, "class": 4, "psi": 0.8, "noise": "const",
 "edits": [{"name": "pc1", "amount": 1.5, "first_layer": 0, "last_layer": -1}],
 "mix": {"enabled": true, "seed": 12, "first_layer": 6, "last_layer": -1}}}
JSON
shoot edited --state "$state"
shoot gallery --gallery                          # 8 lesions per diagnosis, psi 0.8
# The projection target is synthetic too (a lesion of the unconditional model): no real patient image
# goes into the repository.
"$build/bin/dermgan" generate "$root/models/ham64-uncond.dermgan" --seeds 5 --out "$config/target" >/dev/null
# Its neighbours are synthetic only (no --neighbours dataset), for the same reason.
shoot project --project "$config/target/seed0005.png" --project-class 5
shoot project-on-map --project "$config/target/seed0005.png" --project-class 5 --tab map  # where it falls on the bundled map
# The reader study's "real" images are lesions of the unconditional model too, 15 in a folder per diagnosis
# (the study leaves out real images of diagnoses the conditional model cannot make): the screenshot shows the
# test page as a reader sees it without any patient image.
first=100
for class in akiec bcc bkl df mel nv vasc; do
  "$build/bin/dermgan" generate "$root/models/ham64-uncond.dermgan" --seeds "$first-$((first + 14))" \
    --out "$config/stand-ins/$class" >/dev/null
  first=$((first + 15))
done
shoot reader-study --reader-study "$config/stand-ins" --reader-study-file "$config/study.json"
# Its results page, after a simulated reader answered every image at random: a picture of the page, not a result.
python3 "$root/packaging/simulate_reader.py" "$config/study.json"
shoot reader-study-results --reader-study-session "$config/study.json"
shoot evaluate --evaluate                        # the report written beside the bundled model
shoot map-bundled --tab map                      # the map saved beside the bundled model, shown at start
data="${DERMGAN_SCREENSHOT_DATA:-$root/../shared/data/ham10000}"
if [ -d "$data" ]; then
  shoot map --map "$data"                         # UMAP of 1,000 real test images and 1,000 synthetic ones
  shoot wizard --no-model --wizard "$data"        # the training wizard's dataset page
  shoot train --train "$data" --train-out "$config/run"  # 12 ticks into a 1 kimg run
  shoot wizard-federated --no-model --wizard "$data" --federated   # the setting page, federated chosen
  shoot train-federated --train "$data" --train-out "$config/fed" --federated  # institution 0's ticks
else
  echo "screenshots.sh: no dataset at $data (set DERMGAN_SCREENSHOT_DATA): map and training screenshots skipped" >&2
fi
