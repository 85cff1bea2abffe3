#!/usr/bin/env python3
"""moto_server with what the suite needs and moto lacks. Run in place of
`moto_server` (same arguments); the changes are made before the server starts.

1. Accounts kept apart under MOTO_ACCOUNT_ID. moto_ctl sets MOTO_ACCOUNT_ID
   (the seed's SNS ARNs name account 100000000000), and moto then puts every
   request in that account, also one signed with the temporary keys of a role
   assumed into another account. Here such keys are in their role's account,
   as in AWS (and as moto does without MOTO_ACCOUNT_ID): --assume-role and
   --org runs see each account's own EC2. Every other key stays in
   MOTO_ACCOUNT_ID.

2. EBS snapshot lock (moto's LockSnapshot, UnlockSnapshot and
   DescribeLockedSnapshots answer HTTP 500), as EC2 behaves (EBS user guide,
   "Lock Amazon EBS snapshots"; the API reference of the three actions):

- LockSnapshot: mode governance|compliance; exactly one of LockDuration
  (1..36500 days) or ExpirationDate; CoolOffPeriod (1..72 h) only in
  compliance mode; a lock may be changed while governance or cooling off,
  and a compliance lock past its cool-off only extended;
- DescribeLockedSnapshots: the locks on SnapshotId.N (or all), with the
  `lock-state` filter; expired locks read `expired`;
- UnlockSnapshot: governance or cooling-off compliance only;
- DeleteSnapshot of a snapshot whose lock holds is refused (SnapshotLocked),
  as EC2 refuses it.

The answers are moto's own ActionResults, which moto serialises from
botocore's output shapes, so they have EC2's shape; the requests reach moto's
recorder like any other. The lock lives here, inside moto_server, and not in
a proxy in front of it: every request of the suite would pay a second Python
hop for three calls. Locks are kept per account and region, never expire by
themselves early, and are lost with the server (as moto's state is)."""
import datetime
import sys
import threading

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.responses import EC2Response
from moto.iam.models import get_account_id_from

LOCKS = {}  # (account, region, snapshot id) -> lock (dict, model member names)
MUTEX = threading.Lock()


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _key(resp, snapshot_id):
    return (resp.ec2_backend.account_id, resp.ec2_backend.region_name, snapshot_id)


def _state(lock, now):
    if lock.get("LockExpiresOn") and lock["LockExpiresOn"] <= now:
        return "expired"
    if lock.get("CoolOffPeriodExpiresOn") and now < lock["CoolOffPeriodExpiresOn"]:
        return "compliance-cooloff"
    return lock["mode"]


def _view(lock, now):
    out = {k: v for k, v in lock.items() if k != "mode"}
    out["LockState"] = _state(lock, now)
    return out


def _bad(message):
    return EC2ClientError("InvalidParameterValue", message)


def _parse_time(text):
    try:
        t = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise _bad("ExpirationDate '%s' is not a date and time" % text)
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


