"""URLs of the review app: ``pages`` under /, ``api_patterns`` under /api/v1/."""

from django.urls import path

from review import api, views

pages: list = [
    # Public
    path("publicity/", views.publicity_list, name="review-publicity"),
    path("publicity/<int:entry_pk>/object/", views.objection_form, name="review-objection"),
    # Bureau
    path("review/bureau/committees/", views.committee_registry, name="review-committee-registry"),
    path("review/bureau/committees/new/", views.committee_new, name="review-committee-new"),
    path("review/bureau/committees/<int:pk>/", views.committee_detail, name="review-committee-detail"),
    path("review/bureau/filings/", views.filing_queue, name="review-filing-queue"),
    path("review/bureau/filings/<int:pk>/", views.filing_detail, name="review-filing-detail"),
    path("review/bureau/recognition/", views.recognition_queue, name="review-recognition-queue"),
    path("review/bureau/recognition/<int:pk>/", views.recognition_detail, name="review-recognition-detail"),
    # Committee secretary
    path("review/secretary/", views.secretary_home, name="review-secretary-home"),
    path("review/committees/<int:pk>/experts/", views.expert_pool, name="review-expert-pool"),
    path("review/calls/<int:pk>/", views.call_dashboard, name="review-call-dashboard"),
    path("review/calls/<int:pk>/applications/<int:app_pk>/", views.call_application,
         name="review-call-application"),
    path("review/calls/<int:pk>/defences/", views.defences, name="review-defences"),
    path("review/calls/<int:pk>/meetings/new/", views.meeting_new, name="review-meeting-new"),
    path("review/meetings/<int:pk>/", views.meeting_console, name="review-meeting-console"),
    path("review/publicity/<int:pk>/", views.publicity_manage, name="review-publicity-manage"),
    # Committee members and experts
    path("review/meetings/<int:pk>/vote/", views.meeting_vote, name="review-meeting-vote"),
    path("review/expert/", views.expert_home, name="review-expert-home"),
    path("review/expert/assignments/<int:pk>/", views.expert_assignment, name="review-expert-assignment"),
    path("review/expert/assignments/<int:pk>/autosave/", views.score_autosave, name="review-score-autosave"),
    path("review/expert/assignments/<int:pk>/files/<int:file_pk>/", views.expert_attachment,
         name="review-expert-attachment"),
    # Applicant
    path("review/me/", views.my_reviews, name="review-my-reviews"),
]

api_patterns: list = [
    # Bureau
    path("review/committees/", api.CommitteeListFileApi.as_view(), name="api-review-committees"),
    path("review/committees/<int:pk>/", api.CommitteeDetailApi.as_view(), name="api-review-committee"),
    path("review/committees/<int:pk>/sanctions/", api.CommitteeSanctionApi.as_view(),
         name="api-review-committee-sanction"),
    path("review/committees/<int:pk>/reinstate/", api.CommitteeReinstateApi.as_view(),
         name="api-review-committee-reinstate"),
    path("review/recognition/<int:pk>/decide/", api.RecognitionDecideApi.as_view(),
         name="api-review-recognition-decide"),
    path("review/publicity/<int:pk>/file/", api.ResultFileApi.as_view(), name="api-review-result-file"),
    # Secretary
    path("review/committees/<int:pk>/experts/", api.ExpertListAddApi.as_view(), name="api-review-experts"),
    path("review/committees/<int:pk>/experts/import/", api.ExpertImportApi.as_view(),
         name="api-review-experts-import"),
    path("review/calls/<int:pk>/dashboard/", api.CallDashboardApi.as_view(), name="api-review-call-dashboard"),
    path("review/calls/<int:pk>/start/", api.EvaluationStartApi.as_view(), name="api-review-evaluation-start"),
    path("review/calls/<int:pk>/assignments/draw/", api.AssignmentDrawApi.as_view(),
         name="api-review-assignment-draw"),
    path("review/assignments/<int:pk>/redraw/", api.AssignmentRedrawApi.as_view(),
         name="api-review-assignment-redraw"),
    path("review/calls/<int:pk>/defences/", api.DefenceSessionCreateApi.as_view(), name="api-review-defences"),
    path("review/defences/<int:pk>/slots/", api.DefenceSlotAddApi.as_view(), name="api-review-defence-slots"),
    path("review/defence-slots/<int:pk>/result/", api.DefenceResultApi.as_view(), name="api-review-defence-result"),
    path("review/calls/<int:pk>/readiness/", api.VoteReadinessApi.as_view(), name="api-review-readiness"),
    path("review/calls/<int:pk>/meetings/", api.MeetingCreateApi.as_view(), name="api-review-meetings"),
    path("review/meetings/<int:pk>/", api.MeetingDetailApi.as_view(), name="api-review-meeting"),
    path("review/meetings/<int:pk>/attendance/", api.MeetingAttendanceApi.as_view(),
         name="api-review-meeting-attendance"),
    path("review/meetings/<int:pk>/open/", api.MeetingOpenApi.as_view(), name="api-review-meeting-open"),
    path("review/meetings/<int:pk>/notice/", api.MeetingNoticeApi.as_view(), name="api-review-meeting-notice"),
    path("review/meetings/<int:pk>/ballots/", api.BallotCastApi.as_view(), name="api-review-ballot"),
    path("review/meetings/<int:pk>/close-ballot/", api.MeetingBallotCloseApi.as_view(),
         name="api-review-meeting-close-ballot"),
    path("review/meetings/<int:pk>/resolve-excess/", api.MeetingResolveExcessApi.as_view(),
         name="api-review-meeting-resolve"),
    path("review/meetings/<int:pk>/close/", api.MeetingCloseApi.as_view(), name="api-review-meeting-close"),
    path("review/calls/<int:pk>/publicity/", api.ResultPubliciseApi.as_view(), name="api-review-publicise"),
    path("review/objections/<int:pk>/answer/", api.ObjectionAnswerApi.as_view(), name="api-review-objection-answer"),
    path("review/reconsiderations/<int:pk>/decide/", api.ReconsiderationDecideApi.as_view(),
         name="api-review-reconsideration-decide"),
    # Experts
    path("review/expert/assignments/", api.MyAssignmentListApi.as_view(), name="api-review-my-assignments"),
    path("review/expert/assignments/<int:pk>/conflict/", api.ConflictDeclareApi.as_view(),
         name="api-review-conflict"),
    path("review/expert/assignments/<int:pk>/score/", api.ScoreApi.as_view(), name="api-review-score"),
    path("review/expert/assignments/<int:pk>/score/submit/", api.ScoreSubmitApi.as_view(),
         name="api-review-score-submit"),
    # Applicant
    path("review/me/", api.MyReviewApi.as_view(), name="api-review-mine"),
    path("review/applications/<int:pk>/reconsideration/", api.ReconsiderationRequestApi.as_view(),
         name="api-review-reconsideration"),
    # Public
    path("publicity/", api.PublicityListApi.as_view(), name="api-publicity"),
    path("publicity/<int:pk>/objections/", api.ObjectionCreateApi.as_view(), name="api-publicity-objection"),
]
