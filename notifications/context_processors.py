from notifications import waiting


def waiting_for_user(request):
    """The header's count of what waits for the signed-in user (approvals, low stock)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"waiting": waiting.for_user(user)}
