#!/usr/bin/env bash
# The system packages the portal needs, for `make run` or for `make test`.
#
#   scripts/system-packages.sh run    what certificates need to render (WeasyPrint):
#                                     Pango, HarfBuzz with subsetting, fontconfig,
#                                     a CJK font, Uyghur fonts (UKIJ from fonts-ukij-uyghur,
#                                     Noto Naskh Arabic from fonts-noto-core), DejaVu (Latin)
#   scripts/system-packages.sh test   the same, and what the tests call: poppler-utils
#                                     (pdftotext, pdftoppm, pdffonts), gettext (msgfmt)
#                                     and Debian's Chromium for the browser tests
#
# Installs what is missing where it can (root with apt-get); otherwise prints
# the exact command. `run` stops (exit 1) when certificates cannot render;
# `test` goes on after the message (the tests that need a missing tool skip
# with that reason), except in CI (CI=true), where a missing tool is an error.
set -u
mode="${1:-run}"
case "$mode" in run | test) ;; *) echo "usage: $0 [run|test]" >&2; exit 2 ;; esac
in_ci() { case "${CI:-}" in "" | 0 | false | no) return 1 ;; *) return 0 ;; esac; }

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk fonts-dejavu-core
          fonts-ukij-uyghur fonts-noto-core)
[ "$mode" = test ] && packages+=(poppler-utils gettext chromium)

missing=()
# ldconfig lives in /sbin, which is not on a normal user's PATH on Debian
ldconfig_bin="$(command -v ldconfig || echo /sbin/ldconfig)"
have_lib() { "$ldconfig_bin" -p 2>/dev/null | grep -q "$1"; }
have_lib libpango-1.0.so || missing+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so || missing+=(libpangoft2-1.0-0)
have_lib libharfbuzz-subset.so || missing+=(libharfbuzz-subset0)
command -v fc-match >/dev/null 2>&1 || missing+=(fontconfig)
fc-list :lang=zh 2>/dev/null | grep -qi "noto" || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "dejavu" || missing+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -qi "UKIJ Tuz Tom" || missing+=(fonts-ukij-uyghur)
fc-list 2>/dev/null | grep -qi "Noto Naskh Arabic" || missing+=(fonts-noto-core)
if [ "$mode" = test ]; then
  { command -v pdftotext && command -v pdftoppm && command -v pdffonts; } >/dev/null 2>&1 || missing+=(poppler-utils)
  command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
  command -v "${CHROMIUM_PATH:-chromium}" >/dev/null 2>&1 || missing+=(chromium)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing system packages ($mode): ${missing[*]}"
  apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    && exit 0
  echo "apt-get could not install: ${missing[*]}" >&2
fi
if [ "$mode" = run ]; then
  echo "Certificates need system packages that are missing: ${missing[*]}" >&2
else
  echo "The tests need system packages that are missing: ${missing[*]}" >&2
fi
if command -v apt-get >/dev/null 2>&1; then
  echo "Install them with:  sudo apt-get install ${missing[*]}" >&2
elif command -v dnf >/dev/null 2>&1; then
  echo "Install them with:  sudo dnf install pango harfbuzz fontconfig google-noto-sans-cjk-fonts dejavu-sans-fonts google-noto-naskh-arabic-fonts poppler-utils gettext chromium" >&2
elif command -v brew >/dev/null 2>&1; then
  echo "Install them with:  brew install pango harfbuzz font-noto-sans-cjk poppler gettext" >&2
else
  echo "Install Pango, HarfBuzz (with libharfbuzz-subset), fontconfig, a CJK font such as Noto CJK, a Uyghur font (UKIJ or Noto Naskh Arabic), poppler-utils, gettext and Chromium." >&2
fi
if [ "$mode" = test ] && ! in_ci; then
  echo "Going on: a test that calls a missing program skips with its reason (in CI it fails)." >&2
  case " ${missing[*]} " in *" lib"* | *" font"*)
    echo "Without Pango, HarfBuzz and the fonts, the certificate PDF tests fail: install those first." >&2 ;;
  esac
  exit 0
fi
exit 1
