from django.urls import path

from payroll import views

app_name = "payroll"
urlpatterns = [
    path("", views.home, name="home"),
    path("centre/", views.worklist, name="worklist"),
    path("centre/<int:pk>/check/", views.input_check, name="input_check"),
    path("centre/<int:pk>/return/", views.input_return, name="input_return"),
    path("centre/close/", views.month_close, name="month_close"),
    path("centre/reopen/", views.month_reopen, name="month_reopen"),
    path("interviews/", views.interviews, name="interviews"),
]
