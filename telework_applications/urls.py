from django.urls import path

from telework_applications import views

app_name = "telework_applications"
urlpatterns = [
    path("", views.applications_page, name="list"),
    path("new/", views.application_new, name="new"),
]
