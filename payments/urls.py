from django.urls import path

from payments import views, views_receipts

app_name = "payments"
urlpatterns = [
    path("", views.home, name="home"),
    path("post/", views.post_payment, name="post"),
    path("close/", views.close, name="close"),
    path("receipts/<str:receipt>/", views_receipts.receipt, name="receipt"),
    path("receipts/<str:receipt>/print/<str:fmt>/", views_receipts.receipt_print, name="receipt_print"),
    path("receipts/<str:receipt>/void/", views.void, name="void"),
    path("receipts/<str:receipt>/void/reject/", views.void_reject, name="void_reject"),
    path("tenders/<int:tender_id>/return/", views_receipts.tender_return_view, name="return"),
    path("returns/<int:item_id>/letter/", views_receipts.nsf_letter, name="nsf_letter"),
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:pk>/report/", views.session_report, name="session_report"),
    path("sessions/<int:pk>/signoff/", views.signoff, name="signoff"),
    path("deposits/", views.deposits, name="deposits"),
    path("deposits/<int:pk>/next/", views.deposit_next, name="deposit_next"),
    path("deposits/<int:pk>/slip/", views.deposit_slip, name="deposit_slip"),
    path("gl-export/", views.gl_export, name="gl_export"),
    path("files/", views.file_import, name="file_import"),
]
