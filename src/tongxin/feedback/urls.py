"""The feedback pages: reporting and tracking, the handlers' workbench, the public board and rates."""

from django.urls import path

from .views import board, handling, intake, rates, tracking

app_name = "feedback"

urlpatterns = [
    # Residents: report (web, kiosk), follow by tracking code, give a verdict.
    path("report/", intake.report, name="report"),
    path("report/duplicates/", intake.likely_duplicates, name="duplicates"),
    path("report/done/<str:code>/", intake.reported, name="reported"),
    path("kiosk/<int:organisation_id>/", intake.kiosk_report, name="kiosk_report"),
    path("track/", tracking.lookup, name="track_lookup"),
    path("track/<str:code>/", tracking.track, name="track"),
    path("track/<str:code>/verdict/", tracking.verdict, name="verdict"),
    path("my-cases/", tracking.my_cases, name="my_cases"),
    path("cases/<str:code>/photos/<int:photo_id>/", tracking.photo, name="photo"),
    # Staff: the workbench, entering a case for a resident, working on a case.
    path("cases/", handling.case_list, name="cases"),
    path("cases/new/", intake.enter_case, name="case_new"),
    path("cases/<str:code>/", handling.case_detail, name="case"),
    path("cases/<str:code>/<str:step>/", handling.case_step, name="case_step"),
    path("notifications/", handling.notifications, name="notifications"),
    path("feedback-settings/<int:organisation_id>/", handling.feedback_settings, name="settings"),
    # Everyone: the public board, its kiosk and feed, the three rates.
    path("board/<int:organisation_id>/", board.board, name="board"),
    path("board/<int:organisation_id>/kiosk/", board.board_kiosk, name="board_kiosk"),
    path("board/<int:organisation_id>/feed.atom", board.board_feed, name="board_feed"),
    path("rates/", rates.rates, name="rates"),
    path("rates/<int:organisation_id>/", rates.rates, name="rates_of"),
]
