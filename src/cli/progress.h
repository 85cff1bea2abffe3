// Progress of --wait on stderr: a live bar per snapshot and overall on a
// terminal, plain periodic lines otherwise (cron, pipes, CI logs).
#ifndef S3SNAPSHOT_CLI_PROGRESS_H_
#define S3SNAPSHOT_CLI_PROGRESS_H_

#include <chrono>
#include <cstdio>
#include <memory>

#include "job/progress.h"

namespace s3snapshot::cli {

class TerminalProgress : public job::ProgressSink {
 public:
  explicit TerminalProgress(FILE* out) : out_(out) {}
  void Update(const job::ProgressUpdate& u) override;

 private:
  FILE* out_;
  int lines_drawn_ = 0;
};

class LineProgress : public job::ProgressSink {
 public:
  LineProgress(FILE* out, std::chrono::seconds every) : out_(out), every_(every) {}
  void Update(const job::ProgressUpdate& u) override;

 private:
  FILE* out_;
  std::chrono::seconds every_;
  double last_printed_ = -1e9;
};

// TerminalProgress when `out` is a terminal, else LineProgress every 30 s.
std::unique_ptr<job::ProgressSink> MakeProgress(FILE* out);

}  // namespace s3snapshot::cli

#endif  // S3SNAPSHOT_CLI_PROGRESS_H_
