// libFuzzer target: the AWS shared config/credentials file parser and the
// credential JSON parser (credential_process, container, IMDS).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "core/config_file.h"
#include "core/credential_providers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace s3snapshot::core;
  std::string text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, Profile> a, b;
  (void)ParseConfigText(text, true, "config", &a);
  (void)ParseConfigText(text, false, "credentials", &b);
  (void)ParseCredentialsJson(text, "fuzz");
  return 0;
}
