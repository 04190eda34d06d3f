from django.urls import path

from personnel import export_views, views

app_name = "personnel"
urlpatterns = [
    path("me/", views.my_page, name="my_page"),
    path("me/delegations/", views.delegation_create, name="delegation_create"),
    path("me/absence/", views.absence_mark, name="absence_mark"),
    path("me/absence/clear/", views.absence_clear, name="absence_clear"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke, name="delegation_revoke"),
    path("directory/", views.directory, name="directory"),
    path("team/", views.team_calendar, name="team_calendar"),
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("exports/", export_views.export_list, name="exports"),
    path("exports/start/", export_views.export_start, name="export_start"),
    path("exports/<int:pk>/", export_views.export_page, name="export"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
]
