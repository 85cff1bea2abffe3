#include "app/run.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "app/metrics_out.h"
#include "job/tags.h"
#include "testing/ec2_api_wrapper.h"
#include "testing/fake_clock.h"
#include "testing/fake_ec2.h"
#include "testing/fake_ssm.h"

namespace s3snapshot::app {
namespace {

using core::Error;
using core::ErrorKind;

struct Published {
  std::string region, topic, subject, message;
};

// One FakeEc2 per (role, region); SNS publishes recorded in order.
class FakeServices : public Services {
 public:
  testing::FakeEc2& Ec2Of(const std::string& role, const std::string& region) {
    std::lock_guard<std::mutex> l(mu_);
    return fakes_[{role, region}];
  }
  const std::string& home_region() const override { return home_; }
  core::Clock& run_clock() override { return clock_; }
  std::unique_ptr<aws::Ec2Api> Ec2For(const std::string& role, const std::string&, const std::string& region) override {
    std::lock_guard<std::mutex> l(mu_);
    asked_.push_back(role + "@" + region);
    return std::make_unique<testing::Ec2ApiWrapper>(&fakes_[{role, region}], region);
  }
  std::unique_ptr<aws::SsmApi> SsmFor(const std::string& role, const std::string&, const std::string& region) override {
    struct Forward : aws::SsmApi {
      explicit Forward(testing::FakeSsm* f) : fake(f) {}
      core::Result<std::string> SendCommand(const aws::SendCommandRequest& req) override {
        return fake->SendCommand(req);
      }
      core::Result<aws::CommandInvocation> GetCommandInvocation(const std::string& c, const std::string& i) override {
        return fake->GetCommandInvocation(c, i);
      }
      testing::FakeSsm* fake;
    };
    std::lock_guard<std::mutex> l(mu_);
    asked_ssm.push_back(role + "@" + region);
    return std::make_unique<Forward>(&ssm);
  }
  testing::FakeSsm ssm;
  std::vector<std::string> asked_ssm;  // guarded by mu_
  std::unique_ptr<aws::SnsApi> SnsFor(const std::string& region) override {
    struct Sns : aws::SnsApi {
      Sns(FakeServices* o, std::string r) : owner(o), region(std::move(r)) {}
      core::Result<std::string> Publish(const std::string& topic, const std::string& subject,
                                        const std::string& message) override {
        std::lock_guard<std::mutex> l(owner->mu_);
        owner->published.push_back({region, topic, subject, message});
        if (owner->sns_fails) return Error::Make(ErrorKind::kAuth, "no", "AuthorizationError");
        return std::string("msg-1");
      }
      FakeServices* owner;
      std::string region;
    };
    return std::make_unique<Sns>(this, region);
  }
  std::unique_ptr<aws::CloudWatchApi> CloudWatchFor(const std::string& region) override {
    struct Cw : aws::CloudWatchApi {
      Cw(FakeServices* o, std::string r) : owner(o), region(std::move(r)) {}
      core::Status PutMetricData(const std::string& ns, const std::vector<aws::MetricDatum>& data) override {
        std::lock_guard<std::mutex> l(owner->mu_);
        for (const auto& d : data) owner->put.push_back({region, ns, d});
        return core::OkStatus();
      }
      FakeServices* owner;
      std::string region;
    };
    return std::make_unique<Cw>(this, region);
  }
  // An organization: accounts per parent (root "r-root", OUs), pages of
  // `page_size` with an empty page first, as AWS may answer.
  struct FakeOrg : aws::OrganizationsApi {
    std::map<std::string, std::vector<aws::OrgAccount>> accounts_of;  // parent -> accounts
    std::map<std::string, std::vector<std::string>> ous_of;           // parent -> OUs
    int calls = 0;
    core::Result<aws::Page<aws::OrgAccount>> Paged(const std::vector<aws::OrgAccount>& all, const std::string& token) {
      ++calls;
      aws::Page<aws::OrgAccount> page;
      if (token.empty()) {  // an empty first page
        page.next_token = all.empty() ? "" : "0";
        return page;
      }
      size_t at = std::stoul(token);
      for (size_t i = at; i < all.size() && i < at + 2; ++i) page.items.push_back(all[i]);
      if (at + 2 < all.size()) page.next_token = std::to_string(at + 2);
      return page;
    }
    core::Result<aws::Page<aws::OrgAccount>> ListAccounts(const std::string& token) override {
      std::vector<aws::OrgAccount> all;
      for (const auto& [parent, list] : accounts_of) all.insert(all.end(), list.begin(), list.end());
      return Paged(all, token);
    }
    core::Result<aws::Page<aws::OrgAccount>> ListAccountsForParent(const std::string& parent,
                                                                   const std::string& token) override {
      return Paged(accounts_of[parent], token);
    }
    core::Result<aws::Page<std::string>> ListChildOus(const std::string& parent, const std::string&) override {
      ++calls;
      aws::Page<std::string> page;
      page.items = ous_of[parent];
      return page;
    }
  };
  FakeOrg org;
  std::unique_ptr<aws::OrganizationsApi> Organizations() override {
    struct Forward : aws::OrganizationsApi {
      explicit Forward(FakeOrg* o) : org(o) {}
      core::Result<aws::Page<aws::OrgAccount>> ListAccounts(const std::string& t) override {
        return org->ListAccounts(t);
      }
      core::Result<aws::Page<aws::OrgAccount>> ListAccountsForParent(const std::string& p,
                                                                     const std::string& t) override {
        return org->ListAccountsForParent(p, t);
      }
      core::Result<aws::Page<std::string>> ListChildOus(const std::string& p, const std::string& t) override {
        return org->ListChildOus(p, t);
      }
      FakeOrg* org;
    };
    return std::make_unique<Forward>(&org);
  }
  core::Result<std::string> CallerAccount() override { return std::string("111122223333"); }
  long ApiCalls() const override { return 7; }
  long ApiThrottled() const override { return 1; }

