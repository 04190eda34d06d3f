from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def shell(request: HttpRequest) -> dict:
    """What the base template shows on every page: the zone badge, the user's name, the admin link and the queue
    counts of the approval badges. Each is lazy: a page that does not show it (a list fragment, a file
    download) pays no query for it."""
    ctx = getattr(request, "access", None)
    user = getattr(request, "user", None)
    if ctx is None or user is None or not user.is_authenticated:
        return {"access_zone": ctx.zone if ctx is not None else None}

    def display_name() -> str:
        from personnel import org

        staff = org.staff_for_user(user=user)
        return staff.full_name if staff is not None else user.get_username()

    def admin_link() -> bool:
        from personnel.shell import org_admin_check

        # Django's admin needs is_staff on top of the permission model's answer.
        return user.is_staff and org_admin_check(user, ctx).allowed

    def menu() -> object:
        from portal.navigation import main_menu

        return main_menu(request)

    def queue_counts() -> object:
        from approvals import selectors

        # Two queries after the principal, which the page has usually loaded already; none when the page counted
        # its queue already (approvals/views/queues.py).
        counts = getattr(request, "queue_counts", None) or selectors.queue_counts(user=user, ctx=ctx)
        return counts.as_dict()

    return {
        "access_zone": ctx.zone,
        "portal_user_name": SimpleLazyObject(display_name),
        "show_admin_link": SimpleLazyObject(admin_link),
        "queue_counts": SimpleLazyObject(queue_counts),
        "main_menu": SimpleLazyObject(menu),
    }
