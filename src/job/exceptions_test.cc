// No exception can defeat the restart guarantee, nor crash a run: the fake
// EC2 throws (std::out_of_range or std::bad_alloc) in each phase of a --stop
// run, and every instance the run stopped must still be running at the end,
// with the failure in the report.
#include <gtest/gtest.h>

#include <cctype>

#include "job/snapshot_job.h"
#include "report/report.h"
#include "testing/ec2_api_wrapper.h"
#include "testing/fake_clock.h"
#include "testing/fake_ec2.h"

namespace s3snapshot::job {
namespace {

using testing::FakeClock;
using testing::FakeEc2;

struct Phase {
  const char* name;
  const char* action;  // the call that throws
  int nth;             // which call of it
  bool bad_alloc;
  const char* filter = "";  // only calls with a filter of this name count (FakeEc2::ThrowOn)
};

class ExceptionTest : public ::testing::TestWithParam<Phase> {
 protected:
  report::SnapshotReport Run() {
    ec2_.AddInstance("i-00000001", {"vol-1", "vol-2"});
    ec2_.AddInstance("i-00000002", {"vol-3"});
    ec2_.AddSnapshot(Old("snap-old", "vol-3"));
    ec2_.stopping_polls = 1;
    JobContext ctx;
    ctx.ec2 = &ec2_;
    ctx.clock = &clock_;
    ctx.cancel = &cancel_;
    ctx.run_id = "run-1";
    ctx.ec2_for_region = [this](const std::string& region) -> std::unique_ptr<aws::Ec2Api> {
      return std::make_unique<testing::Ec2ApiWrapper>(&dest_, region);
    };
    spec::JobSpec spec;
    spec.instance_ids = {"i-00000001", "i-00000002"};
    spec.stop = true;
    spec.concurrency = 2;
    spec.keep = 1;
    spec.wait = true;
    if (std::string(GetParam().action) == "CopySnapshot") spec.copy_to_regions = {"eu-west-1"};
    const Phase& p = GetParam();
    (std::string(p.action) == "CopySnapshot" ? dest_ : ec2_).ThrowOn(p.action, p.nth, p.bad_alloc, p.filter);
    return RunSnapshotJob(spec, ctx);
  }
  static aws::Snapshot Old(const std::string& id, const std::string& volume) {
    aws::Snapshot s;
    s.snapshot_id = id;
    s.volume_id = volume;
    s.state = "completed";
    s.start_time = "2020-01-01T00:00:00.000Z";
    s.tags = {{kTagScripted, kTagScriptedValue}};
    return s;
  }
  FakeEc2 ec2_, dest_;
  FakeClock clock_;
  CancelToken cancel_;
};

TEST_P(ExceptionTest, TheRunReportsItAndEveryStoppedInstanceRunsAgain) {
  report::SnapshotReport r = Run();
  EXPECT_FALSE(r.ok()) << GetParam().name << ": a throw is a failure, exit 1\n" << report::ReportToText(r);
  EXPECT_EQ("running", ec2_.State("i-00000001")) << GetParam().name;
  EXPECT_EQ("running", ec2_.State("i-00000002")) << GetParam().name;
  EXPECT_TRUE(r.LeftStopped().empty()) << GetParam().name;
  std::string text = report::ReportToText(r);
  EXPECT_NE(std::string::npos, text.find("InternalError")) << text;
}

INSTANTIATE_TEST_SUITE_P(EachPhase, ExceptionTest,
                         ::testing::Values(Phase{"selection", "DescribeInstances", 1, false},
                                           Phase{"stop", "StopInstances", 1, false},
                                           Phase{"polling for stopped", "DescribeInstances", 2, true},
                                           Phase{"snapshot", "CreateSnapshots", 1, true},
                                           Phase{"the starter thread", "StartInstances", 1, false},
                                           Phase{"device tags", "CreateTags", 1, false},
                                           Phase{"wait", "DescribeSnapshots", 1, false, "snapshot-id"},
                                           Phase{"copy", "CopySnapshot", 1, true},
                                           Phase{"retention", "DeleteSnapshot", 1, false}),
                         [](const ::testing::TestParamInfo<Phase>& p) {
                           std::string n;
                           for (const char* c = p.param.name; *c; ++c)
                             n += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
                           return n;
                         });

}  // namespace
}  // namespace s3snapshot::job
