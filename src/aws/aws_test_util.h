// Helpers shared by the aws/ unit tests.
#ifndef S3SNAPSHOT_AWS_AWS_TEST_UTIL_H_
#define S3SNAPSHOT_AWS_AWS_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>

inline std::string ReadTestData(const std::string& name) {
  std::ifstream in(std::string(S3SNAPSHOT_TESTDATA_DIR) + "/xml/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

#endif  // S3SNAPSHOT_AWS_AWS_TEST_UTIL_H_
