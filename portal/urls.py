from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from applications import urls as applications_urls
from certificates import api as certificates_api
from certificates import urls as certificates_urls
from integrity import urls as integrity_urls
from portal import api, audit_views, policy_views, views
from portal.forms import LoginForm
from review import urls as review_urls
from stats import urls as stats_urls
from supervision import urls as supervision_urls

# Django's refusals before a view (too many fields, a bad Host, a malformed body): JSON under /api/.
handler400 = views.bad_request

api_v1 = [
    *applications_urls.api_patterns,  # the autosave's first: the busiest (issue 15)
    path("regions/", api.RegionListApi.as_view(), name="api-regions"),
    path("accounts/register/", api.AccountRegisterApi.as_view(), name="api-account-register"),
    path("accounts/register/confirm/", api.AccountRegisterConfirmApi.as_view(), name="api-account-register-confirm"),
    path("accounts/password/reset/", api.PasswordResetApi.as_view(), name="api-password-reset"),
    path("accounts/password/reset/confirm/", api.PasswordResetConfirmApi.as_view(),
         name="api-password-reset-confirm"),
    path("auth/token/", api.ApiTokenObtainApi.as_view(), name="api-token"),
    path("auth/token/revoke/", api.ApiTokenRevokeApi.as_view(), name="api-token-revoke"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("enterprises/", api.EnterpriseListCreateApi.as_view(), name="api-enterprises"),
    path("bureau/enterprises/", api.BureauEnterpriseListApi.as_view(), name="api-bureau-enterprises"),
    path("bureau/enterprises/<int:pk>/approve/", api.EnterpriseApproveApi.as_view(), name="api-enterprise-approve"),
    path("bureau/enterprises/<int:pk>/reject/", api.EnterpriseRejectApi.as_view(), name="api-enterprise-reject"),
    *certificates_urls.api_patterns,
    *review_urls.api_patterns,
    *integrity_urls.api_patterns,
    *supervision_urls.api_patterns,
    *stats_urls.api_patterns,
]

urlpatterns = [
    # The public verification API first: the busiest anonymous endpoint is resolved without
    # walking every other pattern (issue 15).
    path("api/v1/certificates/verify/", certificates_api.CertificateVerifyApi.as_view(),
         name="api-certificate-verify"),
    # Then the rest of the API: Django tries patterns in order, and an autosave walked ~130 page
    # patterns before reaching it (36 us a request; issue 15). No page starts with ``api/v1/``, so
    # the order changes no match (tests/portal/test_url_resolution.py).
    path("api/v1/", include(api_v1)),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("rules/", views.rules_page, name="rules"),
    path("favicon.ico", views.favicon),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/confirm/", views.signup_confirm, name="signup-confirm"),
    path("accounts/password/reset/", views.password_reset, name="password-reset"),
    path("accounts/password/reset/code/", views.password_reset_code, name="password-reset-code"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("me/invitations/", views.my_invitations, name="my-invitations"),
    path("me/settings/", views.my_settings, name="my-settings"),
    path("me/settings/api-tokens/revoke/", views.my_api_tokens_revoke, name="my-api-tokens-revoke"),
    path("me/employment/", views.my_employment, name="my-employment"),
    path("me/notifications/", views.notifications, name="notifications"),
    path("enterprises/register/", views.enterprise_register, name="enterprise-register"),
    path("enterprises/", views.my_enterprises, name="my-enterprises"),
    path("enterprises/<int:pk>/", views.enterprise_console, name="enterprise-console"),
    path("enterprises/<int:pk>/licence/", views.enterprise_licence, name="enterprise-licence"),
    path("enterprises/<int:pk>/invite/", views.enterprise_invite, name="enterprise-invite"),
    path("enterprises/<int:pk>/<slug:action>/<int:object_id>/", views.enterprise_action, name="enterprise-action"),
    path("policy/", policy_views.article_list, name="policy-list"),
    path("policy/<int:pk>/", policy_views.article_detail, name="policy-detail"),
    path("policy/<int:pk>/attachment/", policy_views.article_attachment, name="policy-attachment"),
    path("supervision/audit/", audit_views.audit_list, name="audit-list"),
    path("supervision/audit/export/", audit_views.audit_export, name="audit-export"),
    path("bureau/enterprises/", views.bureau_queue, name="bureau-queue"),
    path("bureau/enterprises/<int:pk>/", views.bureau_enterprise_detail, name="bureau-enterprise-detail"),
    *applications_urls.pages,
    *certificates_urls.pages,
    *review_urls.pages,
    *integrity_urls.pages,
    *supervision_urls.pages,
    *stats_urls.pages,
    # The language switcher also saves a logged-in person's language (before Django's own view).
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "职称申报评审系统 · 后台"
admin.site.site_title = "职称申报评审系统"

