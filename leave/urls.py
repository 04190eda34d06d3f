from django.urls import path
from django.views.generic import RedirectView

from leave import views

app_name = "leave"
urlpatterns = [
    path("", views.leave, name="list"),
    # Filing is the engine's generic page (the leave type supplies its fields, balance and check).
    path("new/", RedirectView.as_view(url="/approvals/new/leave/", permanent=True), name="new"),
]
