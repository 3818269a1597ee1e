"""The document's Django model, migration and services, exercised on PostgreSQL."""

from io import StringIO

from celery import current_app
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import TestCase

from accounts.models import User
from shop import tasks
from shop.models import Order, OrderLine
from shop.services import place_order, recent_orders


class ShopTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        current_app.conf.task_always_eager = True
        cls.alice = User.objects.create_user("alice")
        cls.bob = User.objects.create_user("bob")

    def setUp(self) -> None:
        tasks.enqueued.clear()

    def test_migrations_match_the_models(self) -> None:
        call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())  # exits 1 on drift

    def test_concurrent_index_exists(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_order_customer_created'")
            [(definition,)] = cursor.fetchall()
        self.assertIn("(customer_id, created_at DESC)", definition)

    def test_place_order_enqueues_after_commit_once(self) -> None:
        order = Order.objects.create(customer=self.alice, reference="R-1", total_cents=1200)
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            placed = place_order(self.alice, order.pk)
        self.assertEqual(placed.status, Order.Status.PLACED)
        self.assertIsNotNone(placed.placed_at)
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(tasks.enqueued, [order.pk])
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            place_order(self.alice, order.pk)  # idempotent
        self.assertEqual(callbacks, [])

    def test_place_order_is_scoped_to_the_customer(self) -> None:
        order = Order.objects.create(customer=self.alice, reference="R-2", total_cents=100)
        with self.assertRaises(Order.DoesNotExist):
            place_order(self.bob, order.pk)

    def test_recent_orders_takes_two_queries(self) -> None:
        for number in range(3):
            order = Order.objects.create(customer=self.alice, reference=f"R-{number}", total_cents=500)
            OrderLine.objects.create(order=order, sku="SKU-1", quantity=1, unit_cents=500)
        with self.assertNumQueries(2):
            rows = [(o.customer.username, [line.sku for line in o.lines.all()]) for o in recent_orders(self.alice)]
        self.assertEqual(rows, [("alice", ["SKU-1"])] * 3)

    def test_constraints_hold_in_the_database(self) -> None:
        Order.objects.create(customer=self.alice, reference="R-9", total_cents=1)
        for values in (
            {"reference": "R-9", "total_cents": 1},  # uq_order_customer_reference
            {"reference": "R-10", "total_cents": 1, "status": Order.Status.PLACED},  # placed needs placed_at
            {"reference": "R-11", "total_cents": -1},  # PositiveBigIntegerField's CHECK
        ):
            with self.subTest(values=values), self.assertRaises(IntegrityError), transaction.atomic():
                Order.objects.create(customer=self.alice, **values)
