from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def shell(request: HttpRequest) -> dict:
    """What the base template shows on every page: the zone badge, the user's name and the admin link."""
    ctx = getattr(request, "access", None)
    user = getattr(request, "user", None)
    if ctx is None or user is None or not user.is_authenticated:
        return {"access_zone": ctx.zone if ctx is not None else None}

    def display_name() -> str:
        from personnel import selectors

        staff = selectors.staff_for_user(user=user)
        return staff.full_name if staff is not None else user.get_username()

    def admin_link() -> bool:
        from personnel.admin import org_admin_check

        # Django's admin needs is_staff on top of the permission model's answer.
        return user.is_staff and org_admin_check(user, ctx).allowed

    return {
        "access_zone": ctx.zone,
        "portal_user_name": SimpleLazyObject(display_name),
        "show_admin_link": SimpleLazyObject(admin_link),
    }
