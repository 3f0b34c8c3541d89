#!/usr/bin/env bash
# The system packages WeasyPrint needs to render Chinese certificates:
# Pango, HarfBuzz with subsetting, a CJK font, and Uyghur fonts (UKIJ from fonts-ukij-uyghur,
# Noto Naskh Arabic from fonts-noto-core; DejaVu as the last fallback).
# Installs them where it can (root with apt-get); otherwise stops and prints
# the exact command.
set -u
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core fonts-ukij-uyghur
          fonts-noto-core)
missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libpango-1.0.so || missing+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so || missing+=(libpangoft2-1.0-0)
have_lib libharfbuzz-subset.so || missing+=(libharfbuzz-subset0)
fc-list :lang=zh 2>/dev/null | grep -qi "noto" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "dejavu" || missing+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -qi "UKIJ Tuz Tom" || missing+=(fonts-ukij-uyghur)
fc-list 2>/dev/null | grep -qi "Noto Naskh Arabic" || missing+=(fonts-noto-core)
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing system packages for PDF certificates: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null && exit 0
fi
echo "Certificates need system packages that are missing: ${missing[*]}" >&2
if command -v apt-get >/dev/null 2>&1; then
  echo "Install them with:  sudo apt-get install ${packages[*]}" >&2
elif command -v dnf >/dev/null 2>&1; then
  echo "Install them with:  sudo dnf install pango harfbuzz google-noto-sans-cjk-fonts dejavu-sans-fonts google-noto-naskh-arabic-fonts" >&2
elif command -v brew >/dev/null 2>&1; then
  echo "Install them with:  brew install pango harfbuzz font-noto-sans-cjk" >&2
else
  echo "Install Pango, HarfBuzz (with libharfbuzz-subset) and a CJK font such as Noto CJK." >&2
fi
exit 1
