#include "report/envelope.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <streambuf>

#include "report/json_stream.h"

namespace s3snapshot::report {

std::string StepName(const FailureRecord& f) {
  switch (f.step) {
    case Step::kSelect:
      return "select";
    case Step::kStop:
      return "stop";
    case Step::kSnapshot:
      return "snapshot";
    case Step::kStart:
      return "start";
    case Step::kWait:
      return "wait";
    case Step::kCopy:
      return "copy";
    case Step::kCopyTo:
      return "copy to " + f.region;
    case Step::kRetention:
      return "retention";
    case Step::kEarlierSnapshot:
      return "earlier snapshot";
    case Step::kPreScript:
      return "pre-script";
    case Step::kPostScript:
      return "post-script";
    case Step::kEvent:
      return "event";
    case Step::kAudit:
      return "audit";
    case Step::kRestore:
      return "restore";
    case Step::kDrill:
      return "drill";
    case Step::kLock:
      return "lock";
    case Step::kNotify:
      return "notify";
    case Step::kMetrics:
      return "metrics";
    case Step::kInternal:
      return "internal";
  }
  return "internal";
}

FailureRecord FailureFrom(Step step, const core::Error& e) {
  return FailureRecord{step, "", e.code.empty() ? core::ErrorKindName(e.kind) : e.code, e.message, e.request_id};
}

FailureRecord Failure(Step step, const std::string& code, const std::string& message) {
  return FailureRecord{step, "", code, message, ""};
}

FailureRecord CopyFailureFrom(const std::string& region, const core::Error& e) {
  FailureRecord f = FailureFrom(Step::kCopyTo, e);
  f.region = region;
  return f;
}

FailureRecord CopyFailure(const std::string& region, const std::string& code, const std::string& message) {
  FailureRecord f = Failure(Step::kCopyTo, code, message);
  f.region = region;
  return f;
}

std::string FailureLine(const FailureRecord& f) {
  std::string s = StepName(f) + ": ";
  if (!f.code.empty()) s += f.code + ": ";
  s += f.message;
  if (!f.request_id.empty()) s += " (request id " + f.request_id + ")";
  return s;
}

nlohmann::json FailureJson(const FailureRecord& f) {
  return {{"step", StepName(f)}, {"code", f.code}, {"message", f.message}, {"request_id", f.request_id}};
}

void PutEnvelopeJson(const Envelope& r, const char* command, bool ok, nlohmann::json* j) {
  nlohmann::json& o = *j;
  o["command"] = command;
  o["report_version"] = kReportVersion;
  o["run_id"] = r.run_id;
  o["region"] = r.region;
  if (!r.account.empty()) o["account"] = r.account;
  o["started_at"] = r.started_at;
  o["finished_at"] = r.finished_at;
  o["seconds"] = r.seconds;
  o["label"] = r.label;
  o["cancelled"] = r.cancelled;
  if (r.cancelled) o["cancel_reason"] = r.cancel_reason;
  o["selection_failed"] = r.selection_failed;
  o["ok"] = ok;
  o["not_found"] = r.not_found;
  o["not_matching_tags"] = r.not_matching_tags;
  o["errors"] = nlohmann::json::array();
  for (const auto& e : r.run_errors) o["errors"].push_back(FailureJson(e));
  o["scopes"] = nlohmann::json::array();
  for (const auto& s : r.scopes) {
    const size_t slash = s.scope.find('/');
    o["scopes"].push_back({{"scope", s.scope},
                           {"account", slash == std::string::npos ? "" : s.scope.substr(0, slash)},
                           {"region", slash == std::string::npos ? s.scope : s.scope.substr(slash + 1)},
                           {"ok", s.ok},
                           {"items", s.items},
                           {"failed", s.failed},
                           {"run_errors", s.run_errors}});
  }
}

ScopeSummary SummaryOf(const Envelope& p, const std::string& scope, int items, int failed) {
  ScopeSummary s;
  s.scope = scope;
  s.items = items;
  s.failed = failed;
  s.run_errors = static_cast<int>(p.run_errors.size());
  s.ok = failed == 0 && p.run_errors.empty() && !p.cancelled;
  return s;
}

void WriteBoundedLines(const std::vector<std::string>& lines, size_t max, const char* what, std::ostream& o) {
  for (size_t i = 0; i < lines.size() && i < max; ++i) o << lines[i] << "\n";
  if (lines.size() > max) o << "... and " << lines.size() - max << " more " << what << ": see the full report\n";
}

void WriteScopes(const Envelope& r, const char* noun, const char* failed_word, std::ostream& o, bool failed_first) {
  if (r.scopes.size() < 2) return;
  struct Account {
    int regions = 0, items = 0, failed = 0, run_errors = 0;
    std::vector<const ScopeSummary*> bad;
  };
  std::vector<std::string> order;
  std::map<std::string, Account> accounts;
  for (const auto& s : r.scopes) {
    const size_t slash = s.scope.find('/');
    const std::string account = slash == std::string::npos ? "(caller)" : s.scope.substr(0, slash);
    if (!accounts.count(account)) order.push_back(account);
    Account& a = accounts[account];
    ++a.regions;
    a.items += s.items;
    a.failed += s.failed;
    a.run_errors += s.run_errors;
    if (!s.ok) a.bad.push_back(&s);
  }
  if (failed_first) {
    std::stable_partition(order.begin(), order.end(), [&](const std::string& a) { return !accounts[a].bad.empty(); });
  }
  o << "by account:\n";
  for (const auto& name : order) {
    const Account& a = accounts[name];
    o << "  " << Pad(name, 14) << " " << a.regions << " region(s), " << a.items << " " << noun << ", " << a.failed
      << " " << failed_word << (a.run_errors > 0 ? ", " + std::to_string(a.run_errors) + " run error(s)" : "")
      << (a.bad.empty() ? "" : ": FAILED") << "\n";
    for (const ScopeSummary* s : a.bad) {
      o << "    " << s->scope << ": " << s->failed << " " << failed_word
        << (s->run_errors > 0 ? ", " + std::to_string(s->run_errors) + " run error(s)" : "") << "\n";
    }
  }
}

std::string AccountsText(const Envelope& r) {
  if (r.account.empty()) return "";
  const auto n = std::count(r.account.begin(), r.account.end(), ',') + 1;
  if (n <= 3) return " (account " + r.account + ")";
  return " (" + std::to_string(n) + " accounts)";
}

void MergeEnvelope(Envelope p, const std::string& scope, bool first, Envelope* m) {
  if (first) {
    m->run_id = p.run_id;
    m->account = p.account;
    m->started_at = p.started_at;
    m->finished_at = p.finished_at;
    m->dry_run = p.dry_run;
    m->label = p.label;
    m->api_calls = p.api_calls;
    m->throttled = p.throttled;
  }
  if (m->region.find(p.region) == std::string::npos) m->region += (m->region.empty() ? "" : ",") + p.region;
  for (auto& e : p.run_errors) {
    e.message = "[" + scope + "] " + e.message;
    m->run_errors.push_back(std::move(e));
  }
  for (const auto& id : p.not_matching_tags) m->not_matching_tags.push_back(id + " [" + scope + "]");
  for (auto& id : p.not_found) {
    if (std::find(m->not_found.begin(), m->not_found.end(), id) == m->not_found.end()) m->not_found.push_back(id);
  }
  m->seconds = std::max(m->seconds, p.seconds);
  m->cancelled = m->cancelled || p.cancelled;
  m->selection_failed = m->selection_failed || p.selection_failed;
  if (p.cancelled && m->cancel_reason.empty()) m->cancel_reason = p.cancel_reason;
  if (p.started_at < m->started_at) m->started_at = p.started_at;
  if (p.finished_at > m->finished_at) m->finished_at = p.finished_at;
}

void DropFoundIds(const std::set<std::string>& found, Envelope* m) {
  m->not_found.erase(std::remove_if(m->not_found.begin(), m->not_found.end(),
                                    [&](const std::string& id) { return found.count(id) > 0; }),
                     m->not_found.end());
}

bool IsSelectionFailure(const Envelope& r, const FailureRecord& e) {
  return r.selection_failed && e.step == Step::kSelect && e.code != "NothingSelected";
}

std::string RunErrorCount(const Envelope& r) {
  if (r.run_errors.empty()) return "";
  return ", " + std::to_string(r.run_errors.size()) + " run error" + (r.run_errors.size() == 1 ? "" : "s");
}

void WriteReportingCalls(const Envelope& r, std::ostream& o) {
  // Made after the report was concluded (the SNS message carries the count above).
  if (r.reporting_api_calls > 0) {
    o << "then " << r.reporting_api_calls << " API call(s) to notify and send metrics\n";
  }
}

std::string SubjectLine(std::string s, const Envelope& r) {
  s += " [" + r.region + "]";
  if (r.label.size() > 0 && s.size() + r.label.size() + 3 <= 100) s += " " + r.label;
  if (s.size() > 100) s = s.substr(0, 100);
  // SNS subjects: printable ASCII, no line breaks.
  for (char& c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) c = '?';
  }
  return s;
}

