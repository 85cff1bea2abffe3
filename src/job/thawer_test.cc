#include "job/thawer.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "job/snapshot_job.h"
#include "report/report.h"
#include "testing/fake_ssm.h"
#include "testing/job_fixture.h"

namespace s3snapshot::job {

using report::FailureRecord;
using report::InstanceReport;
namespace {

using core::Error;
using core::ErrorKind;
using testing::FakeSsm;

class ThawerTest : public testing::JobTest {
 protected:
  ThawerTest() {
    ctx_.ssm = &ssm_;
    // One log of both services' calls, in the order they were made.
    ec2_.on_call = [this](const std::string& action) { Note(action); };
    ssm_.on_call = [this](const std::string& call) { Note(call); };
  }
  void Note(const std::string& what) {
    std::lock_guard<std::mutex> l(mu_);
    order_.push_back(what);
  }
  std::vector<std::string> Order() {
    std::lock_guard<std::mutex> l(mu_);
    return order_;
  }
  spec::JobSpec Spec(std::vector<std::string> ids) {
    spec::JobSpec s;
    s.instance_ids = std::move(ids);
    s.concurrency = 2;
    s.pre_script = "fsfreeze -f /data";
    s.post_script = "fsfreeze -u /data || true";
    return s;
  }
  std::vector<std::string> Fleet(int n) {
    std::vector<std::string> ids;
    for (int i = 1; i <= n; ++i) {
      char id[16];
      snprintf(id, sizeof(id), "i-%08d", i);
      ids.push_back(id);
      ec2_.AddInstance(id, {std::string("vol-") + id});
    }
    return ids;
  }
  const InstanceReport& Row(const report::SnapshotReport& r, const std::string& id) {
    for (const auto& i : r.instances) {
      if (i.instance_id == id) return i;
    }
    throw std::out_of_range(id);
  }
  bool HasError(const InstanceReport& i, const std::string& code) {
    return std::any_of(i.errors.begin(), i.errors.end(), [&](const FailureRecord& f) { return f.code == code; });
  }