  std::vector<Published> published;
  struct Put {
    std::string region, ns;
    aws::MetricDatum datum;
  };
  std::vector<Put> put;
  std::vector<std::string> asked_;
  bool sns_fails = false;

 private:
  std::mutex mu_;
  std::string home_ = "us-east-1";
  testing::FakeClock clock_;
  std::map<std::pair<std::string, std::string>, testing::FakeEc2> fakes_;
};

class RunAllScopesTest : public ::testing::Test {
 protected:
  report::SnapshotReport Run(const spec::JobSpec& spec) {
    return std::get<report::SnapshotReport>(RunAllScopes(spec, services_, logger_, &cancel_));
  }
  FakeServices services_;
  core::NullLogger logger_;
  job::CancelToken cancel_;
};

TEST_F(RunAllScopesTest, OneScopeIsTheHomeRegionWithoutScopeLabels) {
  services_.Ec2Of("", "us-east-1").AddInstance("i-00000001", {"vol-1"});
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  report::SnapshotReport r = Run(spec);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ("us-east-1", r.region);
  ASSERT_EQ(1u, r.instances.size());
  EXPECT_EQ("", r.instances[0].scope);
  EXPECT_EQ(7, r.api_calls);
  EXPECT_EQ(1, r.throttled);
}

TEST_F(RunAllScopesTest, AccountsTimesRegionsFanOutAndMergeWithOneRunId) {
  const std::string role1 = "arn:aws:iam::111111111111:role/s3snapshot";
  const std::string role2 = "arn:aws:iam::222222222222:role/s3snapshot";
  services_.Ec2Of(role1, "us-east-1").AddInstance("i-00000001", {"vol-1"});
  services_.Ec2Of(role1, "eu-west-1").AddInstance("i-00000002", {"vol-2"});
  services_.Ec2Of(role2, "us-east-1").AddInstance("i-00000003", {"vol-3"});
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001", "i-00000002", "i-00000003"};
  spec.regions = {"us-east-1", "eu-west-1"};
  spec.assume_roles = {role1, role2};
  report::SnapshotReport r = Run(spec);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_TRUE(r.not_found.empty()) << "an id is not found only when no scope has it";
  std::map<std::string, std::string> scope_of;
  for (const auto& i : r.instances) scope_of[i.instance_id] = i.scope;
  EXPECT_EQ("111111111111/us-east-1", scope_of["i-00000001"]);
  EXPECT_EQ("111111111111/eu-west-1", scope_of["i-00000002"]);
  EXPECT_EQ("222222222222/us-east-1", scope_of["i-00000003"]);
  EXPECT_EQ("111111111111,222222222222", r.account);
  std::set<std::string> run_ids;
  for (const auto& key :
       {std::make_pair(role1, "us-east-1"), std::make_pair(role1, "eu-west-1"), std::make_pair(role2, "us-east-1")}) {
    for (const auto& s : services_.Ec2Of(key.first, key.second).AllSnapshots()) {
      run_ids.insert(s.TagValue(job::kTagRunId));
    }
  }
  EXPECT_EQ(1u, run_ids.size()) << "one run id across every scope";
  EXPECT_EQ(r.run_id, *run_ids.begin());
}

TEST_F(RunAllScopesTest, ScriptsGoThroughAnSsmClientPerScopeAsItsRoleAndOnlyWhenAsked) {
  const std::string role = "arn:aws:iam::111111111111:role/s3snapshot";
  services_.Ec2Of(role, "us-east-1").AddInstance("i-00000001", {"vol-1"});
  services_.Ec2Of(role, "eu-west-1").AddInstance("i-00000002", {"vol-2"});
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001", "i-00000002"};
  spec.regions = {"us-east-1", "eu-west-1"};
  spec.assume_roles = {role};
  report::SnapshotReport plain = Run(spec);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(services_.asked_ssm.empty()) << "no scripts, no SSM client";
  spec.pre_script = "sync";
  spec.post_script = "true";
  report::SnapshotReport r = Run(spec);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  std::set<std::string> asked(services_.asked_ssm.begin(), services_.asked_ssm.end());
  EXPECT_EQ((std::set<std::string>{role + "@us-east-1", role + "@eu-west-1"}), asked);
  EXPECT_EQ(1, services_.ssm.SendsTo("pre-script", "i-00000001"));
  EXPECT_EQ(1, services_.ssm.SendsTo("post-script", "i-00000002"));
  EXPECT_TRUE(r.NotThawed().empty());
}

TEST_F(RunAllScopesTest, OrgVisitsEveryActiveAccountThroughItsRoleAndTheCallersOwnWithItsOwnCredentials) {
  auto& org = services_.org;
  org.accounts_of["r-root"] = {{"111122223333", "management", "ACTIVE"}, {"444444444444", "gone", "SUSPENDED"}};
  org.accounts_of["ou-root-prod0001"] = {{"222222222222", "prod", "ACTIVE"}, {"555555555555", "skip", "ACTIVE"}};
  org.accounts_of["ou-prod-nested01"] = {{"333333333333", "db", "ACTIVE"}};
  org.ous_of["r-root"] = {"ou-root-prod0001"};
  org.ous_of["ou-root-prod0001"] = {"ou-prod-nested01"};
  const std::string prod = "arn:aws:iam::222222222222:role/backup";
  const std::string db = "arn:aws:iam::333333333333:role/backup";
  services_.Ec2Of("", "us-east-1").AddInstance("i-00000001", {"vol-1"});
  services_.Ec2Of(prod, "us-east-1").AddInstance("i-00000002", {"vol-2"});
  services_.Ec2Of(db, "us-east-1").AddInstance("i-00000003", {"vol-3"});
  spec::JobSpec spec;
  spec.all = true;
  spec.org = true;
  spec.role_name = "backup";
  spec.exclude_accounts = {"555555555555"};
  report::SnapshotReport r = Run(spec);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  std::map<std::string, std::string> scope_of;
  for (const auto& i : r.instances) scope_of[i.instance_id] = i.scope;
  EXPECT_EQ((std::map<std::string, std::string>{{"i-00000001", "111122223333/us-east-1"},
                                                {"i-00000002", "222222222222/us-east-1"},
                                                {"i-00000003", "333333333333/us-east-1"}}),
            scope_of);
  std::set<std::string> asked(services_.asked_.begin(), services_.asked_.end());
  EXPECT_EQ((std::set<std::string>{"@us-east-1", prod + "@us-east-1", db + "@us-east-1"}), asked)
      << "not the suspended account, not the excluded one; the caller's own without a role";

  services_.asked_.clear();
  spec.ous = {"ou-root-prod0001"};
  spec.exclude_accounts.clear();
  report::SnapshotReport under = Run(spec);
  ASSERT_TRUE(under.ok()) << report::ReportToText(under);
  std::set<std::string> ou_asked(services_.asked_.begin(), services_.asked_.end());
  EXPECT_EQ((std::set<std::string>{prod + "@us-east-1", db + "@us-east-1",
                                   "arn:aws:iam::555555555555:role/backup@us-east-1"}),
            ou_asked)
      << "the OU and the one below it; not the root's accounts";
}

TEST_F(RunAllScopesTest, TheOrganizationsReportHasALinePerAccountAndEachScopesStatus) {
  auto& org = services_.org;
  org.accounts_of["r-root"] = {{"111122223333", "management", "ACTIVE"}, {"222222222222", "prod", "ACTIVE"}};
  const std::string prod = "arn:aws:iam::222222222222:role/s3snapshot";
  services_.Ec2Of("", "us-east-1").AddInstance("i-00000001", {"vol-1"});
  services_.Ec2Of(prod, "us-east-1").AddInstance("i-00000002", {"vol-2"});
  services_.Ec2Of(prod, "eu-west-1")
      .FailNext("DescribeInstances", Error::Make(ErrorKind::kAuth, "no", "AuthFailure"), 100);
  spec::JobSpec spec;
  spec.all = true;
  spec.org = true;
  spec.regions = {"us-east-1", "eu-west-1"};
  report::SnapshotReport r = Run(spec);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(4u, r.scopes.size());
  std::map<std::string, bool> ok;
  for (const auto& s : r.scopes) ok[s.scope] = s.ok;
  EXPECT_EQ((std::map<std::string, bool>{{"111122223333/eu-west-1", true},
                                         {"111122223333/us-east-1", true},
                                         {"222222222222/eu-west-1", false},
                                         {"222222222222/us-east-1", true}}),
            ok);
  const std::string text = report::ReportToText(r);
  EXPECT_NE(std::string::npos, text.find("by account:\n  111122223333   2 region(s), 1 instance(s), 0 failed\n"))
      << text;
  EXPECT_NE(std::string::npos,
            text.find("  222222222222   2 region(s), 1 instance(s), 0 failed, 1 run error(s): FAILED\n"
                      "    222222222222/eu-west-1: 0 failed, 1 run error(s)\n"))
      << text;
  const std::string json = report::ReportToJson(r);
  EXPECT_NE(std::string::npos, json.find(R"("scope": "222222222222/eu-west-1")")) << json.substr(0, 2000);
}

TEST_F(RunAllScopesTest, AThousandFailingScopesStillMakeOneSnsMessageWithinItsLimitNamingTheFirst) {
  spec::JobSpec spec;
  spec.all = true;
  spec.sns_arn_error = "arn:aws:sns:us-east-1:100000000000:Snapshot-Err";
  for (int n = 0; n < 1000; ++n) {
    char account[16];
    std::snprintf(account, sizeof account, "%012d", 100000000 + n);
    const std::string role = std::string("arn:aws:iam::") + account + ":role/s3snapshot";
    spec.assume_roles.push_back(role);
    services_.Ec2Of(role, "us-east-1")
        .FailNext("DescribeInstances",
                  Error::Make(ErrorKind::kAuth,
                              "User: arn:aws:sts::" + std::string(account) +
                                  ":assumed-role/s3snapshot/s3snapshot is not authorized to perform "
                                  "ec2:DescribeInstances with an explicit deny in a service control "
                                  "policy",
                              "UnauthorizedOperation"),
                  100);
  }
  report::SnapshotReport r = Run(spec);
  EXPECT_EQ(1000u, r.scopes.size());
  EXPECT_EQ(1000u, r.run_errors.size());
  ASSERT_EQ(1u, services_.published.size()) << "published, never refused for its size";
  const Published& p = services_.published[0];
  EXPECT_LT(p.message.size() + p.subject.size(), 256u * 1024) << "SNS's limit";
  EXPECT_LE(p.subject.size(), 100u);
  EXPECT_NE(std::string::npos, p.message.find("[000100000000/us-east-1]")) << "the first failure is named";
  // The head: every account's counts (here all failed), then the first 100
  // failures and how many more, all before the full report.
  const size_t full = p.message.find("\nFull report:\n");
  ASSERT_NE(std::string::npos, full);
  const std::string head = p.message.substr(0, full);
  EXPECT_NE(std::string::npos,
            head.find("  000100000999   1 region(s), 0 instance(s), 0 failed, 1 run error(s): FAILED"));
  EXPECT_NE(std::string::npos, head.find("... and 900 more failure(s): see the full report")) << head.substr(0, 500);
  EXPECT_EQ(std::string::npos, head.find("000100000999/us-east-1] ")) << "the 1000th failure is counted, not listed";
  EXPECT_NE(std::string::npos, report::ReportToText(r).find("(1000 accounts)")) << "the header counts them";
  EXPECT_TRUE(r.run_errors.size() == 1000u && report::ReportToText(r).size() > 256u * 1024)
      << "the full report is larger than SNS takes: the message is cut, not refused";
}

TEST_F(RunAllScopesTest, AnOrganizationThatCannotBeListedIsARunErrorAndNoScopeRuns) {
  spec::JobSpec spec;
  spec.all = true;
  spec.org = true;
  spec.exclude_accounts = {"111122223333"};
  services_.org.accounts_of["r-root"] = {{"111122223333", "management", "ACTIVE"}};
  report::SnapshotReport r = Run(spec);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(1u, r.run_errors.size());
  EXPECT_NE(std::string::npos, r.run_errors[0].message.find("no ACTIVE account in the organization"));
  EXPECT_TRUE(services_.asked_.empty());
}

TEST_F(RunAllScopesTest, AllRegionsAreListedFromTheHomeRegionWithinItsPartition) {
  services_.Ec2Of("", "eu-west-1").AddInstance("i-00000001", {"vol-1"});
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.regions = {"all"};
  report::SnapshotReport r = Run(spec);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  EXPECT_EQ(1, services_.Ec2Of("", "us-east-1").CallCount("DescribeRegions"));
  ASSERT_EQ(1u, r.instances.size());
  EXPECT_EQ("eu-west-1", r.instances[0].scope) << "FakeEc2 lists us-east-1 and eu-west-1";
}

TEST_F(RunAllScopesTest, ListingTheRegionsFailingIsARunErrorAndNothingElseIsAsked) {
  services_.Ec2Of("", "us-east-1")
      .FailNext("DescribeRegions", Error::Make(ErrorKind::kAuth, "no", "UnauthorizedOperation"));
  spec::JobSpec spec;
  spec.all = true;
  spec.regions = {"all"};
  report::SnapshotReport r = Run(spec);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(1u, r.run_errors.size());
  EXPECT_EQ("select", report::StepName(r.run_errors[0]));
  EXPECT_EQ(1u, services_.asked_.size());
}

TEST_F(RunAllScopesTest, TheSummaryGoesFirstThenTheFailuresEachInTheTopicsRegion) {
  services_.Ec2Of("", "us-east-1").AddInstance("i-00000001", {"vol-1"});
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001", "i-0000000f"};
  spec.sns_arn = "arn:aws:sns:eu-west-1:100000000000:Snapshot";
  spec.sns_arn_error = "arn:aws:sns:us-west-2:100000000000:Snapshot-Err";
  report::SnapshotReport r = Run(spec);
  EXPECT_FALSE(r.ok()) << "i-0000000f is not found";
  ASSERT_EQ(2u, services_.published.size());
  EXPECT_EQ("eu-west-1", services_.published[0].region);
  EXPECT_EQ(spec.sns_arn, services_.published[0].topic);
  EXPECT_EQ("us-west-2", services_.published[1].region);
  EXPECT_EQ(spec.sns_arn_error, services_.published[1].topic);
  EXPECT_NE(std::string::npos, services_.published[1].message.find("i-0000000f"));
}

TEST_F(RunAllScopesTest, NoErrorMessageWhenAllWentWellAndNoneForADryRun) {
  services_.Ec2Of("", "us-east-1").AddInstance("i-00000001", {"vol-1"});
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.sns_arn_error = "arn:aws:sns:us-east-1:100000000000:Snapshot-Err";
  EXPECT_TRUE(Run(spec).ok());
  EXPECT_TRUE(services_.published.empty());
  spec.dry_run = true;
  spec.sns_arn = "arn:aws:sns:us-east-1:100000000000:Snapshot";
  EXPECT_TRUE(Run(spec).ok());
  EXPECT_TRUE(services_.published.empty());
}

TEST_F(RunAllScopesTest, AFailedNotificationIsARunErrorAndTriggersTheErrorTopic) {
  services_.Ec2Of("", "us-east-1").AddInstance("i-00000001", {"vol-1"});
  services_.sns_fails = true;
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.sns_arn = "arn:aws:sns:us-east-1:100000000000:Snapshot";
  spec.sns_arn_error = "arn:aws:sns:us-east-1:100000000000:Snapshot-Err";
  report::SnapshotReport r = Run(spec);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(2u, services_.published.size()) << "the summary failed, so the error topic is told";
  EXPECT_EQ("notify", report::StepName(r.run_errors.at(0)));
}

TEST_F(RunAllScopesTest, EventsTellOnlyFailuresNeverTheSummaryTopic) {
  aws::Snapshot s;
  s.snapshot_id = "snap-a";
  s.volume_id = "vol-1";
  s.state = "error";
  s.tags = {{job::kTagScripted, job::kTagScriptedValue}, {job::kTagInstanceId, "i-00000001"}};
  services_.Ec2Of("", "us-east-1").AddSnapshot(s);
  job::SnapshotEvent ok_event;
  ok_event.event = "createSnapshots";
  ok_event.region = "us-east-1";
  ok_event.succeeded = true;
  ok_event.snapshots = {{"snap-b", "vol-2", "completed"}};
  spec::JobSpec settings;
  settings.sns_arn = "arn:aws:sns:us-east-1:100000000000:Snapshot";
  settings.sns_arn_error = "arn:aws:sns:us-east-1:100000000000:Snapshot-Err";
  EXPECT_TRUE(report::ReportOk(HandleEvent(ok_event, settings, services_, logger_, &cancel_)));
  EXPECT_TRUE(services_.published.empty()) << "a burst of completion events is no burst of summaries";
  job::SnapshotEvent failed = ok_event;
  failed.succeeded = false;
  failed.snapshots = {{"snap-a", "vol-1", "failed"}};
  EXPECT_FALSE(report::ReportOk(HandleEvent(failed, settings, services_, logger_, &cancel_)));
  ASSERT_EQ(1u, services_.published.size());
  EXPECT_EQ(settings.sns_arn_error, services_.published[0].topic);
  EXPECT_NE(std::string::npos, services_.published[0].message.find("snap-a"));
}

TEST_F(RunAllScopesTest, MetricsGoToCloudWatchWithAndWithoutTheLabelAndToTheFile) {
  services_.Ec2Of("", "us-east-1").AddInstance("i-00000001", {"vol-1", "vol-2"});
  spec::JobSpec spec;
  spec.instance_ids = {"i-00000001"};
  spec.label = "nightly";
  report::SnapshotReport r = Run(spec);
  MetricsOptions options;
  options.cloudwatch = true;
  options.file = ::testing::TempDir() + "run_test_metrics_" + std::to_string(getpid()) + ".prom";
  report::Report any = r;
  PublishMetrics(options, services_, logger_, &any);
  r = std::get<report::SnapshotReport>(any);
  ASSERT_TRUE(r.ok()) << report::ReportToText(r);
  int with_label = 0, without = 0;
  for (const auto& p : services_.put) {
    EXPECT_EQ(p.region, "us-east-1");
    EXPECT_EQ(p.ns, "s3snapshot");
    if (p.datum.name != "SnapshotsCreateStarted") continue;
    EXPECT_EQ(p.datum.value, 2);
    EXPECT_EQ(p.datum.dimensions.at(1), (std::pair<std::string, std::string>{"Account", "111122223333"}));
    (p.datum.dimensions.size() == 3 ? with_label : without)++;
  }
  EXPECT_EQ(with_label, 1);
  EXPECT_EQ(without, 1);
  std::ifstream in(options.file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("s3snapshot_snapshots_create_started{command=\"snapshot\",label=\"nightly\","
                            "region=\"us-east-1\",account=\"111122223333\"} 2\n"),
            std::string::npos)
      << text.str();
  std::remove(options.file.c_str());
}

TEST_F(RunAllScopesTest, ASelectionThatMatchesNothingInAnyScopeIsAFailureUnlessAllowed) {
  services_.Ec2Of("", "us-east-1").AddInstance("i-00000001", {"vol-1"}, "running", {{"Env", "PROD"}});
  spec::JobSpec spec;
  spec.tags = {{"tag:Env", {"PRD"}}};
  spec.regions = {"us-east-1", "eu-west-1"};
  spec.sns_arn_error = "arn:aws:sns:us-east-1:100000000000:Snapshot-Err";
  report::SnapshotReport r = Run(spec);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(1u, r.run_errors.size()) << report::ReportToText(r);
  EXPECT_EQ("NothingSelected", r.run_errors[0].code);
  EXPECT_NE(r.run_errors[0].message.find("tags tag:Env=PRD"), std::string::npos) << r.run_errors[0].message;
  EXPECT_NE(r.run_errors[0].message.find("us-east-1, eu-west-1"), std::string::npos) << r.run_errors[0].message;
  ASSERT_EQ(1u, services_.published.size()) << "the error topic is told";
  EXPECT_NE(services_.published[0].subject.find("1 run error"), std::string::npos);
  services_.published.clear();
  spec.allow_empty = true;
  EXPECT_TRUE(Run(spec).ok());
  EXPECT_TRUE(services_.published.empty());
  spec.allow_empty = false;
  spec.tags = {{"tag:Env", {"PROD"}}};
  EXPECT_TRUE(Run(spec).ok()) << "one scope matched";
}

TEST_F(RunAllScopesTest, AMetricsFileThatCannotBeWrittenIsARunError) {
  spec::JobSpec spec;
  spec.all = true;
  spec.allow_empty = true;
  report::SnapshotReport r = Run(spec);
  ASSERT_TRUE(r.ok());
  MetricsOptions options;
  options.file = "/nonexistent-dir-s3snapshot/m.prom";
  report::Report any = r;
  PublishMetrics(options, services_, logger_, &any);
  r = std::get<report::SnapshotReport>(any);
  ASSERT_EQ(r.run_errors.size(), 1u);
  EXPECT_EQ(report::StepName(r.run_errors[0]), "metrics");
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace s3snapshot::app
