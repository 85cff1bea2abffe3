#include "core/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "core/chunks.h"
#include "core/clock.h"
#include "core/parse.h"

namespace s3snapshot::core {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskAndWaits) {
  std::atomic<int> n{0};
  WorkerPool pool(3);
  for (int i = 0; i < 100; ++i) pool.Submit([&] { ++n; });
  pool.Wait();
  EXPECT_EQ(100, n.load());
}

TEST(WorkerPoolTest, AThrowingTaskIsCaughtAndTheOthersStillRun) {
  std::atomic<int> n{0};
  std::vector<std::string> seen;
  std::mutex mu;
  WorkerPool pool(2, [&](const std::string& what) {
    std::lock_guard<std::mutex> l(mu);
    seen.push_back(what);
  });
  pool.Submit([] { throw std::out_of_range("map::at"); });
  pool.Submit([] { throw 42; });
  for (int i = 0; i < 10; ++i) pool.Submit([&] { ++n; });
  pool.Wait();
  EXPECT_EQ(10, n.load());
  EXPECT_EQ(2, pool.exceptions());
  ASSERT_EQ(2u, seen.size());
}

TEST(WorkerPoolTest, TasksMaySubmitTasks) {
  std::atomic<int> n{0};
  WorkerPool pool(2);
  pool.Submit([&] {
    for (int i = 0; i < 5; ++i) pool.Submit([&] { ++n; });
  });
  pool.Wait();
  EXPECT_EQ(5, n.load());
}

TEST(ChunksTest, SlicesInOrderWithAShortLastOne) {
  std::vector<int> v = {1, 2, 3, 4, 5};
  auto c = Chunks(v, 2);
  ASSERT_EQ(3u, c.size());
  EXPECT_EQ((std::vector<int>{1, 2}), c[0]);
  EXPECT_EQ((std::vector<int>{5}), c[2]);
  EXPECT_TRUE(Chunks(std::vector<int>{}, 200).empty());
}

TEST(ExponentialBackoffTest, DoublesUpToTheCap) {
  EXPECT_EQ(Duration(1000), ExponentialBackoff(Duration(1000), Duration(15000), 0));
  EXPECT_EQ(Duration(8000), ExponentialBackoff(Duration(1000), Duration(15000), 3));
  EXPECT_EQ(Duration(15000), ExponentialBackoff(Duration(1000), Duration(15000), 4));
  EXPECT_EQ(Duration(15000), ExponentialBackoff(Duration(1000), Duration(15000), 60));
}

TEST(ParseTest, DurationsAreANumberAndOneUnit) {
  using std::chrono::seconds;
  EXPECT_EQ(seconds(90), ParseDuration("90s", seconds(1), seconds(86400)));
  EXPECT_EQ(seconds(20 * 3600), ParseDuration("20h", seconds(1), seconds(86400 * 7)));
  EXPECT_EQ(seconds(7 * 86400), ParseDuration("7d", seconds(1), seconds(86400 * 7)));
  EXPECT_EQ(seconds(300), ParseDuration("5m", seconds(1), seconds(86400)));
  for (const char* bad : {"", "h", "20", "20x", "-1h", " 1h", "1h ", "1.5h", "1hh", "8d"}) {
    EXPECT_FALSE(ParseDuration(bad, seconds(1), seconds(86400 * 7))) << bad;
  }
  EXPECT_EQ("20h", FormatDuration(seconds(20 * 3600)));
  EXPECT_EQ("1d", FormatDuration(seconds(86400)));
  EXPECT_EQ("90m", FormatDuration(seconds(5400)));
  EXPECT_EQ("45s", FormatDuration(seconds(45)));
}

TEST(ParseTest, NumbersAreWholeAndInRange) {
  EXPECT_EQ(3, ParseInteger("3", 1, 50));
  for (const char* bad : {"", "3x", " 3", "3 ", "+3", "0x10", "51", "0"}) EXPECT_FALSE(ParseInteger(bad, 1, 50)) << bad;
  EXPECT_EQ(0.5, ParseDecimal("0.5", 0, 1000));
  for (const char* bad : {"abc", "", "inf", "nan", "0x10", "-1", " 1"}) EXPECT_FALSE(ParseDecimal(bad, 0, 1000)) << bad;
  EXPECT_EQ(true, ParseBoolean("TRUE"));
  EXPECT_EQ(false, ParseBoolean("False"));
  EXPECT_FALSE(ParseBoolean("yes"));
  EXPECT_FALSE(ParseBoolean("1"));
}

}  // namespace
}  // namespace s3snapshot::core
