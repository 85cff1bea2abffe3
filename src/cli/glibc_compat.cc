// Portable builds only (S3SNAPSHOT_PORTABLE): the Lambda runtime's glibc is
// 2.34. The statically linked libstdc++ 12 references arc4random (a
// GLIBC_2.36 symbol) from std::random_device, which its string code pulls in
// even though s3snapshot never uses it. Defining the function here binds that
// reference at link time, so the binary does not need GLIBC_2.36.
#include <sys/random.h>

#include <cstdint>

extern "C" uint32_t arc4random(void) {
  uint32_t v = 0;
  while (getrandom(&v, sizeof(v), 0) != static_cast<ssize_t>(sizeof(v))) {
  }
  return v;
}
