// Cross-region copies (--copy-to-region): each completed source snapshot of
// the run is copied to every destination region with CopySnapshot, sent to
// the destination's endpoint, with the source's tags plus where it came from
// (tags.h CopyTags).
//
//  - At most `max_in_flight` copies pending per destination (EC2's default
//    limit is 20 concurrent copies a region); the rest wait in a queue. A copy
//    refused for that limit (kLimit) or throttled stays queued.
//  - CopySnapshot takes no client token either: after a lost answer the copy
//    is looked for by its s3snapshot:source-snapshot tag before another is sent.
//  - With `wait`, copies are polled until 'completed' or 'error' (or the
//    timeout); without it, queued copies are started and the run goes on.
//
// Runs on the run's main thread, after the sources have completed; writes
// each copy's record and failures into the ledger.
#ifndef S3SNAPSHOT_JOB_COPIER_H_
#define S3SNAPSHOT_JOB_COPIER_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "job/job_context.h"
#include "job/ledger.h"

namespace s3snapshot::job {

struct CopySource {
  std::string instance_id, snapshot_id, volume_id, device;
  std::vector<aws::Tag> tags;  // the source's creation tags
  std::string description;     // the source's description
  bool several_devices = false;
};

struct CopyOptions {
  std::string source_region;
  std::string kms_key_id;  // re-encrypt with this key when set
  int max_in_flight = 20;  // per destination region
  bool wait = false;
  std::chrono::seconds timeout{3600};
};

// `destinations`: region -> its EC2 client.
void CopyToRegions(const JobContext& ctx, Ledger& ledger, const std::vector<CopySource>& sources,
                   const std::map<std::string, aws::Ec2Api*>& destinations, const CopyOptions& options);

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_COPIER_H_
