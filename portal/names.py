"""People's names, one way everywhere.

Uyghur, Kazakh and other names written in Chinese characters separate their parts with a middle
dot: 买买提·艾力. People type it in many forms — · U+00B7, • U+2022, ・ U+30FB, ． U+FF0E, ‧ U+2027,
･ U+FF65, ⋅ U+22C5, ∙ U+2219, ⸱ U+2E31, ꞏ U+A78F, ᐧ U+1427, the ideographic full stop 。 of a Chinese
keyboard, . and spaces — and all of them are one name: for signing up and
logging in, for searching, for duplicate checks (R6.4), and for public verification of a
certificate.

* :func:`name_clean` is how a name is stored and shown: NFC, trimmed, each separator (and any
  spaces around it) one ``·`` U+00B7, the form of the national standard for transliterated names
  (GB/T 15834); spaces between Latin-script words stay spaces.
* :func:`name_key` is how names are compared and looked up: width and case folded, every
  separator and space removed. ``User.name_key`` holds it, indexed, for searches.
"""

from __future__ import annotations

import re
import unicodedata

#: Every character people use as the dot of a transliterated name.
DOTS = "·•・．‧･⋅∙.\u0387\u2027\u30fb\u00b7\u2e31\u2e33\ua78f\u1427\u16eb\u318d\u3002\uff61"
#: The dots added on 2026-12-05 (names stored before then are cleaned again by migration 0022).
DOTS_ADDED_2026_12 = "\u2e31\u2e33\ua78f\u1427\u16eb\u318d\u3002\uff61"
#: Dots and spaces (of any width): what separates the parts of a name.
SEPARATORS = frozenset(DOTS + " \u3000\u00a0\t")
_DOT_RUN = re.compile(r"\s*[" + re.escape(DOTS) + r"]+\s*")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                    "\u2066\u2067\u2068\u2069"))
_HAN = r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
_HAN_SPACE_HAN = re.compile(rf"(?<={_HAN})\s+(?={_HAN})")


def name_clean(name: str | None) -> str:
    """A name as stored and shown: 买买提•艾力, 买买提．艾力, 买买提 . 艾力 → 买买提·艾力.
    A space between Chinese characters in a name of more than one part becomes the dot too
    (买买提 艾力 → 买买提·艾力); a space inside a plain Chinese name (张 三) is dropped."""
    # Invisible characters are kept: a name carrying one is refused where it must print (certificates).
    text = " ".join(unicodedata.normalize("NFC", name or "").replace("\u3000", " ").split())
    text = _DOT_RUN.sub("·", text).strip("·").strip()
    if re.search(_HAN, text) and _HAN_SPACE_HAN.search(text):
        parts = _HAN_SPACE_HAN.split(text)
        # 张 三 is one Chinese name typed with a space; 买买提 艾力 is two parts of a transliterated one.
        joiner = "·" if "·" in text or any(len(part) > 2 for part in parts) else ""
        text = _HAN_SPACE_HAN.sub(joiner, text)
    return text


def name_key(name: str | None) -> str:
    """The comparison key: NFKC (full width → half width), case folded, separators and spaces
    removed. Two spellings of one name have the same key."""
    text = unicodedata.normalize("NFKC", (name or "").translate(_INVISIBLE))
    return "".join(c for c in text if c not in SEPARATORS and not c.isspace()).casefold()


def same_name(a: str | None, b: str | None) -> bool:
    return bool(name_key(a)) and name_key(a) == name_key(b)
