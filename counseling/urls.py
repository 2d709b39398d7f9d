from django.urls import path

from counseling import views, views_programs

app_name = "counseling"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/<str:number>/interview/", views.interview_new, name="interview_new"),
    path("interviews/<int:pk>/", views.interview, name="interview"),
    path("accounts/<str:number>/arrangement/", views.arrangement_new, name="arrangement_new"),
    path("arrangements/<int:pk>/", views.arrangement, name="arrangement"),
    path("arrangements/<int:pk>/agreement.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("arrangements/<int:pk>/cancel/", views.arrangement_cancel_view, name="arrangement_cancel"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/decide/", views.decide, name="decide"),
    path("accounts/<str:number>/pledge/", views.pledge_new, name="pledge_new"),
    path("pledges/<int:pk>/cancel/", views.pledge_cancel_view, name="pledge_cancel"),
    path("accounts/<str:number>/referral/", views.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
    path("accounts/<str:number>/enroll/", views.enroll, name="enroll"),
    path("accounts/<str:number>/programs/", views_programs.programs, name="programs"),
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/<int:pk>/check/", views.agency_check, name="agency_check"),
    path("escalations/", views.escalations, name="escalations"),
    path("letters/", views.letters, name="letters"),
    path("letters/<int:pk>.pdf", views.letter_pdf_view, name="letter_pdf"),
]
