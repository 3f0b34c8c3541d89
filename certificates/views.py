"""HTML pages of the certificates app: public verification, the holder's
dashboard, the enterprise's view of its employees and the bureau's pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from certificates import selectors, services, signing
from certificates.forms import BulkVerifyForm, ReissueForm, RevokeForm, VerifyFileForm, VerifyForm
from certificates.models import Certificate
from certificates.ratelimit import noindex, rate_limited
from portal.errors import PortalError
from portal.models import Role
from portal.views_helpers import form_error, role_required, run

# --- Public ------------------------------------------------------------------------

@never_cache
@noindex
@rate_limited("verify", methods=("POST",))
def verify(request):
    """By number and holder name (POST, so names stay out of URLs and logs)."""
    form = VerifyForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.certificate_verify_number(number=form.cleaned_data["number"],
                                                        name=form.cleaned_data["name"], verifier=request.user)
        except PortalError as error:
            form_error(form, error)
    return render(request, "certificates/verify.html",
                  {"form": form, "result": result, "view": result.public() if result else None,
                   **_in_language(result)})


@never_cache
@noindex
@rate_limited("verify")
def verify_code(request, code: str):
    """The QR code's target."""
    result = services.certificate_verify_code(code=code, verifier=request.user)
    return render(request, "certificates/verify_code.html",
                  {"result": result, "view": result.public(), **_in_language(result)},
                  status=200 if result.found else 404)


def _in_language(result) -> dict:
    """A verification page in Uyghur or English: the holder's name in Uyghur script on a Uyghur page
    (``holder_name_ug``, masked as public pages mask names), and the title, series and specialty in
    the page's language (``shown``) from the catalogue, the granting body from the names taken at
    issue; the certificate's own (Chinese) names where there are none, and on Chinese pages, which
    read nothing more. The API keeps the Chinese."""
    from django.utils.translation import get_language, get_language_bidi

    from applications.title_names import title_in_language
    from portal.models import name_in_language
    from portal.personal_data import mask_name

    if result is None or result.certificate is None or not (get_language() or "").startswith(("ug", "en")):
        return {"holder_name_ug": "", "shown": {}}
    certificate = result.certificate
    names = selectors.verification_names(certificate_id=certificate.pk)
    shown = {"title": title_in_language(series_id=names.get("series_id"), level=certificate.level,
                                        stored=certificate.title_name, same_name_only=True),
             "series": name_in_language(certificate.series_name, names.get("series__name_en") or "",
                                        names.get("series__name_ug") or ""),
             "specialty": certificate.specialty_name and name_in_language(
                 certificate.specialty_name, names.get("specialty__name_en") or "",
                 names.get("specialty__name_ug") or ""),
             "granting_body": name_in_language(certificate.granting_body_name, names.get("granting_body_name_en") or "",
                                               names.get("granting_body_name_ug") or "")}
    holder_name_ug = (names.get("holder__name_ug") or "") if get_language_bidi() else ""
    return {"holder_name_ug": mask_name(holder_name_ug) if holder_name_ug else "", "shown": shown}


