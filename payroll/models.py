"""The 総務ワークステーション's payroll inputs (給与の届出・申請) and the rules they are computed by.

Rules are data, effective-dated: the row in force on a day is the latest whose `effective_from` is on or before
it (payroll/rates.py). Every input stores what it computed (categories, amounts) in real columns, with the rule it
used, so a later revision never alters an input already filed or decided.

Each input is a document of the approval engine (payroll/doctypes.py), with its detail row here, and a
`PayrollInput` row beside it for the 庶務センター's central processing (checked, or returned to the applicant) and
the month it is paid in; `PayrollMonth` is that month's close (締め), after which its inputs are frozen.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from personnel.models import OrgUnit, Staff

# Document type codes (Document.doc_type).
OVERTIME_ORDER = "ot_order"
OVERTIME_REPORT = "ot_report"
COMMUTING = "commuting"
HOUSING = "housing"
DEPENDANTS = "dependants"
ADDRESS = "address"
BANK = "bank"


def _minutes(name: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(name, default=0)


class CategoryMinutes(models.Model):
    """Overtime minutes by category (payroll.rules.CATEGORIES: `<category>_minutes`), as real columns: of one
    report, and of one staff member's month."""

    day_minutes = _minutes(_("125/100 minutes"))
    rest_minutes = _minutes(_("135/100 minutes"))
    night_minutes = _minutes(_("150/100 night minutes"))
    rest_night_minutes = _minutes(_("160/100 minutes"))
    over60_minutes = _minutes(_("beyond 60 h 150/100 minutes"))
    over60_night_minutes = _minutes(_("beyond 60 h 175/100 minutes"))

    class Meta:
        abstract = True


# --------------------------------------------------------------------------------------------------------
# Rules (data, effective-dated, edited by 人事担当 through payroll.services.rule_save)
# --------------------------------------------------------------------------------------------------------


class YenRounding(models.TextChoices):
    HALF_UP = "half_up", _("50 sen and more up, less down (四捨五入)")
    DOWN = "down", _("Down (切捨て)")
    UP = "up", _("Up (切上げ)")


