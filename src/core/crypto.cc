#include "core/crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace s3snapshot::core {

namespace {

// OpenSSL 3 looks an algorithm up in its provider tables (under a lock) each
// time EVP_sha256() or HMAC() is used; a request signs with two digests and
// one or more HMACs, from several threads at once. Fetch each algorithm once.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched ? fetched : EVP_sha256();
  }();
  return md;
}

EVP_MAC* HmacMac() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

}  // namespace

std::string Sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // On failure (no SHA-256 in OpenSSL at all) the result is empty: the
  // request's signature is then wrong and AWS refuses it, which is reported.
  if (EVP_Digest(data.data(), data.size(), out, &len, Sha256Md(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  // Setting the digest by name fetches it again; so each thread sets it once
  // on a template context and copies that for each HMAC.
  struct Template {
    EVP_MAC_CTX* ctx = nullptr;
    Template() {
      EVP_MAC* mac = HmacMac();
      if (!mac) return;
      ctx = EVP_MAC_CTX_new(mac);
      char digest[] = "SHA256";
      OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                             OSSL_PARAM_construct_end()};
      if (ctx && EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = nullptr;
      }
    }
    ~Template() { EVP_MAC_CTX_free(ctx); }
  };
  thread_local Template tmpl;
  if (!tmpl.ctx) return {};
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(tmpl.ctx);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  bool ok = ctx && EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) == 1 &&
            EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1 &&
            EVP_MAC_final(ctx, out, &len, sizeof out) == 1;
  EVP_MAC_CTX_free(ctx);
  if (!ok) return {};
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string HexEncode(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    s.push_back(kHex[c >> 4]);
    s.push_back(kHex[c & 0xf]);
  }
  return s;
}

}  // namespace s3snapshot::core