def lock_snapshot(self):
    snapshot_id = self._get_param("SnapshotId")
    mode = self._get_param("LockMode")
    duration = self._get_int_param("LockDuration")
    expiration = self._get_param("ExpirationDate")
    cool_off = self._get_int_param("CoolOffPeriod")
    self.error_on_dryrun()
    self.ec2_backend.get_snapshot(snapshot_id)  # InvalidSnapshot.NotFound
    if mode not in ("governance", "compliance"):
        raise _bad("LockMode must be governance or compliance")
    if (duration is None) == (expiration is None):
        raise EC2ClientError("InvalidParameterCombination", "Specify either LockDuration or ExpirationDate")
    if duration is not None and not 1 <= duration <= 36500:
        raise _bad("LockDuration must be from 1 to 36500 days")
    if cool_off is not None and (mode != "compliance" or not 1 <= cool_off <= 72):
        raise _bad("CoolOffPeriod is from 1 to 72 hours, in compliance mode only")
    now = _now()
    expires = now + datetime.timedelta(days=duration) if duration is not None else _parse_time(expiration)
    if expires <= now:
        raise _bad("ExpirationDate must be in the future")
    with MUTEX:
        old = LOCKS.get(_key(self, snapshot_id))
        if old and _state(old, now) == "compliance" and expires < old["LockExpiresOn"]:
            raise EC2ClientError("SnapshotLocked", "The snapshot %s is locked in compliance mode past its "
                                 "cooling-off period: its lock can only be extended" % snapshot_id)
        lock = {"OwnerId": self.ec2_backend.account_id, "SnapshotId": snapshot_id, "mode": mode,
                "LockCreatedOn": now, "LockDurationStartTime": now, "LockExpiresOn": expires}
        if duration is not None:
            lock["LockDuration"] = duration
        if cool_off is not None:
            lock["CoolOffPeriod"] = cool_off
            lock["CoolOffPeriodExpiresOn"] = now + datetime.timedelta(hours=cool_off)
        LOCKS[_key(self, snapshot_id)] = lock
        view = _view(lock, now)
    view.pop("OwnerId")
    return ActionResult(view)


def describe_locked_snapshots(self):
    ids = self._get_param("SnapshotIds", [])
    filters = self._filters_from_querystring()
    self.error_on_dryrun()
    now = _now()
    account, region = self.ec2_backend.account_id, self.ec2_backend.region_name
    with MUTEX:
        mine = [lock for (a, r, sid), lock in sorted(LOCKS.items()) if a == account and r == region]
    out = [_view(lock, now) for lock in mine if not ids or lock["SnapshotId"] in ids]
    wanted = filters.get("lock-state")
    if wanted:
        out = [v for v in out if v["LockState"] in wanted]
    return ActionResult({"Snapshots": out})


def unlock_snapshot(self):
    snapshot_id = self._get_param("SnapshotId")
    self.error_on_dryrun()
    with MUTEX:
        lock = LOCKS.get(_key(self, snapshot_id))
        if lock is None:
            raise _bad("The snapshot %s is not locked" % snapshot_id)
        if _state(lock, _now()) == "compliance":
            raise EC2ClientError("SnapshotLocked", "The snapshot %s is locked in compliance mode past its "
                                 "cooling-off period and cannot be unlocked" % snapshot_id)
        del LOCKS[_key(self, snapshot_id)]
    return ActionResult({"SnapshotId": snapshot_id})


_moto_delete_snapshot = EC2Response.delete_snapshot


def delete_snapshot(self):
    snapshot_id = self._get_param("SnapshotId")
    with MUTEX:
        lock = LOCKS.get(_key(self, snapshot_id))
        held = lock is not None and _state(lock, _now()) != "expired"
    if held:
        raise EC2ClientError("SnapshotLocked", "The snapshot %s is locked and can't be deleted" % snapshot_id)
    result = _moto_delete_snapshot(self)
    with MUTEX:
        LOCKS.pop(_key(self, snapshot_id), None)
    return result


_moto_current_account = BaseResponse.get_current_account


def get_current_account(self):
    # A role's temporary keys (ASIA...) are registered in the role's account.
    try:
        account = get_account_id_from(self.get_access_key())
    except Exception:  # an unsigned request: moto's own rules
        account = DEFAULT_ACCOUNT_ID
    if account != DEFAULT_ACCOUNT_ID and self.get_access_key().startswith("ASIA"):
        return account
    return _moto_current_account(self)


BaseResponse.get_current_account = get_current_account
EC2Response.lock_snapshot = lock_snapshot
EC2Response.describe_locked_snapshots = describe_locked_snapshots
EC2Response.unlock_snapshot = unlock_snapshot
EC2Response.delete_snapshot = delete_snapshot
assert EmptyResult  # moto's own result types, imported for the reader

if __name__ == "__main__":
    from moto.server import main
    main(sys.argv[1:])
