from django.urls import path

from approvals.views import documents, filing, notifications, queues, search

app_name = "approvals"
urlpatterns = [
    path("", queues.inbox, name="inbox"),
    path("delegated/", queues.delegated, name="delegated"),
    path("circulated/", queues.circulated, name="circulated"),
    path("mine/", queues.mine, name="mine"),
    path("bulk-approve/", queues.bulk, name="bulk"),
    path("search/", search.search, name="search"),
    path("done/", queues.done, name="done"),
    path("waiting/", queues.bcp, name="bcp"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("notifications/mail/", notifications.mail_setting, name="mail_setting"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification_open"),
    path("new/", filing.choose, name="choose"),
    path("new/<slug:code>/", filing.file, name="new"),
    path("new/<slug:code>/route/", filing.route, name="route"),
    path("people/", filing.people, name="people"),
    path("types/<slug:code>/", filing.type_list, name="type_list"),
    path("documents/<int:pk>/", documents.document, name="document"),
    path("documents/<int:pk>/print/", documents.print_view, name="print"),
    path("documents/<int:pk>/pdf/", documents.pdf, name="pdf"),
    path("documents/<int:pk>/withdraw/", documents.withdraw, name="withdraw"),
    path("documents/<int:pk>/resubmit/", documents.resubmit, name="resubmit"),
    path("documents/<int:pk>/revise/", filing.revise, name="revise"),
    path("documents/<int:pk>/cancel/", documents.cancel, name="cancel"),
    path("slots/<int:pk>/reassign/", documents.reassign, name="reassign"),
    path("slots/<int:pk>/<slug:action>/", documents.act, name="act"),
    path("attachments/<int:pk>/", documents.attachment, name="attachment"),
]
