"""URLs of the certificates app: ``pages`` under /, ``api`` under /api/v1/."""

from django.urls import path

from certificates import api, views

pages: list = [
    path(".well-known/jwks.json", views.jwks, name="certificate-jwks"),
    path(".well-known/jwks-sm2.json", views.jwks_sm2, name="certificate-jwks-sm2"),
    path("verify/", views.verify, name="certificate-verify"),
    path("verify/file/", views.verify_file, name="certificate-verify-file"),
    path("verify/<str:code>/", views.verify_code, name="certificate-verify-code"),
    path("me/certificates/", views.my_certificates, name="my-certificates"),
    path("me/certificates/<int:pk>/", views.my_certificate_detail, name="my-certificate-detail"),
    path("me/certificates/<int:pk>/pdf/", views.my_certificate_pdf, name="my-certificate-pdf"),
    path("enterprises/<int:pk>/certificates/", views.enterprise_certificates, name="enterprise-certificates"),
    path("bureau/certificates/", views.bureau_certificates, name="bureau-certificates"),
    path("bureau/certificates/<int:pk>/", views.bureau_certificate_detail, name="bureau-certificate-detail"),
    path("bureau/certificates/<int:pk>/pdf/", views.bureau_certificate_pdf, name="bureau-certificate-pdf"),
    path("bureau/certificate-batches/", views.bureau_batches, name="bureau-batches"),
    path("bureau/certificate-batches/<int:pk>/", views.bureau_batch_detail, name="bureau-batch-detail"),
    path("bureau/certificate-batches/<int:pk>/retry/", views.bureau_batch_retry, name="bureau-batch-retry"),
]

api_patterns: list = [
    # certificates/verify/ (api-certificate-verify) is the first pattern of portal/urls.py: the hot path.
    path("certificates/verify/file/", api.CertificateFileVerifyApi.as_view(), name="api-certificate-verify-file"),
    path("certificates/mine/", api.MyCertificateListApi.as_view(), name="api-my-certificates"),
    path("certificates/batches/<int:pk>/progress/", api.IssueBatchProgressApi.as_view(),
         name="api-certificate-batch-progress"),
]
