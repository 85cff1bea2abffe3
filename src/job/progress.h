// Where progress of long waits goes: a live bar on a terminal, plain lines in
// logs. The job reports; entry points choose the sink.
#ifndef S3SNAPSHOT_JOB_PROGRESS_H_
#define S3SNAPSHOT_JOB_PROGRESS_H_

#include <string>
#include <vector>

namespace s3snapshot::job {

struct SnapshotProgress {
  std::string snapshot_id, label;  // label: "i-0abc /dev/xvda" or "copy to eu-west-1"
  int percent = 0;
  std::string state;
};

struct ProgressUpdate {
  std::vector<SnapshotProgress> items;
  int completed = 0, failed = 0, total = 0;
  double elapsed_seconds = 0;
  double eta_seconds = -1;  // < 0: unknown
  bool final = false;
};

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void Update(const ProgressUpdate& update) = 0;
};

}  // namespace s3snapshot::job

#endif  // S3SNAPSHOT_JOB_PROGRESS_H_
