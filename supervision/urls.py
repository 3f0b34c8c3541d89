"""URLs of the supervision app: ``pages`` under /, ``api_patterns`` under /api/v1/."""

from django.urls import path

from supervision import api, views

pages: list = [
    # Committee oversight (supervisors, HR-bureau officers)
    path("supervision/committees/", views.committee_list, name="supervision-committees"),
    path("supervision/committees/<int:pk>/", views.committee_detail, name="supervision-committee"),
    path("supervision/calls/<int:pk>/", views.call_detail, name="supervision-call"),
    path("supervision/alerts/", views.alert_list, name="supervision-alerts"),
    path("supervision/alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="supervision-alert-acknowledge"),
    path("supervision/duplicates/", views.duplicates, name="supervision-duplicates"),
    path("supervision/duplicates/export/", views.duplicates_export, name="supervision-duplicates-export"),
    # Enterprise view (an enterprise's HR, R5.4)
    path("enterprises/staff-titles/", views.enterprise_home, name="supervision-enterprise-home"),
    path("enterprises/<int:pk>/staff-titles/", views.enterprise_staff, name="supervision-enterprise-staff"),
    path("enterprises/<int:pk>/staff-titles/export/", views.enterprise_staff_export,
         name="supervision-enterprise-staff-export"),
]

api_patterns: list = [
    path("supervision/alerts/", api.AlertListApi.as_view(), name="api-supervision-alerts"),
    path("supervision/alerts/check/", api.AlertCheckApi.as_view(), name="api-supervision-alert-check"),
    path("supervision/alerts/<int:pk>/acknowledge/", api.AlertAcknowledgeApi.as_view(),
         name="api-supervision-alert-acknowledge"),
]
