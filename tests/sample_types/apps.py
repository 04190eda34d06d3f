from django.apps import AppConfig


class SampleTypesConfig(AppConfig):
    name = "tests.sample_types"
    label = "sample_types"
    verbose_name = "Test-only document types"

    def ready(self) -> None:
        from approvals import doctypes
        from tests.sample_types.doctypes import MemoType, PurchaseType

        doctypes.register(MemoType())
        doctypes.register(PurchaseType())
