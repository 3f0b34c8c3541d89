"""Reference data: the autonomous region and its 14 prefecture-level
divisions with their administrative codes (GB/T 2260)."""

from __future__ import annotations

PROVINCE = ("650000", "新疆维吾尔自治区", "Xinjiang Uygur Autonomous Region")

PREFECTURES = [
    ("650100", "乌鲁木齐市", "Urumqi"),
    ("650200", "克拉玛依市", "Karamay"),
    ("650400", "吐鲁番市", "Turpan"),
    ("650500", "哈密市", "Hami"),
    ("652300", "昌吉回族自治州", "Changji Hui Autonomous Prefecture"),
    ("652700", "博尔塔拉蒙古自治州", "Bortala Mongol Autonomous Prefecture"),
    ("652800", "巴音郭楞蒙古自治州", "Bayingolin Mongol Autonomous Prefecture"),
    ("652900", "阿克苏地区", "Aksu Prefecture"),
    ("653000", "克孜勒苏柯尔克孜自治州", "Kizilsu Kirghiz Autonomous Prefecture"),
    ("653100", "喀什地区", "Kashgar Prefecture"),
    ("653200", "和田地区", "Hotan Prefecture"),
    ("654000", "伊犁哈萨克自治州", "Ili Kazakh Autonomous Prefecture"),
    ("654200", "塔城地区", "Tacheng Prefecture"),
    ("654300", "阿勒泰地区", "Altay Prefecture"),
]

#: The Uyghur names of the region and its prefecture-level divisions (docs/glossary-ug.md), by code.
REGIONS_UG = {
    "650000": "شىنجاڭ ئۇيغۇر ئاپتونوم رايونى",
    "650100": "ئۈرۈمچى شەھىرى",
    "650200": "قاراماي شەھىرى",
    "650400": "تۇرپان شەھىرى",
    "650500": "قۇمۇل شەھىرى",
    "652300": "سانجى خۇيزۇ ئاپتونوم ئوبلاستى",
    "652700": "بۆرتالا موڭغۇل ئاپتونوم ئوبلاستى",
    "652800": "بايىنغولىن موڭغۇل ئاپتونوم ئوبلاستى",
    "652900": "ئاقسۇ ۋىلايىتى",
    "653000": "قىزىلسۇ قىرغىز ئاپتونوم ئوبلاستى",
    "653100": "قەشقەر ۋىلايىتى",
    "653200": "خوتەن ۋىلايىتى",
    "654000": "ئىلى قازاق ئاپتونوم ئوبلاستى",
    "654200": "چۆچەك ۋىلايىتى",
    "654300": "ئالتاي ۋىلايىتى",
}
