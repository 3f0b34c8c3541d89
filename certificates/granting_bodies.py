"""The granting body's name in English and Uyghur, taken at issue beside the Chinese one.

A certificate prints (and signs) the Chinese name of the body that granted the title
(``granting_body_name``): the evaluation committee, or the HR bureau for direct recognition. Pages
in English or Uyghur show ``granting_body_name_en`` / ``granting_body_name_ug`` instead, which are
snapshots taken here when the certificate is issued (and by the migration that added them, for
certificates issued before), so that renaming a committee later does not change what an issued
certificate says. They are in neither the signed record nor the PDF nor the verify API.

* A **committee** (``portal.Committee``) whose filed Chinese name is the printed one gives its
  ``name_en`` and ``name_ug`` (a committee filed with a bureau of the issuing region first).
* The **HR bureau** of the issuing region, printed under its standard name
  (乌鲁木齐市人力资源和社会保障局, 新疆维吾尔自治区人力资源和社会保障厅), is named from the region's
  English and Uyghur names in the same form (the glossary's ئادەم كۈچى بايلىقى ۋە ئىجتىمائىي كاپالەت
  ئىدارىسى / نازارىتى).
* Anything else (a name typed by an officer that is neither) has none: pages show the Chinese.
"""

from __future__ import annotations

from certificates.rendering import issuer_name

#: The standard names of an HR bureau in English and Uyghur (a prefecture-level division's 局, the
#: autonomous region's 厅), as ``rendering.issuer_name`` gives the Chinese one.
BUREAU_NAMES = {
    "en": ("{region} Human Resources and Social Security Bureau",
           "{region} Department of Human Resources and Social Security"),
    "ug": ("{region} ئادەم كۈچى بايلىقى ۋە ئىجتىمائىي كاپالەت ئىدارىسى",
           "{region} ئادەم كۈچى بايلىقى ۋە ئىجتىمائىي كاپالەت نازارىتى"),
}
MAX_LENGTH = 200


def _fits(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= MAX_LENGTH else ""


def bureau_names(region) -> tuple[str, str]:
    """(English, Uyghur) names of the region's HR bureau; empty where the region has no such name."""
    form = 1 if region.parent_id is None else 0
    return tuple(_fits(BUREAU_NAMES[language][form].format(region=name)) if name else ""
                 for language, name in (("en", region.name_en), ("ug", region.name_ug)))


def names_for(name: str, region, *, committees=None, memo: dict | None = None) -> tuple[str, str]:
    """(English, Uyghur) names of the granting body printed as ``name`` by the bureau of ``region``:
    a committee's, the bureau's own, or ("", ""). At most one query (none for a bureau); ``memo``
    keeps answers across the certificates of one chunk; ``committees`` is the Committee model (a
    migration passes its historical one)."""
    name = (name or "").strip()
    if not name or region is None:
        return "", ""
    if name == issuer_name(region):
        return bureau_names(region)
    key = (name, region.pk)
    if memo is not None and key in memo:
        return memo[key]
    if committees is None:
        from portal.models import Committee

        committees = Committee
    rows = list(committees.objects.filter(name=name).order_by("pk")
                .values_list("filed_by__region_id", "name_en", "name_ug"))
    rows.sort(key=lambda row: row[0] != region.pk)  # a committee of the issuing region first
    found = next(((_fits(en), _fits(ug)) for _region, en, ug in rows if en or ug), ("", ""))
    if memo is not None:
        memo[key] = found
    return found
