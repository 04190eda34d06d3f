from django.urls import path

from personnel import views

app_name = "personnel"
urlpatterns = [
    path("me/", views.my_page, name="my_page"),
]
