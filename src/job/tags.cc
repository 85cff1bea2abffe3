#include "job/tags.h"

#include <algorithm>

#include "core/retry.h"
#include "report/snapshot_report.h"

namespace s3snapshot::job {

using aws::Instance;

namespace {

std::string Hex(uint64_t v, int digits) {
  static const char kHex[] = "0123456789abcdef";
  std::string s(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    s[static_cast<size_t>(i)] = kHex[v & 0xf];
    v >>= 4;
  }
  return s;
}

}  // namespace

std::string NewRunId(const core::Clock& clock) {
  return core::FormatAmzDate(clock.Now()) + "-" + Hex(core::SystemRandom64(), 6);
}

bool IsReservedTagKey(const std::string& key) {
  return key.rfind("aws:", 0) == 0 || key.rfind("s3snapshot:", 0) == 0 || key == kTagScripted || key == kTagState ||
         key == "Name";
}

std::vector<aws::Tag> SnapshotTags(const Instance& instance, bool protect, const std::string& label,
                                   const std::string& run_id, const std::string& copy_to) {
  std::vector<aws::Tag> tags;
  tags.push_back({kTagScripted, kTagScriptedValue});
  if (protect) tags.push_back({kTagState, kTagProtected});
  // Name: the instance's Name (or id), plus the device when there is only one
  // (several volumes share one TagSpecification; see device_tagger.h).
  std::string name = instance.TagValue("Name").empty() ? instance.instance_id : instance.TagValue("Name");
  if (instance.block_devices.size() == 1) {
    name += " " + instance.block_devices[0].device_name;
    tags.push_back({kTagDevice, instance.block_devices[0].device_name});
  }
  tags.push_back({"Name", report::TruncateUtf8(name, 256)});
  tags.push_back({kTagInstanceId, instance.instance_id});
  tags.push_back({kTagRunId, run_id});
  if (!label.empty()) tags.push_back({kTagLabel, label});
  if (!copy_to.empty()) tags.push_back({kTagCopyTo, report::TruncateUtf8(copy_to, 256)});
  const size_t limit = kMaxTagsPerResource - 1;
  for (const auto& t : instance.tags) {
    if (tags.size() >= limit) break;
    if (IsReservedTagKey(t.key)) continue;
    tags.push_back(t);
  }
  return tags;
}

std::string SnapshotDescription(const Instance& instance, const std::string& label, const std::string& when) {
  std::string head = "s3snapshot";
  if (!label.empty()) head += " " + label;
  head += ": " + instance.instance_id;
  std::string name = instance.TagValue("Name");
  if (!name.empty()) head += " (" + report::TruncateUtf8(name, 64) + ")";
  std::string tail = " at " + when;
  std::string devices;
  for (const auto& bd : instance.block_devices) devices += " " + bd.device_name + "=" + bd.volume_id;
  size_t room = kMaxDescriptionLength - std::min(kMaxDescriptionLength, head.size() + tail.size());
  if (devices.size() > room) devices = room > 4 ? report::TruncateUtf8(devices, room - 4) + " ..." : "";
  return report::TruncateUtf8(head + devices + tail, kMaxDescriptionLength);
}

std::vector<aws::Tag> CopyTags(std::vector<aws::Tag> tags, const std::string& device,
                               const std::string& source_snapshot_id, const std::string& source_region,
                               const std::string& source_volume_id) {
  // The tool's own tags first: the copy is found, recovered after a lost
  // answer and retained by them, so they must never be the ones cut.
  std::vector<aws::Tag> out, own;
  for (auto& t : tags) {
    if (t.key == kTagCopyTo || t.key == kTagDevice || t.key.rfind("s3snapshot:source-", 0) == 0) continue;
    (IsReservedTagKey(t.key) ? out : own).push_back(std::move(t));
  }
  if (!device.empty()) out.push_back({kTagDevice, device});
  out.push_back({kTagSourceSnapshot, source_snapshot_id});
  out.push_back({kTagSourceRegion, source_region});
  out.push_back({kTagSourceVolume, source_volume_id});
  for (auto& t : own) {
    if (out.size() >= kMaxTagsPerResource) break;
    out.push_back(std::move(t));
  }
  return out;
}

std::string CopyDescription(const std::string& source_snapshot_id, const std::string& source_region,
                            const std::string& source_description) {
  return report::TruncateUtf8("copy of " + source_snapshot_id + " from " + source_region + ": " + source_description,
                              kMaxDescriptionLength);
}

}  // namespace s3snapshot::job
