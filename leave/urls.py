from django.urls import path

from leave import views

app_name = "leave"
urlpatterns = [
    path("", views.leave, name="list"),
    path("new/", views.leave_new, name="new"),
]
