#include "job/exclusions.h"

#include <regex>

namespace s3snapshot::job {

namespace {

std::string Bare(const std::string& name) { return name.rfind("/dev/", 0) == 0 ? name.substr(5) : name; }

}  // namespace

bool SameDevice(const std::string& a, const std::string& b) { return Bare(a) == Bare(b); }

bool IsValidDeviceName(const std::string& name) {
  static const std::regex kDevice("^(/dev/)?[a-z][a-z0-9]{1,15}$");
  return std::regex_match(name, kDevice);
}

Exclusions ExclusionsFor(const aws::Instance& instance, const JobSpec& spec) {
  Exclusions out;
  out.boot = spec.exclude_boot;
  for (const auto& bd : instance.block_devices) {
    const bool root = !instance.root_device_name.empty() && SameDevice(bd.device_name, instance.root_device_name);
    bool listed = false;
    for (const auto& d : spec.exclude_devices) listed = listed || SameDevice(d, bd.device_name);
    if (root) {
      if (listed && !spec.exclude_boot) {
        out.warnings.push_back(bd.device_name +
                               " is the root device: only --exclude-boot leaves the root volume out; it is kept");
      }
      if (!spec.exclude_boot) out.kept.push_back(bd);
    } else if (listed) {
      out.data_volume_ids.push_back(bd.volume_id);
    } else {
      out.kept.push_back(bd);
    }
  }
  return out;
}

}  // namespace s3snapshot::job
