// Hashing for SigV4, over OpenSSL's EVP interfaces.
#ifndef S3SNAPSHOT_CORE_CRYPTO_H_
#define S3SNAPSHOT_CORE_CRYPTO_H_

#include <string>
#include <string_view>

namespace s3snapshot::core {

// Raw 32-byte SHA-256 digest.
std::string Sha256(std::string_view data);
// Raw 32-byte HMAC-SHA256.
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex.
std::string HexEncode(std::string_view bytes);

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_CRYPTO_H_
