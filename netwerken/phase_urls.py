"""Included in the app's urls.py under /o/<org>/; the app namespace applies."""

urlpatterns = []
