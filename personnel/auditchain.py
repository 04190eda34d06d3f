"""The audit chains: keyed, append-only, and anchored outside the database.

Every audit table of the portal is a chain (a subclass of `personnel.models.ChainedAuditEntry`): "personnel" (org
master, leave debits, authenticators, lockouts and every later app's changes, through personnel.audit.audit_record)
and "approvals" (the steps of approval documents, through approvals.audit.append). Against someone who can write to
the database, three things hold:

- **Keyed.** An entry's hash is an HMAC-SHA256 (with a key the database does not hold) of its place in its chain,
  the previous entry's hash and its content, so an entry cannot be edited, inserted, reordered or rewritten with
  recomputed hashes by anyone without the key. Keys come from `PORTAL_AUDIT_KEYS` or the key file
  (`PORTAL_AUDIT_KEY_FILE`, lines "<key id> <hex>"); the last is the one new entries are signed with, the others
  stay to verify older entries (rotation: add a line, `manage.py audit_key`).
- **Anchored.** A checkpoint (each chain's last sequence number, its hash, the number of entries, the time) is
  written by `manage.py audit_checkpoint` (daily, from a timer) and by every `verify_audit` run that found the
  trail intact, to an append-only file under PORTAL_VAR_DIR whose lines are chained and keyed in turn, and to the
  system log. Every checkpoint ever written must still hold: the entry it names must be in the table with the hash
  it recorded, so a trail cut short (with its head rewound), emptied, or rewritten even by a holder of the key is
  reported with the checkpoint that proves it.
- **Append-only in the database.** On PostgreSQL triggers (django-pgtrigger) refuse UPDATE and DELETE on every audit
  table, and the portal's production role (`manage.py db_grants`) may only SELECT and INSERT them.

Writing: entries are collected during an action (`collecting()`) and chained together at its end, the heads locked
in the order of the chains' names and only for that moment; an entry added outside a collection is chained at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import syslog
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from personnel.models import AuditChainHead, ChainedAuditEntry

GENESIS = "0" * 64
ENV_SOURCE = "PORTAL_AUDIT_KEYS"


# --------------------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------------------


def parse_keys(text: str, *, source: str) -> dict[str, bytes]:
    """Keys from the key file's "<id> <hex>" lines (# starts a comment), or from PORTAL_AUDIT_KEYS's "<id>=<hex>"
    items separated by commas; the last is the current one."""
    keys: dict[str, bytes] = {}
    items = text.split(",") if source == ENV_SOURCE else text.splitlines()
    for number, raw in enumerate(items, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key_id, _, secret = line.replace("=", " ").partition(" ")
        try:
            key = bytes.fromhex(secret.strip())
        except ValueError:
            key = b""
        if not key_id or len(key) < 32:
            raise ImproperlyConfigured(
                f"{source}, key {number}: expected '<key id> <at least 64 hex digits>' (manage.py audit_key)"
            )
        keys[key_id] = key
    return keys


def new_key_line() -> str:
    """A fresh key line to append to the key file: its id is today's date plus a random suffix."""
    return f"{timezone.localdate():%Y%m%d}-{secrets.token_hex(3)} {secrets.token_hex(32)}"


@cache
def load_keys() -> dict[str, bytes]:
    """The audit keys, oldest first. On a first run with DEBUG on, a key file is made under PORTAL_VAR_DIR."""
    if settings.AUDIT_KEYS:
        return parse_keys(settings.AUDIT_KEYS, source=ENV_SOURCE)
    path = Path(settings.AUDIT_KEY_FILE)
    if not path.exists():
        if not settings.DEBUG:
            raise ImproperlyConfigured(
                f"No audit key: set PORTAL_AUDIT_KEYS or create {path} (manage.py audit_key --new >> {path})"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as file:
                file.write(f"# audit keys: '<id> <hex>' per line, the last signs new entries\n{new_key_line()}\n")
    keys = parse_keys(path.read_text(), source=str(path))
    if not keys:
        raise ImproperlyConfigured(f"{path} holds no audit key (manage.py audit_key --new >> {path})")
    return keys


def current_key() -> tuple[str, bytes]:
    key_id, key = list(load_keys().items())[-1]
    return key_id, key


def digest(payload: Any, *, key: bytes) -> str:
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, data.encode(), hashlib.sha256).hexdigest()


def hash_of(entry: ChainedAuditEntry) -> str | None:
    """The hash the entry should carry; None when its key is not known here."""
    key = load_keys().get(entry.key_id)
    return None if key is None else digest(entry.chain_payload(), key=key)


@cache
def chains() -> list[type[ChainedAuditEntry]]:
    """Every chained audit model, in the order their heads are locked (by chain name)."""
    if not apps.ready:
        raise RuntimeError("the audit chains are known once every app is loaded")
    found = [m for m in apps.get_models() if issubclass(m, ChainedAuditEntry)]
    return sorted(found, key=lambda model: model.chain_name)


