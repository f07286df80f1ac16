#!/usr/bin/env bash
# System packages the product and its tests need: a TrueType CJK font embedded in the PDF statements,
# poppler-utils (pdftoppm, pdffonts) for the PDF tests, Chromium for the browser tests and faketime for
# the suite's run at another date. Installed with apt when we are root; otherwise the command is printed.
set -euo pipefail

missing=()
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v faketime >/dev/null 2>&1 || missing+=(faketime)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Another apt (an unattended upgrade, a second shell) may hold the dpkg lock: wait for it
  # instead of failing the first command of the quick start.
  lock_wait=(-o DPkg::Lock::Timeout=300)
  apt-get "${lock_wait[@]}" update -qq
  apt-get "${lock_wait[@]}" install -y -qq "${missing[@]}" >/dev/null
else
  echo "missing system packages: ${missing[*]}"
  echo "install them with: sudo apt-get install -y ${missing[*]}"
  echo "(PDF statements need the font; the tests need poppler-utils, chromium and faketime)"
fi
