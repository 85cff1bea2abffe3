#include "cli/progress.h"

#include <unistd.h>

#include <string>

namespace s3snapshot::cli {

namespace {

std::string Clock(double s) {
  if (s < 0) return "--:--";
  long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600) {
    snprintf(buf, sizeof(buf), "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  } else {
    snprintf(buf, sizeof(buf), "%ld:%02ld", t / 60, t % 60);
  }
  return buf;
}

std::string Bar(int percent, int width) {
  int filled = percent * width / 100;
  return "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.') +
         "]";
}

int Overall(const job::ProgressUpdate& u) {
  if (u.items.empty()) return 100;
  long sum = 0;
  for (const auto& i : u.items) sum += i.percent;
  return static_cast<int>(sum / static_cast<long>(u.items.size()));
}

}  // namespace

void TerminalProgress::Update(const job::ProgressUpdate& u) {
  std::string s;
  if (lines_drawn_ > 0) s += "\033[" + std::to_string(lines_drawn_) + "A";  // back to the block's top
  const size_t kShown = 10;
  int lines = 0;
  for (size_t i = 0; i < u.items.size() && i < kShown; ++i) {
    const auto& it = u.items[i];
    char buf[256];
    snprintf(buf, sizeof(buf), "\r\033[K  %-24.24s %-30.30s %s %3d%% %s\n", it.snapshot_id.c_str(), it.label.c_str(),
             Bar(it.percent, 20).c_str(), it.percent, it.state.c_str());
    s += buf;
    ++lines;
  }
  if (u.items.size() > kShown) {
    s += "\r\033[K  ... and " + std::to_string(u.items.size() - kShown) + " more\n";
    ++lines;
  }
  char buf[256];
  int pct = Overall(u);
  snprintf(buf, sizeof(buf), "\r\033[K%s %3d%%  %d/%d completed%s  elapsed %s  eta %s\n", Bar(pct, 30).c_str(), pct,
           u.completed, u.total, u.failed ? (", " + std::to_string(u.failed) + " failed").c_str() : "",
           Clock(u.elapsed_seconds).c_str(), u.final ? "0:00" : Clock(u.eta_seconds).c_str());
  s += buf;
  ++lines;
  lines_drawn_ = lines;
  fputs(s.c_str(), out_);
  fflush(out_);
}

void LineProgress::Update(const job::ProgressUpdate& u) {
  if (!u.final && u.elapsed_seconds - last_printed_ < static_cast<double>(every_.count())) return;
  last_printed_ = u.elapsed_seconds;
  fprintf(out_, "s3snapshot: %s: %d/%d snapshot(s) completed%s, %d%%, elapsed %s, eta %s\n",
          u.final ? "wait finished" : "waiting", u.completed, u.total,
          u.failed ? (", " + std::to_string(u.failed) + " failed").c_str() : "", Overall(u),
          Clock(u.elapsed_seconds).c_str(), u.final ? "0:00" : Clock(u.eta_seconds).c_str());
  fflush(out_);
}

std::unique_ptr<job::ProgressSink> MakeProgress(FILE* out) {
  if (isatty(fileno(out))) return std::make_unique<TerminalProgress>(out);
  return std::make_unique<LineProgress>(out, std::chrono::seconds(30));
}

}  // namespace s3snapshot::cli
