#include "core/batch_sender.h"

#include <gtest/gtest.h>

#include <mutex>

namespace s3snapshot::core {
namespace {

TEST(BatchSenderTest, SendsEverythingPushedInBatchesNoLargerThanAskedAndDrainsOnClose) {
  std::mutex mu;
  std::vector<std::vector<std::string>> sent;
  BatchSender s(3, [&](const std::vector<std::string>& b) {
    std::lock_guard<std::mutex> l(mu);
    sent.push_back(b);
  });
  s.Start();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(s.Push("i-" + std::to_string(i)));
  s.Close();
  std::vector<std::string> all;
  for (const auto& b : sent) {
    EXPECT_LE(b.size(), 3u);
    all.insert(all.end(), b.begin(), b.end());
  }
  ASSERT_EQ(10u, all.size());
  for (int i = 0; i < 10; ++i) EXPECT_EQ("i-" + std::to_string(i), all[static_cast<size_t>(i)]) << "in order";
  EXPECT_FALSE(s.Push("i-late")) << "closed: not taken (the owner's final phase sees to it)";
  s.Close();  // idempotent
}

TEST(BatchSenderTest, ClosingWithoutStartingJoinsNothing) {
  int calls = 0;
  BatchSender s(5, [&](const std::vector<std::string>&) { ++calls; });
  EXPECT_TRUE(s.Push("i-1"));
  s.Close();
  s.Start();  // after Close: a no-op
  EXPECT_EQ(0, calls);
}

}  // namespace
}  // namespace s3snapshot::core
