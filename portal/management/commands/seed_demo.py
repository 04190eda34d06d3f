"""python manage.py seed_demo [--size N]: the demo city hall (see personnel/demo.py)."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal import demo


class Command(BaseCommand):
    help = (
        f"Build the demo city hall {demo.CITY_NAME} through the org services: units, staff, posts, 兼務, role "
        "groups and delegations (代理). Idempotent: a second run creates nothing. Prints the demo accounts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            type=int,
            default=demo.DEFAULT_SIZE,
            help=f"number of staff (default {demo.DEFAULT_SIZE}; 10000 for benchmarks, about 1,000 units)",
        )

    def handle(self, *args: object, size: int, **options: object) -> None:
        started = time.perf_counter()
        try:
            report = demo.seed(size=size, progress=lambda line: self.stdout.write(f"  {line}"))
        except (ValueError, demo.DemoConflict, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"{demo.CITY_NAME} ({size} staff): {report.total_created} created in {elapsed:.1f} s")
        )
        self.stdout.write(f"\nDemo accounts (password: {demo.DEMO_PASSWORD}; every employee number logs in too):")
        for line in report.accounts:
            self.stdout.write(f"  {line.username:<12} {line.name}  {line.unit} {line.position} — {line.description}")
