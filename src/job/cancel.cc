#include "job/cancel.h"

#include <csignal>
#include <cstring>

namespace s3snapshot::job {

namespace {
// The first signal is the one that cancelled the run: a second one (an
// impatient Ctrl-C after a SIGTERM) must not rename the cause in the report.
volatile std::sig_atomic_t g_first_signal = 0;
volatile std::sig_atomic_t g_signal_count = 0;

extern "C" void HandleSignal(int sig) {
  if (g_first_signal == 0) g_first_signal = sig;
  g_signal_count = g_signal_count + 1;
}

const char* SignalName(int sig) {
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal";
  }
}
}  // namespace

void CancelToken::Cancel(const std::string& reason) {
  core::MutexLock l(&mu_);
  if (!cancelled_) reason_ = reason;
  cancelled_ = true;
}

bool CancelToken::ShouldStop(const core::Clock& clock) const {
  if (cancelled_) return true;
  if (g_first_signal != 0) {
    const_cast<CancelToken*>(this)->Cancel(SignalName(g_first_signal));
    return true;
  }
  core::MutexLock l(&mu_);
  if (deadline_ && clock.Steady() + reserve_ >= *deadline_) {
    const_cast<CancelToken*>(this)->cancelled_ = true;
    if (reason_.empty()) const_cast<CancelToken*>(this)->reason_ = "deadline";
    return true;
  }
  return false;
}

bool CancelToken::NoTimeFor(const core::Clock& clock, core::Duration needed) const {
  core::MutexLock l(&mu_);
  return deadline_ && clock.Steady() + reserve_ + needed >= *deadline_;
}

std::string CancelToken::reason() const {
  core::MutexLock l(&mu_);
  return reason_;
}

void CancelToken::SetDeadline(std::chrono::steady_clock::time_point deadline, std::chrono::milliseconds reserve) {
  core::MutexLock l(&mu_);
  deadline_ = deadline;
  reserve_ = reserve;
}

std::optional<std::chrono::steady_clock::time_point> CancelToken::deadline() const {
  core::MutexLock l(&mu_);
  return deadline_;
}

void InstallSignalHandlers(CancelToken*) {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_handler = HandleSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking calls wake up
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

int SignalsReceived() { return g_signal_count; }

bool SleepUnlessCancelled(core::Clock& clock, const CancelToken* token, core::Duration d) {
  const core::Duration step(200);
  core::Duration left = d;
  while (left.count() > 0) {
    if (token && token->ShouldStop(clock)) return false;
    core::Duration s = left < step ? left : step;
    clock.Sleep(s);
    left -= s;
  }
  return !(token && token->ShouldStop(clock));
}

}  // namespace s3snapshot::job
