from django.conf import settings

from accounts import costs, roles


def role(request):
    """Expose the user's role and the can-see flags to every template."""
    user = getattr(request, "user", None)
    current = roles.role_of(user)
    return {
        "user_role": current,
        "user_role_label": current.label if current else "",
        # Templates show the figures listed in accounts.costs only under this flag.
        "can_see_costs": costs.may_see(user),
        "can_enter_data": roles.can_enter_data(user),
        "is_manager": roles.is_manager(user),
        "is_owner": roles.is_owner(user),
        "currency": settings.CURRENCY,
        "plant_locale": settings.PLANT_LOCALE,
    }
