from django.urls import path

from personnel import leave_views, views

app_name = "personnel"
urlpatterns = [
    path("me/", views.my_page, name="my_page"),
    path("me/delegations/", views.delegation_create, name="delegation_create"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke, name="delegation_revoke"),
    path("directory/", views.directory, name="directory"),
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("leave/", leave_views.leave, name="leave"),
    path("leave/new/", leave_views.leave_new, name="leave_new"),
]
