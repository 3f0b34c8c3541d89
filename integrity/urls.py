"""URLs of the integrity app: ``pages`` under /, ``api_patterns`` under /api/v1/."""

from django.urls import path

from integrity import api, views

pages: list = [
    # Public
    path("integrity/report/", views.report_form, name="integrity-report"),
    path("integrity/status/", views.report_status, name="integrity-report-status"),
    # The person concerned
    path("integrity/me/", views.my_records, name="integrity-my-records"),
    # Supervisors (bureau officers read cases of their region)
    path("integrity/reports/", views.report_list, name="integrity-report-list"),
    path("integrity/reports/<int:pk>/", views.report_detail, name="integrity-report-detail"),
    path("integrity/cases/", views.case_list, name="integrity-case-list"),
    path("integrity/cases/<int:pk>/", views.case_detail, name="integrity-case-detail"),
    path("integrity/evidence/<int:pk>/", views.evidence_download, name="integrity-evidence"),
]

api_patterns: list = [
    path("integrity/reports/", api.FraudReportCreateApi.as_view(), name="api-integrity-report"),
    path("integrity/reports/status/<str:reference>/", api.FraudReportStatusApi.as_view(),
         name="api-integrity-report-status"),
    path("integrity/cases/", api.FraudCaseListApi.as_view(), name="api-integrity-cases"),
    path("integrity/cases/<int:pk>/", api.FraudCaseDetailApi.as_view(), name="api-integrity-case"),
    path("integrity/cases/<int:pk>/decide/", api.FraudCaseDecideApi.as_view(), name="api-integrity-case-decide"),
]
