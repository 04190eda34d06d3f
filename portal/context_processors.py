from django.http import HttpRequest


def shell(request: HttpRequest) -> dict:
    """What the base template shows on every page: the zone badge."""
    ctx = getattr(request, "access", None)
    return {"access_zone": ctx.zone if ctx is not None else None}
