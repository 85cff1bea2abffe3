// Who retries what: the one place that says it.
//
// Every request goes through three layers, and only these three:
//
//  1. core/rate_limiter -- before a request is sent, it waits for a token of
//     its EC2 action family (describe 100/20 s-1 ... start 5/2 s-1 for EC2's
//     own buckets) scaled by the CUBIC rate the SDKs' adaptive mode keeps,
//     which drops on each throttle. It never refuses, only paces.
//  2. core/retry (aws::AwsClient::Call, CallJson) -- each request is attempted up
//     to AWS_MAX_ATTEMPTS times (default 3, first try included), with full
//     jitter backoff rand(0,1) x 2^(retry-1) s capped at 20 s, while a retry
//     quota lasts. It retries throttling, 5xx and connection failures before
//     the request was sent; a request that may have been applied (a lost
//     answer, a timeout) only when it is idempotent: never CreateSnapshots or
//     CopySnapshot. Under a Lambda deadline nothing is sent, waited for or
//     retried past it.
//  3. the job (this file's constants) -- only where a failed call still has
//     a safe and useful second round, named below:
//       - selection: kSelectionRounds rounds when the endpoint answered with
//         throttling or 5xx, or the connection broke after the request was
//         sent; not after a timeout (the client already waited attempts x
//         read timeout for it), nor when nothing reached the endpoint
//         (refused, DNS, TLS handshake: the client's attempts x backoff is
//         the bound, and a closed port fails in seconds);
//       - CreateSnapshots: kCreateSnapshotAttempts calls (next section);
//       - StopInstances: none; an unknown outcome is waited on as stopping;
//       - StartInstances: rounds until the restart deadline (restarter.h);
//       - device tags: kDeviceTagAttempts calls (eventual consistency);
//       - CopySnapshot: a copy refused for the concurrent-copy limit or
//         throttling stays queued and is sent again after a poll (copier.h);
//       - polls (stop, --wait, copies): retried on the next poll.
//
// One instance's CreateSnapshots, worst case, with T = --read-timeout,
// A = AWS_MAX_ATTEMPTS, B(k) = the job backoff after attempt k (1, 2, 4, 8,
// then 15 s) and L = kSnapshotLimitWait:
//   - each job attempt is one client call: at most A x T plus the client's
//     backoff (< 2^(A-1) s in all);
//   - between attempts the job waits B(k), or L after a snapshot limit
//     (kLimit), or, after a lost or unreadable answer, looks for the run's
//     snapshots by tag 1 s and 4 s later (two DescribeSnapshots calls, each
//     itself bounded by A x T) before it tries again;
//   so at most kCreateSnapshotAttempts x (A x T + 2^(A-1) s) + 7 x max(L, 15 s)
//   plus the lookups: with the defaults (T = 30 s, A = 3) about 15 minutes,
//   which --stop's restart waits for. A signal or the Lambda deadline ends
//   the loop at the next attempt; the deadline also bounds each call.
#ifndef S3SNAPSHOT_JOB_RETRY_POLICY_H_
#define S3SNAPSHOT_JOB_RETRY_POLICY_H_

#include "core/clock.h"
#include "core/result.h"

namespace s3snapshot::job {

// Selection: the first round plus up to three more.
inline constexpr int kSelectionRounds = 4;
// CreateSnapshots calls per instance (each with the client's own attempts).
inline constexpr int kCreateSnapshotAttempts = 8;
// The wait after ConcurrentSnapshotLimitExceeded and the like: such limits
// free up as snapshots complete, not within a backoff's seconds.
inline constexpr core::Duration kSnapshotLimitWait{15000};
// Lookups for the run's snapshots after a lost CreateSnapshots answer, and
// the delays before each (DescribeSnapshots is eventually consistent).
inline constexpr core::Duration kLostAnswerLookupDelays[] = {core::Duration(1000), core::Duration(4000)};
// CreateTags calls for one batch of device tags.
inline constexpr int kDeviceTagAttempts = 5;

// Failures worth another round at the job level once the client has given
// up: the service was busy or at a limit, or the network failed.
inline bool IsRetryableAtJobLevel(const core::Error& e) {
  return e.kind == core::ErrorKind::kThrottled || e.kind == core::ErrorKind::kTransient ||
         e.kind == core::ErrorKind::kTransport || e.kind == core::ErrorKind::kLimit;
}

// A failed selection (a read: safe to ask again) is retried at the job level
// unless the endpoint did not answer in time: then the client has already
// spent attempts x read timeout, and the documented bound must hold.
inline bool IsSelectionRetryable(const core::Error& e) {
  if (e.timed_out || e.kind == core::ErrorKind::kTransport) return false;
  return IsRetryableAtJobLevel(e) || e.kind == core::ErrorKind::kAmbiguous;
}

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_RETRY_POLICY_H_
