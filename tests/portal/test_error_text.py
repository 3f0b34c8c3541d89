"""What a page shows of a service's refusal (``PortalError.as_text``): the words in the reader's
language and the rule they come from, named once."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.errors import InvalidInput, RuleViolation


def test_rule_named_once_when_the_message_cites_it():
    error = RuleViolation(_("Apply through your employer once it has confirmed your employment (R1.1)."),
                          rule="R1.1")
    with translation.override("zh-hans"):
        text = error.as_text()
    assert text.count("R1.1") == 1 and "[" not in text and text.startswith("请")


def test_rule_appended_in_the_readers_punctuation_when_the_message_does_not_cite_it():
    error = RuleViolation(_("No acceptance body serves this region and series."), rule="R1.4")
    with translation.override("zh-hans"):
        assert error.as_text().endswith("（R1.4）") and error.as_text().count("R1.4") == 1
    with translation.override("en"):
        assert error.as_text() == "No acceptance body serves this region and series. (R1.4)"
    with translation.override("ug"):
        assert error.as_text().count("R1.4") == 1 and "No acceptance" not in error.as_text()


def test_message_without_rule_is_the_message():
    with translation.override("zh-hans"):
        assert InvalidInput(_("Not found.")).as_text() == str(_("Not found."))
