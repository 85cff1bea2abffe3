// An in-memory SSM Run Command for job tests: every SendCommand makes one
// invocation per instance whose status follows the rule for its stage
// ("pre-script" / "post-script", read from the command's comment or its
// `command` parameter) and instance: InProgress for `polls_in_progress`
// looks, then its final status. Failures and throws can be queued per
// operation, and `on_call` sees every call (in order with FakeEc2's).
#ifndef S3SNAPSHOT_TESTING_FAKE_SSM_H_
#define S3SNAPSHOT_TESTING_FAKE_SSM_H_

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "aws/ssm_client.h"

namespace s3snapshot::testing {

class FakeSsm : public aws::SsmApi {
 public:
  struct Rule {
    std::string status = "Success";  // the final status
    int polls_in_progress = 0;       // looks that see InProgress first
    int exit_code = 0;
    bool never_shown = false;  // GetCommandInvocation: InvocationDoesNotExist, always
  };
  struct Sent {
    std::string stage, document;
    std::vector<std::string> instance_ids;
    std::map<std::string, std::vector<std::string>> parameters;
    int timeout_seconds = 0;
  };

  // By stage, or by "STAGE/INSTANCE" (which wins).
  void SetRule(const std::string& key, Rule rule) {
    std::lock_guard<std::mutex> l(mu_);
    rules_[key] = rule;
  }
  // The next call to `op` ("SendCommand", "GetCommandInvocation") fails with
  // `e`; with `applied`, a SendCommand that fails is still carried out (the
  // answer was lost).
  void FailNext(const std::string& op, core::Error e, int times = 1, bool applied = false) {
    std::lock_guard<std::mutex> l(mu_);
    for (int i = 0; i < times; ++i) failures_[op].push_back({e, applied});
  }
  // The next call to `op` throws std::out_of_range.
  void ThrowNext(const std::string& op) {
    std::lock_guard<std::mutex> l(mu_);
    throws_[op]++;
  }
  std::function<void(const std::string& call)> on_call;

  core::Result<std::string> SendCommand(const aws::SendCommandRequest& req) override {
    Sent sent{StageOf(req), req.document_name, req.instance_ids, req.parameters, req.timeout_seconds};
    std::string id;
    {
      std::lock_guard<std::mutex> l(mu_);
      log_.push_back("SendCommand " + sent.stage + " " + Join(req.instance_ids));
      MaybeThrow("SendCommand");
      auto f = TakeFailure("SendCommand");
      if (f && !f->applied) return f->error;
      id = "cmd-" + std::to_string(++next_id_);
      commands_[id] = sent;
      sent_.push_back(sent);
      for (const auto& i : req.instance_ids) invocations_[{id, i}] = 0;
      if (f) return f->error;
    }
    if (on_call) on_call("SendCommand " + sent.stage);
    return id;
  }

  core::Result<aws::CommandInvocation> GetCommandInvocation(const std::string& command_id,
                                                            const std::string& instance_id) override {
    aws::CommandInvocation inv;
    {
      std::lock_guard<std::mutex> l(mu_);
      log_.push_back("GetCommandInvocation " + command_id + " " + instance_id);
      MaybeThrow("GetCommandInvocation");
      if (auto f = TakeFailure("GetCommandInvocation")) return f->error;
      auto it = invocations_.find({command_id, instance_id});
      if (it == invocations_.end()) return NotFound();
      const Sent& sent = commands_.at(command_id);
      Rule rule = RuleFor(sent.stage, instance_id);
      if (rule.never_shown) return NotFound();
      inv.command_id = command_id;
      inv.instance_id = instance_id;
      int looks = it->second++;
      if (looks < rule.polls_in_progress) {
        inv.status = "InProgress";
      } else {
        inv.status = rule.status;
        inv.response_code = rule.exit_code;
      }
    }
    if (on_call) on_call("GetCommandInvocation");
    return inv;
  }

  std::vector<Sent> sent() const {
    std::lock_guard<std::mutex> l(mu_);
    return sent_;
  }
  // Instances sent `stage`, counted once per SendCommand.
  int SendsTo(const std::string& stage, const std::string& instance_id) const {
    std::lock_guard<std::mutex> l(mu_);
    int n = 0;
    for (const auto& s : sent_) {
      for (const auto& i : s.instance_ids) n += s.stage == stage && i == instance_id;
    }
    return n;
  }
  std::vector<std::string> log() const {
    std::lock_guard<std::mutex> l(mu_);
    return log_;
  }

 private:
  struct Failure {
    core::Error error;
    bool applied;
  };
  static std::string StageOf(const aws::SendCommandRequest& req) {
    auto it = req.parameters.find("command");
    if (it != req.parameters.end() && !it->second.empty()) return it->second.front();
    auto space = req.comment.rfind(' ');
    return space == std::string::npos ? req.comment : req.comment.substr(space + 1);
  }
  static std::string Join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
    return s;
  }
  static core::Error NotFound() {
    return core::Error::Make(core::ErrorKind::kNotFound, "invocation does not exist", "InvocationDoesNotExist");
  }
  Rule RuleFor(const std::string& stage, const std::string& instance) const {
    auto it = rules_.find(stage + "/" + instance);
    if (it != rules_.end()) return it->second;
    it = rules_.find(stage);
    return it != rules_.end() ? it->second : Rule{};
  }
  std::optional<Failure> TakeFailure(const std::string& op) {
    auto& q = failures_[op];
    if (q.empty()) return std::nullopt;
    Failure f = q.front();
    q.pop_front();
    return f;
  }
  void MaybeThrow(const std::string& op) {
    auto it = throws_.find(op);
    if (it != throws_.end() && it->second > 0) {
      --it->second;
      throw std::out_of_range("fake SSM: " + op);
    }
  }

  mutable std::mutex mu_;
  std::map<std::string, Rule> rules_;
  std::map<std::string, std::deque<Failure>> failures_;
  std::map<std::string, int> throws_;
  std::map<std::string, Sent> commands_;
  std::map<std::pair<std::string, std::string>, int> invocations_;  // -> looks so far
  std::vector<Sent> sent_;
  std::vector<std::string> log_;
  int next_id_ = 0;
};

}  // namespace s3snapshot::testing

#endif  // S3SNAPSHOT_TESTING_FAKE_SSM_H_
