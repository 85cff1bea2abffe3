// A fixture for the job/ tests: a fake EC2 and clock, a cancel token and a
// JobContext wired to them (run id "run-1"), the counterpart of
// client_fixture.h for the aws/ clients.
#ifndef S3SNAPSHOT_TESTING_JOB_FIXTURE_H_
#define S3SNAPSHOT_TESTING_JOB_FIXTURE_H_

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "job/cancel.h"
#include "job/job_context.h"
#include "job/snapshot_job.h"
#include "job/tags.h"
#include "report/report.h"
#include "testing/fake_clock.h"
#include "testing/fake_ec2.h"

namespace s3snapshot::testing {

class JobTest : public ::testing::Test {
 protected:
  JobTest() {
    ctx_.ec2 = &ec2_;
    ctx_.clock = &clock_;
    ctx_.cancel = &cancel_;
    ctx_.run_id = "run-1";
  }

  // A whole run on the fakes.
  report::SnapshotReport Run(const spec::JobSpec& spec) { return job::RunSnapshotJob(spec, ctx_); }
  // A run of these instances (with --stop when `stop`), two at a time.
  static spec::JobSpec Spec(std::vector<std::string> ids, bool stop = false) {
    spec::JobSpec s;
    s.instance_ids = std::move(ids);
    s.stop = stop;
    s.concurrency = 2;
    return s;
  }
  // The snapshots the fake holds of this instance (by the tool's tag).
  int SnapshotsOf(const std::string& id) {
    int n = 0;
    for (const auto& s : ec2_.AllSnapshots()) n += s.TagValue(job::kTagInstanceId) == id;
    return n;
  }

  FakeEc2 ec2_;
  FakeClock clock_;
  job::CancelToken cancel_;
  job::JobContext ctx_;
};

}  // namespace s3snapshot::testing

#endif  // S3SNAPSHOT_TESTING_JOB_FIXTURE_H_
