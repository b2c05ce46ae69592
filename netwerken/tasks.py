from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task

from . import mail
from .background import enqueue


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=mail.MAX_ATTEMPTS,
)
def send_email(email_id):
    return mail.deliver(email_id)


@shared_task
def send_pending_emails():
    ids = mail.pending_email_ids()
    for email_id in ids:
        enqueue(send_email, email_id)
    return len(ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def refine_location(model_label, pk, organisation_id):
    """Exact coordinates from PDOK for one Resident or Volunteer; the area centre stays if it fails."""
    from django.apps import apps
    from django_scopes import scope

    from . import geo

    model = apps.get_model(model_label)
    with scope(organisation=organisation_id):
        instance = model.objects.filter(pk=pk).first()
        if instance is None:
            return False
        coords = geo.pdok_lookup(instance.postcode, instance.house_number)
        if coords is None:
            # Asked once: the area's centre stays (pdok_lookup logs why).
            model.objects.filter(pk=pk).update(location_requested_at=None)
            return False
        model.objects.filter(pk=pk).update(latitude=coords[0], longitude=coords[1], location_requested_at=None)
        if model_label == "netwerken.Volunteer" and (instance.latitude, instance.longitude) != tuple(coords):
            from .services import volunteer_changed

            volunteer_changed(instance, {"latitude", "longitude"})  # where they help from moved
    return True


# A location asked for this long ago and not refined is taken as lost (its task never ran), and asked again.
LOCATION_PATIENCE = timedelta(minutes=10)


@shared_task
def sweep_locations():
    """Periodic: exact coordinates still pending (the task was lost, or the broker was down) asked for again."""
    from django.conf import settings
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from .models import Resident, Volunteer

    if not getattr(settings, "PDOK_LOCATIESERVER_URL", ""):
        return 0
    queued = 0
    lost = timezone.now() - LOCATION_PATIENCE
    with scopes_disabled():
        for model in (Resident, Volunteer):
            pending = model.objects.filter(location_requested_at__lt=lost, erased_at__isnull=True)
            rows = pending.values_list("pk", "organisation_id")[:500]
            for pk, organisation_id in rows:
                enqueue(refine_location, model._meta.label, pk, organisation_id)
                queued += 1
    return queued


@shared_task
def apply_retention():
    """Erases residents past their organisation's retention period (netwerken/privacy.py), per organisation."""
    from django_scopes import scope, scopes_disabled

    from . import privacy
    from .models import Organisation

    with scopes_disabled():
        organisations = list(Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values_list("pk", flat=True))
    total = 0
    for organisation_id in organisations:
        with scope(organisation=organisation_id):
            total += privacy.resident_retention_run()
    return total


@shared_task
def generate_activity_sessions():
    """Every active activity's sessions up to the horizon, each in its organisation's scope
    (netwerken/activities.py)."""
    from django_scopes import scope, scopes_disabled

    from . import activities
    from .models import Activity

    with scopes_disabled():
        rows = list(
            Activity.objects.filter(status=Activity.Status.ACTIVE)
            .order_by("organisation_id", "pk")
            .values_list("organisation_id", "pk")
        )
    created = 0
    for organisation_id, pk in rows:
        with scope(organisation=organisation_id):
            activity = Activity.objects.filter(pk=pk, status=Activity.Status.ACTIVE).first()
            if activity is not None:
                created += activities.activity_sessions_generate(activity=activity)
    return created
