// Slicing a list into the batches an API accepts (200 filter values, 50
// instance ids, 1,000 tag resources, ...).
#ifndef S3SNAPSHOT_CORE_CHUNKS_H_
#define S3SNAPSHOT_CORE_CHUNKS_H_

#include <algorithm>
#include <cstddef>
#include <vector>

namespace s3snapshot::core {

// `items` in consecutive slices of at most `n` (n > 0), in order; none when
// `items` is empty.
template <typename T>
std::vector<std::vector<T>> Chunks(const std::vector<T>& items, size_t n) {
  std::vector<std::vector<T>> out;
  if (n == 0) n = 1;
  out.reserve((items.size() + n - 1) / n);
  for (size_t i = 0; i < items.size(); i += n) {
    auto first = items.begin() + static_cast<std::ptrdiff_t>(i);
    auto last = items.begin() + static_cast<std::ptrdiff_t>(std::min(i + n, items.size()));
    out.emplace_back(first, last);
  }
  return out;
}

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_CHUNKS_H_
