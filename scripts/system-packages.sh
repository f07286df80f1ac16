#!/usr/bin/env bash
# System packages the product needs: a TrueType CJK font embedded in the PDF statements,
# poppler-utils (pdftoppm, pdffonts) used by the PDF tests, and faketime for `make test-faketime`. Installed with apt when we are root;
# otherwise the exact command is printed.
set -euo pipefail

missing=()
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "missing system packages: ${missing[*]}"
  echo "install them with: sudo apt-get install -y ${missing[*]}"
  echo "(PDF statements need the font; the PDF tests need poppler-utils; make test-faketime needs faketime)"
fi
