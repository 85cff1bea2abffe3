#include "app/metrics_out.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/chunks.h"
#include "report/metrics.h"

namespace s3snapshot::app {

namespace {

double UnixSeconds(core::WallTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

// PATH written whole, then renamed into place.
core::Status WriteAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      return core::Error::Make(core::ErrorKind::kInvalidInput, "--metrics-file: cannot write '" + tmp + "'",
                               "MetricsFileError");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return core::Error::Make(core::ErrorKind::kInvalidInput,
                             "--metrics-file: cannot rename '" + tmp + "' to '" + path + "'", "MetricsFileError");
  }
  return core::OkStatus();
}

}  // namespace

void PublishMetrics(const MetricsOptions& options, Services& services, core::Logger& logger, report::Report* report) {
  if (options.file.empty() && !options.cloudwatch) return;
  report::Envelope& envelope = report::EnvelopeOf(*report);
  if (envelope.dry_run) {
    // A plan is no fact: its figures would page people (InstancesLeftStopped)
    // and move the last-success time. The file stays as the last run left it.
    logger.Info("dry run: no metrics written or sent");
    return;
  }
  std::string account;
  if (auto a = services.CallerAccount(); a.ok()) {
    account = *a;
  } else {
    logger.Warn("the account id for the metrics is unknown (STS GetCallerIdentity failed)",
                {{"error", a.error().ToString()}});
  }
  const core::WallTime now = services.run_clock().Now();
  const auto scopes = report::RunMetrics(*report, account);
  if (options.cloudwatch) {
    const std::string timestamp = core::FormatIso8601(now);
    std::vector<report::MetricScope> sent = scopes;
    if (auto total = report::OrganizationTotals(scopes)) {
      // The organization's totals, without Region or Account, in the first
      // scope's region (the caller's home region).
      total->region = scopes.front().region;
      sent.push_back(std::move(*total));
    }
    for (size_t n = 0; n < sent.size(); ++n) {
      const report::MetricScope& s = sent[n];
      const bool totals = n == scopes.size();
      std::vector<aws::MetricDatum> data;
      for (const auto& m : s.metrics) {
        std::vector<std::pair<std::string, std::string>> dims;
        if (!totals) dims = {{"Region", s.region}, {"Account", s.account}};
        data.push_back({m.name, m.unit, m.value, dims, timestamp});
        if (!envelope.label.empty()) {
          dims.push_back({"Label", envelope.label});
          data.push_back({m.name, m.unit, m.value, dims, timestamp});
        }
      }
      auto cw = services.CloudWatchFor(s.region);
      for (const auto& chunk : core::Chunks(data, aws::kMaxMetricsPerPut)) {
        auto st = cw->PutMetricData(report::kMetricNamespace, chunk);
        if (!st.ok()) {
          envelope.run_errors.push_back(
              report::FailureFrom(report::Step::kMetrics, st.error().WithContext("PutMetricData in " + s.region)));
          break;
        }
      }
    }
  }
  if (!options.file.empty()) {
    std::optional<double> previous;
    std::ifstream in(options.file);
    if (in) {
      std::stringstream ss;
      ss << in.rdbuf();
      previous = report::PreviousSuccess(ss.str(), *report);
    }
    auto st = WriteAtomically(options.file, report::PrometheusText(scopes, *report, UnixSeconds(now), previous));
    if (!st.ok()) envelope.run_errors.push_back(report::FailureFrom(report::Step::kMetrics, st.error()));
  }
}

std::string EmfFor(const report::Report& report, const std::string& account, Services& services) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(services.run_clock().Now().time_since_epoch());
  return report::EmfLines(report::RunMetrics(report, account), report, ms.count());
}

}  // namespace s3snapshot::app