class OvertimeRule(models.Model):
    """時間外勤務手当の規則: rates, night hours, the 60-hour line, rounding, caps and the hours of the year."""

    effective_from = models.DateField(_("in force from"), unique=True)
    rate_day = models.PositiveSmallIntegerField(_("working day (/100)"), default=125)
    rate_rest_day = models.PositiveSmallIntegerField(_("rest day or holiday (/100)"), default=135)
    rate_night = models.PositiveSmallIntegerField(_("working-day night (/100)"), default=150)
    rate_rest_night = models.PositiveSmallIntegerField(_("rest-day night (/100)"), default=160)
    rate_over60 = models.PositiveSmallIntegerField(_("beyond 60 hours (/100)"), default=150)
    rate_over60_night = models.PositiveSmallIntegerField(_("beyond 60 hours at night (/100)"), default=175)
    night_from = models.TimeField(_("night from"), default=time(22, 0))
    night_until = models.TimeField(_("night until"), default=time(5, 0))
    over60_minutes = models.PositiveIntegerField(_("higher rate beyond (minutes a month)"), default=60 * 60)
    rounding_minutes = models.PositiveSmallIntegerField(
        _("monthly rounding: minutes that count as an hour"), default=30
    )
    monthly_cap = models.PositiveIntegerField(_("monthly cap (minutes)"), default=45 * 60)
    yearly_cap = models.PositiveIntegerField(_("yearly cap (minutes)"), default=360 * 60)
    designated_monthly_cap = models.PositiveIntegerField(_("他律部署 monthly cap (minutes)"), default=100 * 60)
    designated_yearly_cap = models.PositiveIntegerField(_("他律部署 yearly cap (minutes)"), default=720 * 60)
    designated_average = models.PositiveIntegerField(_("他律部署 2–6 month average (minutes)"), default=80 * 60)
    average_months = models.PositiveSmallIntegerField(_("months of the average (up to)"), default=6)
    designated_months_over = models.PositiveSmallIntegerField(
        _("他律部署: months over the monthly cap allowed a year"), default=6
    )
    warn_percent = models.PositiveSmallIntegerField(_("warn from (percent of a cap)"), default=80)
    interview_minutes = models.PositiveIntegerField(
        _("doctor's interview (面接指導) from (minutes a month)"), default=100 * 60
    )
    weekly_minutes = models.PositiveIntegerField(_("working minutes a week"), default=38 * 60 + 45)
    daily_minutes = models.PositiveIntegerField(_("working minutes a day"), default=7 * 60 + 45)
    yen_rounding = models.CharField(
        _("hourly amount rounding"), max_length=10, choices=YenRounding.choices, default=YenRounding.HALF_UP
    )
    allow_unordered = models.BooleanField(
        _("reports without an order allowed (事後)"),
        default=False,
        help_text=_("When set, overtime may be reported without an order; the 課長 sees it marked 事後."),
    )
    note = models.CharField(_("basis (条例・規則)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("overtime rule")
        verbose_name_plural = _("overtime rules")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m-%d}〜"


class HousingRule(models.Model):
    """住居手当: the rent over `threshold` is paid, in full up to `step`, half above, at most `cap`."""

    effective_from = models.DateField(_("in force from"), unique=True)
    threshold = models.PositiveIntegerField(_("rent paid above (yen)"), default=16_000)
    step = models.PositiveIntegerField(_("full up to (yen)"), default=27_000)
    round_unit = models.PositiveIntegerField(_("half part rounded down to (yen)"), default=100)
    cap = models.PositiveIntegerField(_("at most (yen)"), default=28_000)
    note = models.CharField(_("basis (条例・規則)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("housing allowance rule")
        verbose_name_plural = _("housing allowance rules")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__gte=F("threshold")),
                name="housingrule_ordered",
                violation_error_message=_("The rent paid in full up to (step) cannot be below the rent paid above."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m-%d}〜"


class CommutingRule(models.Model):
    """通勤手当: paid from `min_km` one way; transit up to `transit_cap` a month; car by distance band."""

    effective_from = models.DateField(_("in force from"), unique=True)
    min_km = models.DecimalField(_("paid from (km one way)"), max_digits=5, decimal_places=1, default=Decimal(2))
    transit_cap = models.PositiveIntegerField(_("transit at most (yen a month)"), default=150_000)
    parking_cap = models.PositiveIntegerField(_("parking at most (yen a month)"), default=5_000)
    total_cap = models.PositiveIntegerField(_("in all at most (yen a month)"), default=150_000)
    note = models.CharField(_("basis (条例・規則)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("commuting allowance rule")
        verbose_name_plural = _("commuting allowance rules")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m-%d}〜"


class CommutingBand(models.Model):
    """One line of the car and bicycle table: from this one-way distance, this much a month."""

    rule = models.ForeignKey(CommutingRule, on_delete=models.CASCADE, related_name="bands")
    from_km = models.DecimalField(_("from (km one way)"), max_digits=5, decimal_places=1)
    monthly = models.PositiveIntegerField(_("yen a month"))

    class Meta:
        verbose_name = _("distance band")
        verbose_name_plural = _("distance bands")
        ordering = ["rule", "from_km"]
        constraints = [models.UniqueConstraint(fields=["rule", "from_km"], name="commutingband_unique")]

    def __str__(self) -> str:
        return f"{self.from_km} km: {self.monthly}"


class DependantCategory(models.TextChoices):
    SPOUSE = "spouse", _("Spouse (配偶者)")
    CHILD = "child", _("Child (子)")
    CHILD_16_22 = "child_16_22", _("Addition for a child aged 16–22 (特定期間加算)")
    OTHER = "other", _("Parent or other (父母等)")


class DependantRate(models.Model):
    """扶養手当: the monthly amount of one category from a day (the staged national reform is one row a year)."""

    category = models.CharField(_("category"), max_length=20, choices=DependantCategory.choices)
    effective_from = models.DateField(_("in force from"))
    monthly = models.PositiveIntegerField(_("yen a month"))
    note = models.CharField(_("basis (条例・規則)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dependant allowance rate")
        verbose_name_plural = _("dependant allowance rates")
        ordering = ["category", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["category", "effective_from"], name="dependantrate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.effective_from:%Y-%m-%d}〜 {self.monthly}"


class DesignatedUnit(models.Model):
    """他律部署 for one fiscal year: the unit and the units below it have the higher caps."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))

    class Meta:
        verbose_name = _("他律部署")
        verbose_name_plural = _("他律部署")
        constraints = [models.UniqueConstraint(fields=["unit", "fiscal_year"], name="designatedunit_unique")]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.unit}"


class Salary(models.Model):
    """給料月額 and 地域手当 from a day, loaded by HR (personal data: its owner, HR and the 庶務センター)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="salaries", verbose_name=_("staff"))
    effective_from = models.DateField(_("in force from"))
    base = models.PositiveIntegerField(_("monthly salary (給料月額)"))
    regional = models.PositiveIntegerField(_("regional allowance (地域手当)"), default=0)

    class Meta:
        verbose_name = _("monthly salary")
        verbose_name_plural = _("monthly salaries")
        constraints = [models.UniqueConstraint(fields=["staff", "effective_from"], name="salary_unique")]

    def __str__(self) -> str:
        return f"{self.staff} {self.effective_from:%Y-%m-%d}〜"


# --------------------------------------------------------------------------------------------------------
# Inputs (the detail rows of the payroll document types)
# --------------------------------------------------------------------------------------------------------


class OvertimeOrder(models.Model):
    """時間外勤務命令: the day, the planned hours and the reason, filed before the work and decided (ordered) by
    the superior."""

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="overtime_order")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="overtime_orders")
    work_date = models.DateField(_("day"))
    planned_start = models.TimeField(_("from"))
    planned_end = models.TimeField(_("until"))
    ends_next_day = models.BooleanField(_("ends the next day"), default=False)
    planned_minutes = models.PositiveIntegerField(_("planned minutes"))
    reason = models.TextField(_("work and reason"))
    special_duty = models.BooleanField(_("特例業務 (e.g. a disaster)"), default=False)
    special_reason = models.CharField(_("reason of the 特例業務"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("overtime order")
        verbose_name_plural = _("overtime orders")
        indexes = [models.Index(fields=["staff", "work_date"], name="otorder_staff_day_idx")]

    def __str__(self) -> str:
        return f"{self.staff} {self.work_date}"


class OvertimeReport(CategoryMinutes):
    """時間外勤務実績: the actual start and end of one stretch of overtime, linked to its order (or marked 事後),
    with its minutes by category as real columns (payroll/rules.py)."""

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="overtime_report")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="overtime_reports")
    order = models.ForeignKey(
        OvertimeOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("order")
    )
    work_date = models.DateField(_("day"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    ends_next_day = models.BooleanField(_("ends the next day"), default=False)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    minutes = models.PositiveIntegerField(_("minutes"))
    after_the_fact = models.BooleanField(_("reported without an order (事後)"), default=False)
    special_duty = models.BooleanField(_("特例業務 (e.g. a disaster)"), default=False)
    special_reason = models.CharField(_("reason of the 特例業務"), max_length=200, blank=True)
    work = models.TextField(_("work done"), blank=True)
    rule = models.ForeignKey(OvertimeRule, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("overtime report")
        verbose_name_plural = _("overtime reports")
        indexes = [models.Index(fields=["staff", "started_at"], name="otreport_staff_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gt=F("started_at")), name="otreport_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.work_date}"


class OvertimeMonth(CategoryMinutes):
    """One staff member's decided overtime in one calendar month, by category (the ledger; recomputed from the
    decided reports in the order worked whenever one is decided, returned or cancelled)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="overtime_months")
    month = models.DateField(_("month"))
    total_minutes = _minutes(_("minutes in all"))
    special_minutes = _minutes(_("特例業務 minutes (not counted for the caps)"))
    counted_minutes = _minutes(_("minutes counted for the caps"))
    interview = models.BooleanField(_("doctor's interview (面接指導) due"), default=False)

    class Meta:
        verbose_name = _("overtime month")
        verbose_name_plural = _("overtime months")
        ordering = ["staff", "month"]
        constraints = [models.UniqueConstraint(fields=["staff", "month"], name="overtimemonth_unique")]

    def __str__(self) -> str:
        return f"{self.staff} {self.month:%Y-%m}"


class HousingClaim(models.Model):
    """住居手当の届: the rent and the lease, and the allowance the rule in force gives."""

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="housing_claim")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    start_month = models.DateField(_("from the month"))
    rent = models.PositiveIntegerField(_("monthly rent (yen)"))
    landlord = models.CharField(_("landlord"), max_length=100)
    allowance = models.PositiveIntegerField(_("allowance (yen a month)"))
    rule = models.ForeignKey(HousingRule, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("housing allowance claim")
        verbose_name_plural = _("housing allowance claims")

    def __str__(self) -> str:
        return f"{self.staff} {self.start_month:%Y-%m}"


class CommutingClaim(models.Model):
    """通勤手当の届: the route's legs (as filed) and the amounts the rule in force gives, as real columns."""

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="commuting_claim")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    start_month = models.DateField(_("from the month"))
    legs = models.JSONField(_("route"), default=list)
    parking = models.PositiveIntegerField(_("parking (yen a month)"), default=0)
    one_way_km = models.DecimalField(_("one way (km)"), max_digits=6, decimal_places=1)
    transit = models.PositiveIntegerField(_("transit (yen a month)"), default=0)
    car = models.PositiveIntegerField(_("car or bicycle (yen a month)"), default=0)
    parking_paid = models.PositiveIntegerField(_("parking paid (yen a month)"), default=0)
    allowance = models.PositiveIntegerField(_("allowance (yen a month)"))
    rule = models.ForeignKey(CommutingRule, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("commuting allowance claim")
        verbose_name_plural = _("commuting allowance claims")

    def __str__(self) -> str:
        return f"{self.staff} {self.start_month:%Y-%m}"


class DependantChange(models.Model):
    """扶養親族届: a dependant added or removed, and the monthly allowance that person brings (or no longer)."""

    class Change(models.TextChoices):
        ADD = "add", _("Add (認定)")
        REMOVE = "remove", _("Remove (取消)")

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="dependant_change")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    change = models.CharField(_("change"), max_length=10, choices=Change.choices)
    name = models.CharField(_("name"), max_length=100)
    relationship = models.CharField(_("relationship"), max_length=20, choices=DependantCategory.choices)
    birth_date = models.DateField(_("date of birth"))
    annual_income = models.PositiveIntegerField(_("expected income a year (yen)"))
    effective_date = models.DateField(_("from the day"))
    monthly = models.PositiveIntegerField(_("allowance (yen a month)"))

    class Meta:
        verbose_name = _("dependant change")
        verbose_name_plural = _("dependant changes")

    def __str__(self) -> str:
        return f"{self.staff} {self.name}"


class AddressChange(models.Model):
    """住所変更届 (personal information: kept in the office)."""

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="address_change")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    moved_on = models.DateField(_("moved on"))
    postal_code = models.CharField(_("postal code"), max_length=8)
    address = models.CharField(_("address"), max_length=200)

    class Meta:
        verbose_name = _("address change")
        verbose_name_plural = _("address changes")

    def __str__(self) -> str:
        return f"{self.staff} {self.moved_on}"


class BankChange(models.Model):
    """給与振込口座変更届 (personal information: kept in the office, the number masked on screens)."""

    class AccountType(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary (普通)")
        CURRENT = "current", _("Current (当座)")

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="bank_change")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    start_month = models.DateField(_("from the month"))
    bank = models.CharField(_("bank"), max_length=60)
    branch = models.CharField(_("branch"), max_length=60)
    account_type = models.CharField(_("account type"), max_length=10, choices=AccountType.choices)
    account_number = models.CharField(_("account number"), max_length=7)
    holder_kana = models.CharField(_("holder (kana)"), max_length=60)

    class Meta:
        verbose_name = _("bank account change")
        verbose_name_plural = _("bank account changes")

    def __str__(self) -> str:
        return f"{self.staff} {self.start_month:%Y-%m}"


# --------------------------------------------------------------------------------------------------------
# Central processing (庶務センター)
# --------------------------------------------------------------------------------------------------------


class InputState(models.TextChoices):
    DECIDED = "decided", _("Decided, to check")
    CHECKED = "checked", _("Checked (処理済)")
    RETURNED = "returned", _("Returned to the applicant (返戻)")
    CLOSED = "closed", _("Withdrawn, rejected or cancelled")


class PayrollInput(models.Model):
    """Every payroll input, whatever its type: its month (the month it is paid in), its unit and where the
    central processing stands. Written by the payroll types' hooks in the engine's transaction."""

    document = models.OneToOneField("approvals.Document", on_delete=models.CASCADE, related_name="payroll_input")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff"))
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    kind = models.CharField(_("type"), max_length=20)
    month = models.DateField(_("month"))
    state = models.CharField(_("state"), max_length=10, choices=InputState.choices, default=InputState.DECIDED)
    handled_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payroll input")
        verbose_name_plural = _("payroll inputs")
        indexes = [models.Index(fields=["month", "state", "kind"], name="payrollinput_month_state_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.staff} {self.month:%Y-%m}"


class PayrollMonth(models.Model):
    """A pay month and its close (締め): once closed, its inputs are frozen until an audited reopen."""

    month = models.DateField(_("month"), unique=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("pay month")
        verbose_name_plural = _("pay months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None
