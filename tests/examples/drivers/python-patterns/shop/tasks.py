"""The Celery task shop/services.py enqueues (the document shows the service, not this task)."""

from celery import shared_task

enqueued: list[int] = []


@shared_task
def send_receipt(order_id: int) -> None:
    enqueued.append(order_id)