@never_cache
@noindex
@rate_limited("verify_file", methods=("POST",))
def verify_file(request):
    """Anyone drops a PDF: genuine, unaltered, still valid?"""
    result, too_large = None, False
    limit = services.file_upload_limit()
    form = VerifyFileForm()
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit + 64 * 1024:  # refuse before Django reads the body
            too_large = True
        else:
            form = VerifyFileForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                data = upload.read(limit + 1)
                result = services.certificate_verify_file(data=data, verifier=request.user)
    return render(request, "certificates/verify_file.html",
                  {"form": form, "result": result, "view": result.public() if result else None,
                   "too_large": too_large, "limit_mb": max(1, limit // (1024 * 1024))})


def _key_set(algorithms: tuple[str, ...]) -> JsonResponse:
    keys = [signing.jwk_for(key) for key in selectors.published_keys(algorithms=algorithms)]
    response = JsonResponse({"keys": keys}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def jwks(request):
    """The verification keys (active and retired) of the standard algorithms
    (EdDSA), with their periods: a set any JOSE library imports."""
    response = _key_set(signing.STANDARD_ALGORITHMS)
    response["Link"] = f'<{reverse("certificate-jwks-sm2")}>; rel="alternate"; title="SM2 keys"'
    return response


@require_GET
def jwks_sm2(request):
    """The SM2 verification keys, apart: their curve is not registered with
    IANA, and standard libraries refuse a whole key set that holds one."""
    return _key_set(signing.NATIONAL_ALGORITHMS)


# --- Holder --------------------------------------------------------------------------

@login_required
def my_certificates(request):
    page = Paginator(selectors.certificates_for_holder(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "certificates/my_list.html", {"page": page})


@login_required
def my_certificate_detail(request, pk: int):
    certificate = selectors.certificate_for_holder(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "qr-off":
            run(request, services.certificate_qr_set, actor=request.user, certificate_id=pk, enabled=False,
                success=_("Verification by QR code is off. Number and name still verify."))
        elif action == "qr-on":
            run(request, services.certificate_qr_set, actor=request.user, certificate_id=pk, enabled=True,
                success=_("Verification by QR code is on again."))
        elif action == "qr-replace":
            run(request, services.certificate_qr_replace, actor=request.user, certificate_id=pk,
                success=_("The old QR code no longer verifies. Download the new PDF when it is ready."))
        else:
            raise Http404
        return redirect("my-certificate-detail", pk)
    events = Paginator(selectors.verifications_for_certificate(certificate=certificate), 20).get_page(
        request.GET.get("page"))
    return render(request, "certificates/my_detail.html", {"certificate": certificate, "events": events})


def _pdf_response(certificate: Certificate) -> FileResponse:
    if not certificate.pdf:
        raise Http404
    try:
        handle = certificate.pdf.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=f"{certificate.number}.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_certificate_pdf(request, pk: int):
    """The holder downloads a valid certificate only: the signed PDF of a revoked or superseded one carries
    no mark of it, and handing it out again would let it be shown as if it still stood (R6.3). The
    detail page says why and, for a superseded one, links the certificate that replaces it."""
    certificate = selectors.certificate_for_holder(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    if certificate.status != Certificate.Status.VALID:
        messages.error(request, _("This certificate is no longer valid, so its PDF is no longer offered for "
                                  "download."))
        return redirect("my-certificate-detail", certificate.pk)
    return _pdf_response(certificate)


# --- Enterprise (R5.4) ------------------------------------------------------------------

@login_required
def enterprise_certificates(request, pk: int):
    organization = selectors.enterprise_for_hr(user=request.user, pk=pk)
    if organization is None:
        raise Http404
    form = BulkVerifyForm()
    if request.method == "POST":
        form = BulkVerifyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                content, summary = services.certificate_bulk_verify(actor=request.user, organization=organization,
                                                                    upload=form.cleaned_data["file"])
            except PortalError as error:
                form_error(form, error)
            else:
                response = HttpResponse(
                    content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
                response["Content-Disposition"] = f'attachment; filename="verification-{stamp}.xlsx"'
                response["Cache-Control"] = "private, no-store"
                return response
    page = Paginator(selectors.certificates_for_enterprise(organization=organization), 50).get_page(
        request.GET.get("page"))
    return render(request, "certificates/enterprise_list.html",
                  {"organization": organization, "page": page, "form": form})


# --- Bureau ---------------------------------------------------------------------------------

@role_required(Role.BUREAU_OFFICER)
def bureau_certificates(request):
    query = request.GET.get("q", "")[:64]
    status = request.GET.get("status", "")
    page = Paginator(selectors.certificates_for_bureau(user=request.user, query=query, status=status), 50).get_page(
        request.GET.get("page"))
    return render(request, "certificates/bureau_list.html", {
        "page": page, "query": query, "status": status, "statuses": Certificate.Status.choices,
        "extra": urlencode({"q": query, "status": status}) + "&"})


@role_required(Role.BUREAU_OFFICER)
def bureau_certificate_detail(request, pk: int):
    certificate = selectors.certificate_for_bureau(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    revoke_form = RevokeForm(request.POST if action == "revoke" else None)
    reissue_form = ReissueForm(request.POST if action == "reissue" else None, certificate=certificate)
    if action == "revoke" and revoke_form.is_valid():
        d = revoke_form.cleaned_data
        if run(request, services.certificate_revoke, form=revoke_form, actor=request.user, certificate_id=pk,
               reason=d["reason"], reason_category=d["reason_category"],
               success=_("Revoked. Verification shows it revoked from now on.")):
            return redirect("bureau-certificate-detail", pk)
    elif action == "reissue" and reissue_form.is_valid():
        d = reissue_form.cleaned_data
        new = run(request, services.certificate_reissue, form=reissue_form, actor=request.user, certificate_id=pk,
                  reason=d["reason"], title_name=d["title_name"], specialty=d["specialty"], level=d["level"],
                  method=d["method"], granting_body_name=d["granting_body_name"],
                  filing_number=d["filing_number"], approval_number=d["approval_number"],
                  date_granted=d["date_granted"])
        if new:
            messages.success(request, _("Corrected certificate %(number)s issued; %(old)s is superseded.")
                             % {"number": new.number, "old": certificate.number})
            return redirect("bureau-certificate-detail", new.pk)
    elif action not in (None, "revoke", "reissue"):
        raise Http404
    return render(request, "certificates/bureau_detail.html", {
        "certificate": certificate, "revoke_form": revoke_form, "reissue_form": reissue_form,
        "signature_valid": services.signature_checks(certificate)})


@role_required(Role.BUREAU_OFFICER)
def bureau_certificate_pdf(request, pk: int):
    certificate = selectors.certificate_for_bureau(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    return _pdf_response(certificate)


@role_required(Role.BUREAU_OFFICER)
def bureau_batches(request):
    page = Paginator(selectors.batches_for_bureau(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "certificates/batch_list.html", {"page": page})


@role_required(Role.BUREAU_OFFICER)
def bureau_batch_detail(request, pk: int):
    batch = selectors.batch_for_bureau(user=request.user, pk=pk)
    if batch is None:
        raise Http404
    return render(request, "certificates/batch_detail.html", {
        "batch": batch, "progress": selectors.batch_progress(batch=batch),
        "failures": selectors.batch_failures(batch=batch)})


@role_required(Role.BUREAU_OFFICER)
@require_POST
def bureau_batch_retry(request, pk: int):
    batch = selectors.batch_for_bureau(user=request.user, pk=pk)
    if batch is None:
        raise Http404
    count = run(request, services.certificate_batch_retry_failures, actor=request.user, batch_id=pk)
    if count:
        messages.success(request, _("%(n)d failed certificates queued again.") % {"n": count})
    elif count == 0:
        messages.info(request, _("Nothing to retry."))
    return redirect("bureau-batch-detail", pk)

