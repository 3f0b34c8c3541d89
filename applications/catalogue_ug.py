"""Uyghur names of titles (docs/glossary-ug.md), printed under the Chinese title on bilingual
certificates. The series not listed here print their title in Chinese only until a bureau enters
the Uyghur name (admin: title names)."""

TITLES_UG: dict[str, dict[str, str]] = {
    "engineering": {
        "assistant_junior": "تېخنىك",
        "junior": "ياردەمچى ئىنژېنېر",
        "intermediate": "ئىنژېنېر",
        "deputy_senior": "ئالىي ئىنژېنېر",
        "senior": "تولۇق ئالىي ئىنژېنېر",
    },
    "health": {
        "assistant_junior": "دوختۇرلۇق خادىمى",
        "junior": "دوختۇر",
        "intermediate": "مەسئۇل دوختۇر",
        "deputy_senior": "مۇئاۋىن باش دوختۇر",
        "senior": "باش دوختۇر",
    },
    "agriculture": {
        "assistant_junior": "يېزا ئىگىلىك تېخنىكى",
        "junior": "ياردەمچى ئاگرونوم",
        "intermediate": "ئاگرونوم",
        "deputy_senior": "ئالىي ئاگرونوم",
        "senior": "تولۇق ئالىي ئاگرونوم",
    },
    "economics": {
        "junior": "ياردەمچى ئىقتىسادشۇناس",
        "intermediate": "ئىقتىسادشۇناس",
        "deputy_senior": "ئالىي ئىقتىسادشۇناس",
        "senior": "تولۇق ئالىي ئىقتىسادشۇناس",
    },
    "accounting": {
        "junior": "ياردەمچى بوغالتىر",
        "intermediate": "بوغالتىر",
        "deputy_senior": "ئالىي بوغالتىر",
        "senior": "تولۇق ئالىي بوغالتىر",
    },
}
