"""Public policy information (政策宣传, N §5)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render

from portal import selectors
from portal.models import PolicyArticle


def article_list(request):
    kind = request.GET.get("kind", "")
    if kind not in PolicyArticle.Kind.values:
        kind = ""
    page = Paginator(selectors.published_articles(kind=kind), 20).get_page(request.GET.get("page"))
    return render(request, "portal/policy_list.html", {"page": page, "kind": kind, "kinds": PolicyArticle.Kind.choices})


def article_detail(request, pk: int):
    article = selectors.published_articles().prefetch_related("calls").filter(pk=pk).first()
    if article is None:
        raise Http404
    return render(request, "portal/policy_detail.html", {"article": article})


def article_attachment(request, pk: int):
    article = selectors.published_articles().filter(pk=pk).first()
    if article is None or not article.attachment:
        raise Http404
    try:
        handle = article.attachment.open("rb")
    except FileNotFoundError:
        raise Http404
    # Stored under a random key; the reader's copy is named after the article.
    response = FileResponse(handle, content_type="application/pdf", filename=f"{article.title}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
