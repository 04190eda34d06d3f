from django.urls import path

from approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("delegated/", views.delegated, name="delegated"),
    path("circulated/", views.circulated, name="circulated"),
    path("mine/", views.mine, name="mine"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("documents/<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("slots/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("slots/<int:pk>/<slug:action>/", views.act, name="act"),
    path("bulk-approve/", views.bulk, name="bulk"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
