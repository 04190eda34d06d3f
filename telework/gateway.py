"""Being written (issue 4)."""

urlpatterns: list = []
