def demo_accounts(request):
    """The demo accounts, for the login page (installed only with the demo app)."""
    from .seed import DEMO_ACCOUNTS

    return {"DEMO_ACCOUNTS": DEMO_ACCOUNTS}
