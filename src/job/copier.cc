#include "job/copier.h"

#include <algorithm>

#include "core/chunks.h"
#include "job/retry_policy.h"
#include "job/tags.h"

namespace s3snapshot::job {

using core::ErrorKind;
using core::LogLevel;

namespace {

struct Copy {
  const CopySource* source;
  std::string region;
  std::string copy_id;  // set once CopySnapshot answered
};

void Record(Ledger& ledger, const Copy& c, const std::string& state) {
  ledger.Update(c.source->instance_id, [&](InstanceReport& r) {
    for (auto& s : r.snapshots) {
      if (s.snapshot_id != c.source->snapshot_id) continue;
      for (auto& rec : s.copies) {
        if (rec.region == c.region) {
          rec.snapshot_id = c.copy_id;
          rec.state = state;
          return;
        }
      }
      s.copies.push_back({c.region, c.copy_id, state});
    }
  });
}

void Fail(Ledger& ledger, const Copy& c, FailureRecord f) { ledger.AddError(c.source->instance_id, std::move(f)); }

// Sends one CopySnapshot; after a lost answer, finds the copy by its tag.
core::Result<std::string> SendCopy(const JobContext& ctx, aws::Ec2Api& dest, const Copy& c,
                                   const CopyOptions& options) {
  const CopySource& s = *c.source;
  aws::CopySnapshotRequest req;
  req.source_region = options.source_region;
  req.source_snapshot_id = s.snapshot_id;
  req.description = CopyDescription(s.snapshot_id, options.source_region, s.description);
  req.kms_key_id = options.kms_key_id;
  req.encrypted = !options.kms_key_id.empty();
  req.tags = CopyTags(s.tags, s.device, s.several_devices, s.snapshot_id, options.source_region, s.volume_id);
  auto r = dest.CopySnapshot(req);
  if (!r.ok() && (r.error().kind == ErrorKind::kAmbiguous || r.error().kind == ErrorKind::kMalformed)) {
    aws::DescribeSnapshotsRequest find;
    find.owner_ids = {"self"};
    find.filters = {{std::string("tag:") + kTagSourceSnapshot, {s.snapshot_id}}};
    auto found = aws::DescribeAllSnapshots(dest, find);
    if (found.ok() && !found->empty()) {
      ctx.Log(LogLevel::kWarn, "CopySnapshot outcome was unknown; found the copy",
              {{"snapshot", s.snapshot_id}, {"region", c.region}});
      return found->front().snapshot_id;
    }
  }
  return r;
}

}  // namespace

void CopyToRegions(const JobContext& ctx, Ledger& ledger, const std::vector<CopySource>& sources,
                   const std::map<std::string, aws::Ec2Api*>& destinations, const CopyOptions& options) {
  std::vector<Copy> queue, flights;
  for (const auto& [region, _] : destinations) {
    for (const auto& s : sources) queue.push_back({&s, region, ""});
  }
  if (queue.empty()) return;
  ctx.Log(LogLevel::kInfo, "copying " + std::to_string(sources.size()) + " snapshot(s) to " +
                               std::to_string(destinations.size()) + " region(s)");
  std::map<std::string, int> in_flight;
  auto deadline = ctx.clock->Steady() + options.timeout;
  for (int round = 0; !queue.empty() || (!flights.empty() && options.wait); ++round) {
    // Start what each region's limit allows.
    for (auto it = queue.begin(); it != queue.end() && !ctx.Cancelled();) {
      if (in_flight[it->region] >= options.max_in_flight) {
        ++it;
        continue;
      }
      auto r = SendCopy(ctx, *destinations.at(it->region), *it, options);
      if (r.ok()) {
        it->copy_id = *r;
        Record(ledger, *it, "pending");
        in_flight[it->region]++;
        flights.push_back(std::move(*it));
        it = queue.erase(it);
      } else if (IsRetryableAtJobLevel(r.error())) {
        ++it;  // the destination's concurrent-copy limit (kLimit), or throttling: later
      } else {
        Record(ledger, *it, "failed");
        Fail(ledger, *it, FailureFrom("copy to " + it->region, r.error()));
        it = queue.erase(it);
      }
    }
    if (ctx.Cancelled() || ctx.clock->Steady() >= deadline) break;
    if (flights.empty() && queue.empty()) break;
    if (flights.empty()) {
      // Nothing in flight but work refused for now (throttled): back off.
      ctx.clock->Sleep(ctx.Backoff(round));
      continue;
    }
    SleepUnlessCancelled(*ctx.clock, ctx.cancel, ctx.Backoff(round));
    // Poll each region's copies in flight, in batches.
    for (const auto& destination : destinations) {
      const std::string& region = destination.first;  // named: lambdas below capture it
      aws::Ec2Api* dest = destination.second;
      std::vector<std::string> ids;
      for (const auto& f : flights) {
        if (f.region == region) ids.push_back(f.copy_id);
      }
      for (const auto& chunk : core::Chunks(ids, 200)) {
        aws::DescribeSnapshotsRequest req;
        req.owner_ids = {"self"};
        req.filters = {{"snapshot-id", chunk}};
        auto snaps = aws::DescribeAllSnapshots(*dest, req);
        if (!snaps.ok()) {
          if (snaps.error().kind == ErrorKind::kAuth || snaps.error().kind == ErrorKind::kInvalidInput) {
            // Polling cannot succeed: every copy in flight there fails.
            for (const auto& f : flights) {
              if (f.region == region) Fail(ledger, f, FailureFrom("copy to " + region, snaps.error()));
            }
            flights.erase(
                std::remove_if(flights.begin(), flights.end(), [&](const Copy& f) { return f.region == region; }),
                flights.end());
            in_flight[region] = 0;
            break;
          }
          continue;
        }
        for (const auto& s : *snaps) {
          if (s.state != "completed" && s.state != "error") continue;
          auto f =
              std::find_if(flights.begin(), flights.end(), [&](const Copy& c) { return c.copy_id == s.snapshot_id; });
          if (f == flights.end()) continue;
          Record(ledger, *f, s.state);
          if (s.state == "error") {
            Fail(ledger, *f,
                 Failure("copy to " + f->region, "SnapshotError", "copy " + f->copy_id + " ended in state 'error'"));
          }
          in_flight[f->region]--;
          flights.erase(f);
        }
      }
    }
  }
  for (const auto& c : queue) {
    Record(ledger, c, "not started");
    Fail(ledger, c,
         Failure("copy to " + c.region, ctx.Cancelled() ? "Cancelled" : "CopyTimeout", "the copy was not started"));
  }
  if (options.wait) {
    for (const auto& f : flights) {
      Fail(ledger, f, Failure("copy to " + f.region, "WaitTimeout", "copy " + f.copy_id + " not completed in time"));
    }
  }
}

}  // namespace s3snapshot::job
