from django.urls import path
from django.views.generic import RedirectView

app_name = "telework_applications"
# Filing and the list are the engine's generic pages; the addresses telework applications had keep working.
urlpatterns = [
    path("", RedirectView.as_view(url="/approvals/types/telework/", permanent=True), name="list"),
    path("new/", RedirectView.as_view(url="/approvals/new/telework/", permanent=True), name="new"),
]
