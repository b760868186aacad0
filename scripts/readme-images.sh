#!/bin/sh
# Regenerates the images the README shows (docs/images/): viewer screenshots taken in headless Chromium by the
# viewer's browser test (needs /usr/bin/chromium and ../shared/fixtures), and two figures of the tiny demo as PNG.
# Usage: sh scripts/readme-images.sh
set -eu
cd "$(dirname "$0")/.."
dest=docs/images
mkdir -p "$dest"
shots=$(mktemp -d)
demo=$(mktemp -d)
trap 'rm -rf "$shots" "$demo"' EXIT
HYPED_SCREENSHOTS="$shots" pnpm vitest run examples/__tests__/viewer.test.ts
cp "$shots/viewer-czi.png" "$dest/viewer-czi.png"
cp "$shots/viewer-h5ad.png" "$dest/viewer-h5ad.png"
pnpm --silent hyped demo --out "$demo" --scale tiny --workers 1 > /dev/null
cp "$demo/figures/fig2b_tsne_phase.png" "$dest/fig2b_tsne_phase.png"
cp "$demo/figures/table4_denoising.png" "$dest/table4_denoising.png"
ls -l "$dest"