  FakeSsm ssm_;
  std::mutex mu_;
  std::vector<std::string> order_;
};

TEST_F(ThawerTest, PreScriptThenSnapshotThenPostScriptForEachInstance) {
  auto ids = Fleet(3);
  spec::JobSpec spec = Spec(ids);
  spec.concurrency = 1;  // one instance a wave: the order is the instance's own
  report::SnapshotReport r = Run(spec);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  for (const auto& id : ids) {
    const auto& row = Row(r, id);
    EXPECT_TRUE(row.snapshotted);
    EXPECT_EQ("application", row.scripts.consistency);
    EXPECT_EQ("Success", row.scripts.pre.status);
    EXPECT_EQ("Success", row.scripts.post.status);
    EXPECT_TRUE(row.scripts.thaw_owed);
    EXPECT_TRUE(row.scripts.thawed);
    EXPECT_EQ(1, ssm_.SendsTo("pre-script", id));
    EXPECT_EQ(1, ssm_.SendsTo("post-script", id));
  }
  // Each wave: pre-script, its status, the snapshot; the post-script after that snapshot.
  // (Less the lookups that run on threads of their own alongside: late
  // errors, DescribeSnapshots; the drill sweep, DescribeVolumes.)
  auto order = Order();
  order.erase(std::remove_if(order.begin(), order.end(),
                             [](const std::string& c) { return c == "DescribeSnapshots" || c == "DescribeVolumes"; }),
              order.end());
  std::vector<size_t> pre, create, post;
  for (size_t n = 0; n < order.size(); ++n) {
    if (order[n] == "SendCommand pre-script") pre.push_back(n);
    if (order[n] == "CreateSnapshots") create.push_back(n);
    if (order[n] == "SendCommand post-script") post.push_back(n);
  }
  ASSERT_EQ(3u, pre.size());
  ASSERT_EQ(3u, create.size());
  ASSERT_GE(post.size(), 1u);
  for (size_t w = 0; w < 3; ++w) {
    EXPECT_LT(pre[w], create[w]);
    EXPECT_EQ("GetCommandInvocation", order[create[w] - 1]) << "the snapshot follows the pre-script's Success";
    if (w + 1 < 3) {
      EXPECT_LT(create[w], pre[w + 1]) << "waves do not overlap";
    }
  }
  EXPECT_LT(create[0], post[0]);
  EXPECT_TRUE(r.NotThawed().empty());
}

TEST_F(ThawerTest, SendsAtMostFiftyInstancesACommandInWavesNoLargerThanThePool) {
  auto ids = Fleet(120);
  spec::JobSpec spec = Spec(ids);
  spec.concurrency = 64;
  report::SnapshotReport r = Run(spec);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  int pre_commands = 0;
  for (const auto& s : ssm_.sent()) {
    EXPECT_LE(s.instance_ids.size(), 50u);
    pre_commands += s.stage == "pre-script";
  }
  EXPECT_EQ(3, pre_commands);  // 50 + 50 + 20
  EXPECT_EQ(120, r.SnapshotCount());
  EXPECT_TRUE(r.NotThawed().empty());
  spec::JobSpec small = Spec(ids);
  small.concurrency = 8;
  FakeSsm other;
  ctx_.ssm = &other;
  ASSERT_TRUE(Run(small).ok());
  for (const auto& s : other.sent()) {
    if (s.stage == "pre-script") {
      EXPECT_LE(s.instance_ids.size(), 8u) << "a wave is no larger than the pool";
    }
    EXPECT_LE(s.instance_ids.size(), 50u) << "post-scripts gather across waves, up to SSM's limit";
  }
}

TEST_F(ThawerTest, RequestsAreRunShellScriptWithTheTimeoutOrTheDocumentWithItsCommand) {
  auto ids = Fleet(1);
  spec::JobSpec spec = Spec(ids);
  spec.script_timeout = std::chrono::seconds(45);
  ASSERT_TRUE(Run(spec).ok());
  auto sent = ssm_.sent();
  ASSERT_EQ(2u, sent.size());
  EXPECT_EQ("AWS-RunShellScript", sent[0].document);
  EXPECT_EQ(std::vector<std::string>{"fsfreeze -f /data"}, sent[0].parameters.at("commands"));
  EXPECT_EQ(std::vector<std::string>{"45"}, sent[0].parameters.at("executionTimeout"));
  EXPECT_EQ(30, sent[0].timeout_seconds) << "not delivered within 30 s: never runs";
  EXPECT_EQ(std::vector<std::string>{"fsfreeze -u /data || true"}, sent[1].parameters.at("commands"));

  FakeSsm doc;
  ctx_.ssm = &doc;
  spec::JobSpec with_doc;
  with_doc.instance_ids = ids;
  with_doc.ssm_document = "MyOrg-FreezeThaw";
  ASSERT_TRUE(Run(with_doc).ok());
  sent = doc.sent();
  ASSERT_EQ(2u, sent.size());
  EXPECT_EQ("MyOrg-FreezeThaw", sent[0].document);
  EXPECT_EQ(std::vector<std::string>{"pre-script"}, sent[0].parameters.at("command"));
  EXPECT_EQ(std::vector<std::string>{"post-script"}, sent[1].parameters.at("command"));
  EXPECT_EQ(0u, sent[0].parameters.count("commands"));
}

TEST_F(ThawerTest, FailedPreScriptFallsBackToCrashConsistentWithAWarning) {
  auto ids = Fleet(2);
  ssm_.SetRule("pre-script/i-00000002", {.status = "Failed", .exit_code = 1});
  report::SnapshotReport r = Run(Spec(ids));
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  const auto& bad = Row(r, "i-00000002");
  EXPECT_TRUE(bad.snapshotted);
  EXPECT_EQ("crash", bad.scripts.consistency);
  EXPECT_EQ("Failed", bad.scripts.pre.status);
  EXPECT_EQ(1, bad.scripts.pre.exit_code);
  ASSERT_EQ(1u, bad.warnings.size());
  EXPECT_NE(std::string::npos, bad.warnings[0].find("crash-consistent"));
  EXPECT_TRUE(bad.scripts.thawed) << "the post-script runs after a failed pre-script too";
  EXPECT_EQ("application", Row(r, "i-00000001").scripts.consistency);
}

TEST_F(ThawerTest, FailedPreScriptWithSkipTakesNoSnapshotIsAFailureAndStillThaws) {
  auto ids = Fleet(2);
  ssm_.SetRule("pre-script/i-00000002", {.status = "TimedOut", .exit_code = -1});
  spec::JobSpec spec = Spec(ids);
  spec.on_script_failure = "skip";
  report::SnapshotReport r = Run(spec);
  EXPECT_FALSE(r.ok());
  const auto& bad = Row(r, "i-00000002");
  EXPECT_FALSE(bad.snapshotted);
  EXPECT_TRUE(HasError(bad, "PreScriptFailed"));
  EXPECT_TRUE(bad.scripts.thawed);
  EXPECT_EQ(1, ssm_.SendsTo("post-script", "i-00000002"));
  EXPECT_EQ(1, ec2_.CallCount("CreateSnapshots"));
  EXPECT_TRUE(Row(r, "i-00000001").ok());
}

TEST_F(ThawerTest, APreScriptStillRunningAtItsTimeoutIsThawedAgainOnceItCanNoLongerRun) {
  auto ids = Fleet(1);
  ssm_.SetRule("pre-script", {.polls_in_progress = 1000000});
  report::SnapshotReport r = Run(Spec(ids));
  const auto& row = Row(r, ids[0]);
  EXPECT_TRUE(row.snapshotted);
  EXPECT_EQ("crash", row.scripts.consistency);
  EXPECT_EQ("InProgress", row.scripts.pre.status);
  EXPECT_TRUE(row.scripts.thawed);
  // Once after the snapshot, once more after the pre-script's last possible
  // moment (delivery 30 s + run 30 s + 5 s): a late freeze is thawed too.
  EXPECT_EQ(2, row.scripts.post.sends);
  EXPECT_GE(clock_.Steady() - std::chrono::steady_clock::time_point{}, std::chrono::seconds(65));
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
}

TEST_F(ThawerTest, ALostPreScriptAnswerIsOwedItsThawAndFallsBack) {
  auto ids = Fleet(1);
  ssm_.FailNext("SendCommand", Error::Make(ErrorKind::kAmbiguous, "connection lost", ""), 1, /*applied=*/true);
  report::SnapshotReport r = Run(Spec(ids));
  const auto& row = Row(r, ids[0]);
  EXPECT_EQ("unknown", row.scripts.pre.status);
  EXPECT_EQ("crash", row.scripts.consistency);
  EXPECT_TRUE(row.scripts.thaw_owed);
  EXPECT_TRUE(row.scripts.thawed);
  EXPECT_EQ(2, row.scripts.post.sends) << "sent at once, and again when the lost pre-script can no longer run";
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
}

TEST_F(ThawerTest, ARefusedPreScriptFrozeNothingAndOwesNothing) {
  auto ids = Fleet(1);
  ssm_.FailNext("SendCommand", Error::Make(ErrorKind::kInvalidInput, "bad document", "InvalidDocument"));
  report::SnapshotReport r = Run(Spec(ids));
  const auto& row = Row(r, ids[0]);
  EXPECT_EQ("not sent", row.scripts.pre.status);
  EXPECT_EQ("crash", row.scripts.consistency);
  EXPECT_FALSE(row.scripts.thaw_owed);
  EXPECT_EQ(0, ssm_.SendsTo("post-script", ids[0]));
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_LT(clock_.Steady() - std::chrono::steady_clock::time_point{}, std::chrono::seconds(30));
}

TEST_F(ThawerTest, APostScriptAloneRunsAfterTheSnapshotAndTheSetIsCrashConsistent) {
  auto ids = Fleet(1);
  spec::JobSpec spec = Spec(ids);
  spec.pre_script.clear();
  report::SnapshotReport r = Run(spec);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ("crash", Row(r, ids[0]).scripts.consistency);
  EXPECT_TRUE(Row(r, ids[0]).scripts.thawed);
  EXPECT_EQ(0, ssm_.SendsTo("pre-script", ids[0]));
  auto order = Order();
  auto create = std::find(order.begin(), order.end(), "CreateSnapshots");
  auto post = std::find(order.begin(), order.end(), "SendCommand post-script");
  EXPECT_LT(create, post);
}

TEST_F(ThawerTest, ScriptsWithoutAnSsmClientAreARunErrorNotASilentCrashConsistentRun) {
  auto ids = Fleet(1);
  ctx_.ssm = nullptr;
  report::SnapshotReport r = Run(Spec(ids));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(0, ec2_.CallCount("CreateSnapshots"));
}

TEST_F(ThawerTest, NoPermissionForThePostScriptIsNotThawedWithoutWaitingForTheDeadline) {
  auto ids = Fleet(1);
  spec::JobSpec spec = Spec(ids);
  spec.pre_script.clear();  // post-script only: owed from before CreateSnapshots
  ssm_.FailNext("SendCommand",
                Error::Make(ErrorKind::kAuth, "not authorized to perform: ssm:SendCommand", "AccessDeniedException"),
                10);
  report::SnapshotReport r = Run(spec);
  EXPECT_EQ(std::vector<std::string>{ids[0]}, r.NotThawed());
  const auto& row = Row(r, ids[0]);
  ASSERT_TRUE(HasError(row, "NotThawed"));
  EXPECT_NE(std::string::npos, row.errors.back().message.find("ssm:SendCommand"));
  EXPECT_LT(clock_.Steady() - std::chrono::steady_clock::time_point{}, std::chrono::seconds(20));
}

TEST_F(ThawerTest, AFailedSnapshotIsStillThawed) {
  auto ids = Fleet(1);
  ec2_.FailNext("CreateSnapshots", Error::Make(ErrorKind::kAuth, "no", "UnauthorizedOperation"));
  report::SnapshotReport r = Run(Spec(ids));
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(Row(r, ids[0]).scripts.thawed);
  EXPECT_EQ(1, ssm_.SendsTo("post-script", ids[0]));
}

TEST_F(ThawerTest, CancelledBetweenPreScriptAndSnapshotEveryInstanceSentAPreScriptIsThawed) {
  auto ids = Fleet(4);
  ssm_.SetRule("pre-script", {.polls_in_progress = 3});
  ssm_.on_call = [this](const std::string& call) {
    Note(call);
    if (call == "GetCommandInvocation") cancel_.Cancel("SIGTERM");
  };
  spec::JobSpec spec = Spec(ids);
  spec.concurrency = 2;
  report::SnapshotReport r = Run(spec);
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(0, ec2_.CallCount("CreateSnapshots"));
  int sent_pre = 0;
  for (const auto& id : ids) {
    const auto& row = Row(r, id);
    if (ssm_.SendsTo("pre-script", id) == 0) {
      EXPECT_FALSE(row.scripts.thaw_owed) << id << ": nothing sent after the cancellation";
      continue;
    }
    ++sent_pre;
    EXPECT_TRUE(row.scripts.thawed) << id;
    EXPECT_TRUE(HasError(row, "Cancelled"));
  }
  EXPECT_EQ(2, sent_pre) << "the first wave only";
  EXPECT_TRUE(r.NotThawed().empty());
}

TEST_F(ThawerTest, APostScriptThatAlwaysFailsIsNamedNotThawed) {
  auto ids = Fleet(2);
  ssm_.SetRule("post-script/i-00000002", {.status = "Failed", .exit_code = 2});
  report::SnapshotReport r = Run(Spec(ids));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(std::vector<std::string>{"i-00000002"}, r.NotThawed());
  EXPECT_TRUE(HasError(Row(r, "i-00000002"), "NotThawed"));
  EXPECT_EQ(Thawer::kMaxPostSends, Row(r, "i-00000002").scripts.post.sends);
  auto summary = report::FailureSummary(r);
  EXPECT_TRUE(std::any_of(summary.begin(), summary.end(), [](const std::string& s) {
    return s.find("NOT THAWED") != std::string::npos && s.find("i-00000002") != std::string::npos;
  }));
  EXPECT_NE(std::string::npos, report::ReportMessage(r, true).find("NOT THAWED"));
  EXPECT_NE(std::string::npos, report::ReportToJson(r).find("\"not_thawed\": [\n      \"i-00000002\""));
}

TEST_F(ThawerTest, ALostPostScriptAnswerIsSentAgain) {
  auto ids = Fleet(1);
  bool once = false;
  ssm_.on_call = [this, &once](const std::string& call) {
    Note(call);
    if (call == "SendCommand pre-script" && !once) {
      once = true;
      ssm_.FailNext("SendCommand", Error::Make(ErrorKind::kTransient, "503", "ServiceUnavailable"), 1, true);
    }
  };
  report::SnapshotReport r = Run(Spec(ids));
  EXPECT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(2, Row(r, ids[0]).scripts.post.sends);
  EXPECT_TRUE(Row(r, ids[0]).scripts.thawed);
}

TEST_F(ThawerTest, TheLambdaDeadlineEndsTheThawAndNamesWhatIsNotThawed) {
  auto ids = Fleet(1);
  ssm_.SetRule("post-script", {.polls_in_progress = 1000000});
  cancel_.SetDeadline(clock_.Steady() + std::chrono::seconds(40), std::chrono::seconds(10));
  report::SnapshotReport r = Run(Spec(ids));
  EXPECT_EQ(std::vector<std::string>{ids[0]}, r.NotThawed());
  EXPECT_LE(clock_.Steady(), *cancel_.deadline()) << "never past the deadline: the report must go out";
}

TEST_F(ThawerTest, ExceptionsDoNotDefeatTheThaw) {
  auto ids = Fleet(3);
  ssm_.ThrowNext("GetCommandInvocation");  // in a worker, waiting for a pre-script
  report::SnapshotReport r = Run(Spec(ids));
  EXPECT_TRUE(r.NotThawed().empty()) << report::ReportToText(r);
  for (const auto& id : ids) EXPECT_TRUE(Row(r, id).scripts.thawed) << id;

  FakeSsm throws_on_send;
  ctx_.ssm = &throws_on_send;
  throws_on_send.ThrowNext("SendCommand");  // the pre-script's, on the main thread
  report::SnapshotReport r2 = Run(Spec(ids));
  EXPECT_FALSE(r2.ok());
  EXPECT_TRUE(r2.NotThawed().empty()) << report::ReportToText(r2);
  for (const auto& id : ids) EXPECT_TRUE(Row(r2, id).scripts.thawed) << id;

  FakeSsm throws_on_post;
  ctx_.ssm = &throws_on_post;
  throws_on_post.on_call = [&](const std::string& call) {
    if (call == "SendCommand pre-script") throws_on_post.ThrowNext("SendCommand");  // the sender thread's
  };
  spec::JobSpec one_wave = Spec(ids);
  one_wave.concurrency = 8;
  report::SnapshotReport r3 = Run(one_wave);
  EXPECT_TRUE(r3.NotThawed().empty()) << report::ReportToText(r3);
}

TEST_F(ThawerTest, TheDestructorThawsWhatFinishWasNotCalledFor) {
  Fleet(1);
  Ledger ledger;
  InstanceReport row;
  row.instance_id = "i-00000001";
  ledger.Add(row);
  {
    Thawer t(ctx_, ledger, Spec({"i-00000001"}));
    t.SendPre({"i-00000001"});
  }
  EXPECT_EQ(1, ssm_.SendsTo("post-script", "i-00000001"));
  InstanceReport out;
  ledger.Update("i-00000001", [&](InstanceReport& r) { out = r; });
  EXPECT_TRUE(out.scripts.thawed);
}

TEST_F(ThawerTest, StoppedInstancesGetNoScriptsAndDryRunsSendNothing) {
  auto ids = Fleet(1);
  ec2_.AddInstance("i-00000009", {"vol-9"}, "stopped");
  ids.push_back("i-00000009");
  report::SnapshotReport r = Run(Spec(ids));
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ("stopped", Row(r, "i-00000009").scripts.consistency);
  EXPECT_EQ(0, ssm_.SendsTo("pre-script", "i-00000009"));
  EXPECT_EQ(0, ssm_.SendsTo("post-script", "i-00000009"));
  EXPECT_TRUE(Row(r, "i-00000009").snapshotted);

  FakeSsm dry;
  ctx_.ssm = &dry;
  spec::JobSpec spec = Spec(ids);
  spec.dry_run = true;
  report::SnapshotReport plan = Run(spec);
  EXPECT_TRUE(dry.sent().empty());
  EXPECT_NE(std::string::npos, report::ReportToText(plan).find("would script+snapshot"));
  EXPECT_FALSE(Row(plan, ids[0]).scripts.thaw_owed);
}

TEST_F(ThawerTest, BadScriptSettingsAreRefused) {
  spec::JobSpec s = Spec({"i-00000001"});
  s.stop = true;
  EXPECT_FALSE(spec::ValidateSpec(s).ok());
  s = Spec({"i-00000001"});
  s.stopped = true;
  EXPECT_FALSE(spec::ValidateSpec(s).ok());
  s = Spec({"i-00000001"});
  s.ssm_document = "MyDoc";
  EXPECT_FALSE(spec::ValidateSpec(s).ok()) << "a document and shell commands";
  s = Spec({"i-00000001"});
  s.pre_script.clear();
  s.post_script.clear();
  s.ssm_document = "bad name!";
  EXPECT_FALSE(spec::ValidateSpec(s).ok());
  s.ssm_document = "arn:aws:ssm:us-east-1:123456789012:document/MyDoc";
  EXPECT_TRUE(spec::ValidateSpec(s).ok());
  s.script_timeout = std::chrono::seconds(9);
  EXPECT_FALSE(spec::ValidateSpec(s).ok());
  s.script_timeout = std::chrono::seconds(121);
  EXPECT_FALSE(spec::ValidateSpec(s).ok());
  s = Spec({"i-00000001"});
  s.pre_script = std::string(spec::kMaxScriptLength + 1, 'x');
  EXPECT_FALSE(spec::ValidateSpec(s).ok());
}

}  // namespace
}  // namespace s3snapshot::job