# --------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------


@dataclass
class Collector:
    """The entries of one action, in the order they were added, not yet chained."""

    entries: list[ChainedAuditEntry] = field(default_factory=list)

    def mark(self) -> int:
        """A position to go back to when one item of a batch is refused (see `discard_from`)."""
        return len(self.entries)

    def discard_from(self, mark: int) -> None:
        del self.entries[mark:]


_collectors: ContextVar[tuple[Collector, ...]] = ContextVar("audit_collectors", default=())


@contextlib.contextmanager
def collecting() -> Iterator[Collector]:
    """Collect the entries added inside the block and chain them when it ends normally (inside the caller's
    transaction). When the block raises, its entries are dropped with the rest of the rolled-back work."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("auditchain.collecting() runs inside the transaction that makes the changes it records")
    collector = Collector()
    token = _collectors.set((*_collectors.get(), collector))
    try:
        yield collector
    finally:
        _collectors.reset(token)
    _chain(collector.entries)


def collecting_now() -> bool:
    """Whether an action is collecting its entries (inside `collecting()`)."""
    return bool(_collectors.get())


def add(entry: ChainedAuditEntry) -> ChainedAuditEntry:
    """Record an unsaved entry: into the action's collection when there is one, otherwise chained at once."""
    stack = _collectors.get()
    if stack:
        stack[-1].entries.append(entry)
    else:
        with collecting() as collector:
            collector.entries.append(entry)
    return entry


def locked_head(chain: str) -> AuditChainHead:
    """The chain's head, locked until the transaction ends (made on the chain's first entry)."""
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    return head


def _chain(entries: list[ChainedAuditEntry]) -> None:
    """Number, seal, sign and insert the entries after their chains' heads, under the heads' locks (held until
    the transaction commits)."""
    if not entries:
        return
    now = timezone.now()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # to the millisecond, as JSON dumps keep it
    for model in chains():
        batch = [e for e in entries if type(e) is model]
        if not batch:
            continue
        head = locked_head(model.chain_name)
        model.seal(batch, now)
        sign(batch, after=head)
        model.objects.bulk_create(batch)
        head.save(update_fields=["seq", "hash"])


def sign(entries: list[ChainedAuditEntry], *, after: AuditChainHead) -> None:
    """Number and sign sealed entries of one chain after its head, and move the head (in memory) to the last."""
    key_id, key = current_key()
    seq, previous = after.seq, after.hash
    for entry in entries:
        seq += 1
        entry.seq, entry.prev_hash, entry.key_id = seq, previous, key_id
        entry.hash = previous = digest(entry.chain_payload(), key=key)
    after.seq, after.hash = seq, previous


# --------------------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    n: int
    at: str
    chains: dict[str, dict[str, Any]]

    def label(self) -> str:
        return f"checkpoint {self.n} of {self.at[:16].replace('T', ' ')}"


def _checkpoint_mac(record: dict[str, Any], key: bytes) -> str:
    return digest([record[k] for k in ("n", "at", "reason", "chains", "prev", "key_id")], key=key)


