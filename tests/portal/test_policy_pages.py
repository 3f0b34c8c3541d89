"""Policy information (N §5): bureaus publish, anyone reads."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from portal.models import Organization, PolicyArticle


def article(**kw):
    bureau = Organization.objects.filter(kind="hr_bureau").first()
    data = {"kind": "announcement", "title": "关于开展2026年度民营企业职称评审的通知", "body": "正文",
            "publisher": bureau, "published_on": dt.date(2026, 1, 5)}
    data.update(kw)
    return PolicyArticle.objects.create(**data)


def test_published_articles_are_public(client):
    published = article()
    draft = article(title="未发布的草稿", published_on=None)
    future = article(title="明天发布", published_on=dt.date(2999, 1, 1))
    content = client.get(reverse("policy-list")).content.decode()
    assert published.title in content and draft.title not in content and future.title not in content
    assert client.get(reverse("policy-detail", args=[published.pk])).status_code == 200
    assert client.get(reverse("policy-detail", args=[draft.pk])).status_code == 404


def test_filter_by_kind_and_flat_queries(client, django_assert_max_num_queries):
    for i in range(30):
        article(title=f"问答{i}", kind="faq")
    article(title="解读", kind="interpretation")
    with django_assert_max_num_queries(4):
        response = client.get(reverse("policy-list"), {"kind": "faq"})
    content = response.content.decode()
    assert "问答" in content and "解读" not in content
    assert client.get(reverse("policy-list"), {"kind": "nonsense"}).status_code == 200


def test_missing_attachment_is_404(client):
    assert client.get(reverse("policy-attachment", args=[article().pk])).status_code == 404


def test_an_attachment_saved_by_a_reader_is_named_after_its_article_not_its_storage_key(client):
    from urllib.parse import quote

    from django.core.files.base import ContentFile

    published = article()
    published.attachment.save("x.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    assert published.title not in published.attachment.name  # stored under a random key
    response = client.get(reverse("policy-attachment", args=[published.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline") and quote(f"{published.title}.pdf") in disposition
