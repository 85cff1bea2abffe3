// libFuzzer target: the --filter document / Lambda payload parser and the
// validation behind it must never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "spec/filter.h"
#include "spec/job_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto doc = s3snapshot::spec::ParseFilterDocument(text, "fuzz");
  if (doc.ok()) {
    s3snapshot::spec::JobSpec spec;
    s3snapshot::spec::ApplySettings(*doc, &spec);
    (void)s3snapshot::spec::ValidateSpec(spec);
  } else {
    (void)doc.error().message.size();
  }
  return 0;
}
