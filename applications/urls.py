"""URLs of the applications app: ``pages`` under /, ``api`` under /api/v1/."""

from django.urls import path

from applications import api, views

pages: list = [
    path("eligibility/", views.eligibility, name="eligibility"),
    # The applicant
    path("applications/", views.dashboard, name="applications-dashboard"),
    path("applications/profile/", views.profile, name="applicant-profile"),
    path("applications/profile/<slug:kind>/add/", views.profile_add, name="profile-add"),
    path("applications/profile/<slug:kind>/<int:record_id>/remove/", views.profile_remove, name="profile-remove"),
    path("applications/new/", views.application_new, name="application-new"),
    path("applications/new/<int:call_id>/", views.application_start, name="application-start"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
    path("applications/<int:pk>/edit/<slug:step>/", views.application_edit, name="application-edit"),
    path("applications/<int:pk>/achievements/<int:achievement_id>/remove/", views.achievement_remove,
         name="application-achievement-remove"),
    path("applications/<int:pk>/files/<int:attachment_id>/", views.attachment_download, name="application-file"),
    path("applications/<int:pk>/files/<int:attachment_id>/remove/", views.attachment_remove,
         name="application-file-remove"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/resubmit/", views.application_resubmit, name="application-resubmit"),
    path("applications/<int:pk>/form.pdf", views.application_pdf, name="application-pdf"),
    path("applications/<int:pk>/receipts/<int:seq>/", views.application_receipt, name="application-receipt"),
    # Committees' secretaries and bureaus
    path("calls/new/", views.call_open, name="call-open"),
    # Reviewers
    path("applications/<int:pk>/review/", views.application_review, name="application-review"),
    path("enterprises/<int:pk>/applications/", views.hr_applications, name="hr-applications"),
    path("review-queue/", views.review_queue_index, name="review-queue"),
    path("review-queue/acceptance/", views.acceptance_queue, name="acceptance-queue"),
    path("review-queue/audit/", views.audit_queue, name="audit-queue"),
    # Public
    path("publicity/unit/", views.unit_publicity, name="unit-publicity"),
    path("publicity/unit/<int:pk>/object/", views.unit_objection, name="unit-objection"),
]

api_patterns = [
    path("catalogue/series/", api.SeriesListApi.as_view(), name="api-series"),
    path("eligibility/check/", api.EligibilityCheckApi.as_view(), name="api-eligibility-check"),
    path("calls/", api.CallListApi.as_view(), name="api-calls"),
    path("profile/", api.ProfileApi.as_view(), name="api-profile"),
    path("profile/<slug:kind>/", api.ProfileRecordAddApi.as_view(), name="api-profile-add"),
    path("profile/<slug:kind>/<int:record_id>/", api.ProfileRecordRemoveApi.as_view(), name="api-profile-remove"),
    path("applications/", api.ApplicationListCreateApi.as_view(), name="api-applications"),
    path("applications/queue/acceptance/", api.AcceptanceQueueApi.as_view(), name="api-acceptance-queue"),
    path("applications/queue/audit/", api.AuditQueueApi.as_view(), name="api-audit-queue"),
    path("applications/<int:pk>/", api.ApplicationDetailApi.as_view(), name="api-application-detail"),
    path("applications/<int:pk>/achievements/", api.AchievementAddApi.as_view(), name="api-achievement-add"),
    path("applications/<int:pk>/achievements/<int:achievement_id>/", api.AchievementDetailApi.as_view(),
         name="api-achievement-detail"),
    path("applications/<int:pk>/attachments/", api.AttachmentAddApi.as_view(), name="api-attachment-add"),
    path("applications/<int:pk>/attachments/<int:attachment_id>/", api.AttachmentDeleteApi.as_view(),
         name="api-attachment-delete"),
    path("applications/<int:pk>/submit/", api.ApplicationSubmitApi.as_view(), name="api-application-submit"),
    path("applications/<int:pk>/resubmit/", api.ApplicationResubmitApi.as_view(), name="api-application-resubmit"),
    path("applications/<int:pk>/withdraw/", api.ApplicationWithdrawApi.as_view(), name="api-application-withdraw"),
    path("applications/<int:pk>/decide/", api.ApplicationDecideApi.as_view(), name="api-application-decide"),
    path("applications/<int:pk>/timeline/", api.ApplicationTimelineApi.as_view(), name="api-application-timeline"),
    path("applications/<int:pk>/eligibility/", api.ApplicationEligibilityApi.as_view(),
         name="api-application-eligibility"),
    path("applications/<int:pk>/form.pdf", api.ApplicationPdfApi.as_view(), name="api-application-pdf"),
    path("applications/<int:pk>/objections/<int:objection_id>/answer/", api.ObjectionAnswerApi.as_view(),
         name="api-objection-answer"),
    path("enterprises/<int:pk>/applications/", api.EnterpriseApplicationListApi.as_view(),
         name="api-enterprise-applications"),
    path("enterprises/<int:pk>/applications/approve/", api.EnterpriseBulkApproveApi.as_view(),
         name="api-enterprise-bulk-approve"),
    path("publicity/unit/", api.UnitPublicityListApi.as_view(), name="api-unit-publicity"),
    path("publicity/unit/<int:pk>/objections/", api.UnitObjectionCreateApi.as_view(), name="api-unit-objection"),
]
