"""What the tests of titles in the reader's language share (``applications.title_names``)."""

from __future__ import annotations

from portal.models import User

#: The engineering series' intermediate title in the three languages of the catalogue.
CHINESE, ENGLISH, UYGHUR = "工程师", "Engineer", "ئىنژېنېر"


def page(client, user, url: str, language: str) -> str:
    """``url`` as ``user`` reads it in ``language`` (their own language, as after login; anonymous
    when ``user`` is None, by the browser's language)."""
    if user is not None:
        User.objects.filter(pk=user.pk).update(language=language)
        client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert f'lang="{language}"' in html
    return html


def queries_by_language(client, user, url: str, languages=("zh-hans", "ug")) -> list[int]:
    """The queries of a second read of ``url`` by ``user`` in each language (the first warms it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for language in languages:
        page(client, user, url, language)
        with CaptureQueriesContext(connection) as context:
            client.get(url)
        counts.append(len(context.captured_queries))
    return counts
