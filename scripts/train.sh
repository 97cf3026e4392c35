#!/usr/bin/env bash
# Train the Rasa model when its data or configuration changed; seconds otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
inputs=(config.yml domain.yml data/*.yml data/nlu/*.yml requirements/rasa.txt)
want=$(cat "${inputs[@]}" | sha256sum | cut -c1-16)
model=var/models/aftercare.tar.gz
if [ -f "$model" ] && [ -f var/models/.stamp ] && [ "$(cat var/models/.stamp)" = "$want" ]; then
  exit 0
fi
echo "==> Training the Rasa model (about a minute)"
mkdir -p var/models/next
.venv-rasa/bin/rasa train --config config.yml --domain domain.yml --data data/nlu data/*.yml \
  --out var/models/next --fixed-model-name aftercare --quiet
# Replaced in one rename, so a server starting meanwhile reads the old model or the new one, never half.
mv -f var/models/next/aftercare.tar.gz "$model"
echo "$want" > var/models/.stamp