std::string TruncateUtf8(const std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

namespace {

// Keeps the first `limit` bytes written to it and notes whether more came.
class BoundedBuf : public std::streambuf {
 public:
  explicit BoundedBuf(size_t limit) : limit_(limit) {}
  std::string& str() { return s_; }
  bool overflowed() const { return overflowed_; }

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) {
      char ch = traits_type::to_char_type(c);
      xsputn(&ch, 1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* p, std::streamsize n) override {
    size_t room = limit_ - s_.size();
    size_t take = std::min(room, static_cast<size_t>(n));
    s_.append(p, take);
    if (take < static_cast<size_t>(n)) overflowed_ = true;
    return n;
  }

 private:
  size_t limit_;
  std::string s_;
  bool overflowed_ = false;
};

}  // namespace

std::string LimitedText(size_t max_bytes, const std::function<void(std::ostream&)>& write) {
  BoundedBuf buf(max_bytes);
  std::ostream o(&buf);
  write(o);
  o.flush();
  std::string body = std::move(buf.str());
  if (buf.overflowed()) {
    std::string tail = "\n... (truncated; the full report is in the run's output)\n";
    body = TruncateUtf8(body, max_bytes - tail.size()) + tail;
  }
  return body;
}

std::string Pad(const std::string& s, size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

std::string Seconds(double s) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%.1fs", s);
  return buf;
}

std::string HumanAge(long long seconds) {
  if (seconds < 0) return "?";
  long long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60, s = seconds % 60;
  char buf[48];
  if (d > 0) {
    snprintf(buf, sizeof(buf), h ? "%lldd%lldh" : "%lldd", d, h);
  } else if (h > 0) {
    snprintf(buf, sizeof(buf), m ? "%lldh%lldm" : "%lldh", h, m);
  } else if (m > 0) {
    snprintf(buf, sizeof(buf), "%lldm", m);
  } else {
    snprintf(buf, sizeof(buf), "%llds", s);
  }
  return buf;
}

std::string HumanAgeBeyond(long long seconds, long long limit) {
  std::string shown = HumanAge(seconds);
  long long d = seconds / 86400, h = seconds % 86400 / 3600, m = seconds % 3600 / 60;
  const long long shown_seconds = d > 0 ? d * 86400 + h * 3600 : h > 0 ? h * 3600 + m * 60 : m > 0 ? m * 60 : seconds;
  if (seconds <= limit || shown_seconds > limit) return shown;
  // Rounded down it would read as within the limit: every unit, to the second.
  std::string out;
  for (auto [n, unit] : {std::pair<long long, const char*>{d, "d"}, {h, "h"}, {m, "m"}, {seconds % 60, "s"}}) {
    if (n > 0) out += std::to_string(n) + unit;
  }
  return out;
}

}  // namespace s3snapshot::report