def read_checkpoints() -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints of the file, and what is wrong with the file itself (a line edited, removed or added)."""
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    text = path.read_text() if path.exists() else ""
    found: list[Checkpoint] = []
    problems: list[str] = []
    previous = GENESIS
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            record = json.loads(line)
            key = load_keys().get(record["key_id"])
            expected = None if key is None else _checkpoint_mac(record, key)
            checkpoint = Checkpoint(n=int(record["n"]), at=str(record["at"]), chains=dict(record["chains"]))
        except (ValueError, KeyError, TypeError):
            problems.append(f"checkpoint file, line {number}: not a checkpoint")
            break
        if expected is None or not hmac.compare_digest(expected, str(record.get("mac", ""))):
            problems.append(f"{checkpoint.label()}: it does not match its own hash (the checkpoint file was edited)")
            break
        if checkpoint.n != number or record["prev"] != previous:
            problems.append(f"{checkpoint.label()}: it does not follow checkpoint {number - 1} (lines removed)")
            break
        found.append(checkpoint)
        previous = record["mac"]
    return found, problems


def _heads() -> dict[str, dict[str, Any]]:
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    state = {}
    for model in chains():
        head = heads.get(model.chain_name) or AuditChainHead(chain=model.chain_name)
        count = model.objects.filter(seq__lte=head.seq).count()
        state[model.chain_name] = {"seq": head.seq, "hash": head.hash, "count": count}
    return state


def write_checkpoint(*, reason: str) -> Checkpoint:
    """Append a checkpoint of every chain's head to the checkpoint file (and the system log)."""
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    key_id, key = current_key()
    state = _heads()
    with open(path, "a+", encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        file.seek(0)
        lines = file.read().splitlines()
        previous = json.loads(lines[-1])["mac"] if lines else GENESIS
        record: dict[str, Any] = {
            "n": len(lines) + 1,
            "at": timezone.localtime().isoformat(timespec="seconds"),
            "reason": reason,
            "chains": state,
            "prev": previous,
            "key_id": key_id,
        }
        record["mac"] = _checkpoint_mac(record, key)
        file.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        file.flush()
        os.fsync(file.fileno())
    checkpoint = Checkpoint(n=record["n"], at=record["at"], chains=state)
    if settings.AUDIT_CHECKPOINT_SYSLOG:
        heads = " ".join(f"{name}=#{s['seq']}:{s['hash']} count={s['count']}" for name, s in state.items())
        syslog.openlog("kessai-audit", 0, syslog.LOG_AUTH)
        syslog.syslog(syslog.LOG_NOTICE, f"audit checkpoint {checkpoint.n} at {checkpoint.at} {heads}")
    return checkpoint


# --------------------------------------------------------------------------------------------------------
# Verifying
# --------------------------------------------------------------------------------------------------------


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


# Checks of live state against the chains, registered by the apps that own that state (approvals: a document's
# status against its trail). Each returns its problems as sentences.
_state_checks: list[Callable[[], list[str]]] = []


def register_state_check(check: Callable[[], list[str]]) -> None:
    if check not in _state_checks:
        _state_checks.append(check)


def _verify_chain(
    model: type[ChainedAuditEntry], checkpoints: list[Checkpoint], *, chunk_size: int
) -> tuple[int, list[str]]:
    name = model.chain_name
    wanted = {cp.chains[name]["seq"] for cp in checkpoints if name in cp.chains}
    seen: dict[int, str] = {}
    previous, expected, checked, broken, table_end = GENESIS, 1, 0, "", 0
    for entry in model.objects.order_by("seq").iterator(chunk_size=chunk_size):
        table_end = entry.seq
        if entry.seq in wanted:
            seen[entry.seq] = entry.hash
        if broken:
            continue
        if entry.seq != expected:
            broken = f"{name} #{expected} is missing"
        elif entry.prev_hash != previous:
            broken = f"{name} #{entry.seq}: it does not link to the previous entry"
        elif (mac := hash_of(entry)) is None:
            broken = f"{name} #{entry.seq}: signed with key {entry.key_id!r}, which is not among the audit keys"
        elif not hmac.compare_digest(mac, entry.hash):
            broken = f"{name} #{entry.seq}: its content does not match its hash (edited, inserted or moved)"
        else:
            previous, expected, checked = entry.hash, expected + 1, checked + 1
    problems = [broken] if broken else []
    last = expected - 1 if not broken else None
    head = AuditChainHead.objects.filter(chain=name).first()
    if not broken and head is not None and (head.seq != last or head.hash != previous):
        problems.append(f"{name}: the trail ends at #{last} but its head says #{head.seq} was written")
    for cp in checkpoints:
        recorded = cp.chains.get(name)
        if not recorded or not recorded["seq"]:
            continue
        if table_end < recorded["seq"]:
            where = "the trail is empty (every entry deleted)" if table_end == 0 else f"the trail ends at #{table_end}"
            problems.append(f"{name}: {cp.label()} recorded #{recorded['seq']}, but {where}")
            break
        if seen.get(recorded["seq"]) != recorded["hash"]:
            problems.append(f"{name} #{recorded['seq']} differs from {cp.label()} (rewritten)")
            break
    return checked, problems


def verify(*, chunk_size: int = 2000) -> Report:
    """Walk every chain, hold it against every checkpoint, and run the registered state checks."""
    checkpoints, problems = read_checkpoints()
    report = Report(problems=problems, checkpoints=len(checkpoints))
    for model in chains():
        checked, chain_problems = _verify_chain(model, checkpoints, chunk_size=chunk_size)
        report.counts[model.chain_name] = checked
        report.problems.extend(chain_problems)
    for check in _state_checks:
        report.problems.extend(check())
    return report


def chain_existing_rows(historical: Any, live: type[ChainedAuditEntry], *, order_by: tuple[str, ...]) -> None:
    """For a migration: sign and chain the rows a table held before it was a keyed chain, in `order_by` order,
    and set its head. (Run before the table's append-only trigger is added.)"""
    key_id, key = current_key()
    previous, seq = GENESIS, 0
    batch = []
    for row in historical.objects.order_by(*order_by).iterator(chunk_size=2000):
        seq += 1
        row.seq, row.prev_hash, row.key_id = seq, previous, key_id
        entry = live(**{f.attname: getattr(row, f.attname) for f in live._meta.concrete_fields})
        row.hash = previous = digest(entry.chain_payload(), key=key)
        batch.append(row)
        if len(batch) == 2000:
            historical.objects.bulk_update(batch, ["seq", "prev_hash", "key_id", "hash"])
            batch = []
    historical.objects.bulk_update(batch, ["seq", "prev_hash", "key_id", "hash"])
    AuditChainHead.objects.update_or_create(chain=live.chain_name, defaults={"seq": seq, "hash": previous})
