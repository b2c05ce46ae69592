from smtplib import SMTPException

from celery import shared_task

from . import mail


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
        send_email.delay(email_id)
    return len(ids)
