// An audit's report (job/audit.h): which selected volumes are protected by
// a recent enough snapshot (and copies), and what is wrong with the others,
// as text, JSON and an SNS message.
#ifndef S3SNAPSHOT_REPORT_AUDIT_REPORT_H_
#define S3SNAPSHOT_REPORT_AUDIT_REPORT_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "report/envelope.h"

namespace s3snapshot::report {

// An audit (job/audit.h): one selected volume, its newest counted snapshot,
// its newest copies, and what is wrong with its protection.
struct AuditSnapshot {
  std::string snapshot_id;  // empty: none
  std::string start_time, state, progress;
  std::string owner;  // s3snapshot | dlm | aws-backup | other
  long long age_seconds = -1;
};

struct AuditCopy {
  std::string region;
  AuditSnapshot newest;  // the newest completed copy (empty id: none)
};

struct AuditFinding {
  // missing | too-old | error | pending | no-ebs-volume | unknown |
  // copy-missing | copy-too-old | copy-error | copy-pending | not-drilled | unlocked
  std::string kind;
  std::string message;
};

struct AuditVolume {
  std::string scope;  // as InstanceReport::scope
  std::string instance_id, name, instance_state;
  std::string device, volume_id;  // volume_id empty: an instance with no EBS volume
  bool excluded = false;          // tagged s3snapshot:exclude=true: left out on purpose, not judged
  AuditSnapshot newest;           // the newest completed snapshot that counts
  std::vector<AuditCopy> copies;  // one per --copy-to-region
  std::vector<AuditFinding> findings;
  bool ok() const { return findings.empty(); }
};

// The envelope, the policy the volumes were judged by, in words ("newest
// completed within 1d2h, ..."), and one row per volume.
struct AuditReport : Envelope {
  std::string policy;
  std::vector<AuditVolume> volumes;

  // Volumes with a finding.
  int UnprotectedCount() const;
  // The age of the oldest among the volumes' newest completed snapshots (the
  // fleet's worst recovery point); -1 when no volume has one.
  long long OldestNewestAgeSeconds() const;
  // No volume has a finding, every id asked for was found, no run error,
  // not cancelled.
  bool ok() const { return UnprotectedCount() == 0 && not_found.empty() && run_errors.empty() && !cancelled; }
};

AuditReport MergeReports(std::vector<AuditReport> parts, const std::vector<std::string>& scopes);

void WriteText(const AuditReport& r, std::ostream& out);
// `findings_only`: the volumes without a finding are left out (counted in
// "volumes_omitted"), for Lambda's 6 MB response limit.
void WriteJson(const AuditReport& r, std::ostream& out, int indent, bool findings_only);
// For stderr: the cancellation, the run errors, the findings (at most `max`
// lines, then a count), the ids not found.
std::vector<std::string> FailureSummary(const AuditReport& r, size_t max = 20);
std::string SubjectWords(const AuditReport& r, bool errors_only);
void WriteErrorHead(const AuditReport& r, std::ostream& out);

}  // namespace s3snapshot::report

#endif  // S3SNAPSHOT_REPORT_AUDIT_REPORT_H_
