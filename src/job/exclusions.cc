#include "job/exclusions.h"

#include <algorithm>
#include <optional>

#include "core/chunks.h"
#include "core/worker_pool.h"
#include "job/tags.h"

namespace s3snapshot::job {

using report::FailureFrom;
using report::FailureRecord;
using report::Step;

namespace {

std::string Bare(const std::string& name) { return name.rfind("/dev/", 0) == 0 ? name.substr(5) : name; }

}  // namespace

bool SameDevice(const std::string& a, const std::string& b) { return Bare(a) == Bare(b); }

Exclusions ExclusionsFor(const aws::Instance& instance, const spec::JobSpec& spec,
                         const std::set<std::string>& opted_out) {
  Exclusions out;
  out.boot = spec.exclude_boot;
  for (const auto& bd : instance.block_devices) {
    const bool root = !instance.root_device_name.empty() && SameDevice(bd.device_name, instance.root_device_name);
    const bool tagged = opted_out.count(bd.volume_id) > 0;
    bool listed = false;
    for (const auto& d : spec.exclude_devices) listed = listed || SameDevice(d, bd.device_name);
    if (root) {
      if (tagged) out.boot = true;  // the volume's own opt-out: ExcludeBootVolume for this instance
      if (listed && !out.boot) {
        out.warnings.push_back(bd.device_name +
                               " is the root device: only --exclude-boot leaves the root volume out; it is kept");
      }
      if (!out.boot) out.kept.push_back(bd);
    } else if (listed || tagged) {
      out.data_volume_ids.push_back(bd.volume_id);
    } else {
      out.kept.push_back(bd);
    }
  }
  return out;
}

std::set<std::string> OptedOutVolumes(aws::Ec2Api& ec2, const std::vector<std::string>& volumes,
                                      std::vector<FailureRecord>* run_errors) {
  if (volumes.empty()) return {};
  // Chunks in parallel (a few in flight; the client's rate limiter paces
  // them): the snapshots wait for this lookup, so it costs one round trip,
  // not one per 200 volumes.
  const auto chunks = core::Chunks(volumes, aws::kMaxFilterValues);
  std::vector<std::optional<core::Result<std::vector<std::string>>>> found(chunks.size());
  {
    core::WorkerPool pool(static_cast<int>(std::min<size_t>(kOptOutLookupsInFlight, chunks.size())));
    for (size_t i = 0; i < chunks.size(); ++i) {
      pool.Submit([&, i] { found[i] = ec2.VolumesTagged(chunks[i], kTagExclude, kTagExcludeValue); });
    }
    pool.Wait();
  }
  std::set<std::string> out;
  for (auto& f : found) {
    if (!f.has_value()) f = core::Error::Make(core::ErrorKind::kInternal, "the lookup did not run");
    if (!f->ok()) {
      run_errors->push_back(
          FailureFrom(Step::kSelect, f->error().WithContext(std::string("reading the volumes' ") + kTagExclude +
                                                            " tags; every volume is snapshotted")));
      return {};
    }
    out.insert((*f)->begin(), (*f)->end());
  }
  return out;
}

}  // namespace s3snapshot::job
