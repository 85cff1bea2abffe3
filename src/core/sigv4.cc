#include "core/sigv4.h"

#include <algorithm>
#include <cctype>

#include "core/crypto.h"

namespace s3snapshot::core {

namespace {

constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";

bool IsUnreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~'; }

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Trims and collapses runs of white space (line folds included) to one space.
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = !out.empty();
    } else {
      if (pending_space) out.push_back(' ');
      pending_space = false;
      out.push_back(c);
    }
  }
  return out;
}

// RFC 3986 section 5.2.4 dot-segment removal, plus collapsing of empty segments.
std::string NormalizePath(const std::string& path) {
  std::vector<std::string> segs;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string seg = path.substr(i, j - i);
    if (seg == "..") {
      if (!segs.empty()) segs.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segs.push_back(seg);
    }
    i = j + 1;
  }
  std::string out;
  for (const auto& s : segs) out += "/" + s;
  bool trailing = path.size() > 1 && path.back() == '/';
  if (out.empty()) return "/";
  if (trailing) out += "/";
  return out;
}

std::string CanonicalQuery(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t i = 0;
  while (i < query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string_view part(query.data() + i, amp - i);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string_view k = part.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
      params.emplace_back(UriEncode(UriDecode(k), false), UriEncode(UriDecode(v), false));
    }
    i = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

std::string DateStamp(const SigningParams& p) { return FormatAmzDate(p.time).substr(0, 8); }

// Canonical headers block and the signed-headers list, from req->headers.
void CanonicalHeaders(const SignableRequest& req, std::string* block, std::string* names) {
  std::vector<std::pair<std::string, std::string>> merged;  // sorted, duplicates joined
  for (const auto& [name, value] : req.headers) {
    std::string lname = ToLower(name);
    std::string cv = CanonicalHeaderValue(value);
    auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& kv) { return kv.first == lname; });
    if (it == merged.end()) {
      merged.emplace_back(lname, cv);
    } else {
      it->second += "," + cv;
    }
  }
  std::stable_sort(merged.begin(), merged.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  block->clear();
  names->clear();
  for (const auto& [n, v] : merged) {
    *block += n + ":" + v + "\n";
    if (!names->empty()) *names += ';';
    *names += n;
  }
}

std::string BuildCanonicalRequest(const SignableRequest& req, bool normalize, std::string* signed_headers_out) {
  std::string path = normalize ? NormalizePath(req.path) : req.path;
  std::string block, names;
  CanonicalHeaders(req, &block, &names);
  if (signed_headers_out) *signed_headers_out = names;
  return req.method + "\n" + UriEncode(path, true) + "\n" + CanonicalQuery(req.query) + "\n" + block + "\n" + names +
         "\n" + HexEncode(Sha256(req.body));
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string UriDecode(std::string_view s) {
  auto hexval = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string CanonicalRequest(const SignableRequest& req, const SigningParams& p, std::string* signed_headers_out) {
  return BuildCanonicalRequest(req, p.normalize_path, signed_headers_out);
}

std::string CredentialScope(const SigningParams& p) {
  return DateStamp(p) + "/" + p.region + "/" + p.service + "/aws4_request";
}

std::string StringToSign(const std::string& canonical_request, const SigningParams& p) {
  return std::string(kAlgorithm) + "\n" + FormatAmzDate(p.time) + "\n" + CredentialScope(p) + "\n" +
         HexEncode(Sha256(canonical_request));
}

std::string SigningKey(const std::string& secret_access_key, const std::string& date, const std::string& region,
                       const std::string& service) {
  std::string k = HmacSha256("AWS4" + secret_access_key, date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

std::string Signature(const std::string& string_to_sign, const SigningParams& p) {
  // The key depends on the secret, the day, the region and the service only,
  // so a run signs thousands of requests with the same one: each thread keeps
  // its last key and derives it again (four HMACs) only when one of them
  // changes (new day, other region, refreshed credentials).
  struct Cached {
    std::string secret, date, region, service, key;
  };
  thread_local Cached cached;
  std::string date = DateStamp(p);
  if (cached.key.empty() || cached.secret != p.credentials.secret_access_key || cached.date != date ||
      cached.region != p.region || cached.service != p.service) {
    cached = {p.credentials.secret_access_key, date, p.region, p.service,
              SigningKey(p.credentials.secret_access_key, date, p.region, p.service)};
  }
  return HexEncode(HmacSha256(cached.key, string_to_sign));
}

void SignRequest(SignableRequest* req, const SigningParams& p) {
  req->headers.emplace_back("X-Amz-Date", FormatAmzDate(p.time));
  if (p.sign_body) req->headers.emplace_back("x-amz-content-sha256", HexEncode(Sha256(req->body)));
  const std::string& token = p.credentials.session_token;
  if (!token.empty() && !p.omit_session_token) {
    req->headers.emplace_back("X-Amz-Security-Token", token);
  }
  std::string signed_headers;
  std::string creq = CanonicalRequest(*req, p, &signed_headers);
  std::string sig = Signature(StringToSign(creq, p), p);
  if (!token.empty() && p.omit_session_token) {
    req->headers.emplace_back("X-Amz-Security-Token", token);
  }
  req->headers.emplace_back("Authorization", std::string(kAlgorithm) + " Credential=" + p.credentials.access_key_id +
                                                 "/" + CredentialScope(p) + ", SignedHeaders=" + signed_headers +
                                                 ", Signature=" + sig);
}

SignableRequest PresignRequest(const SignableRequest& req, const SigningParams& p, std::string* canonical_request_out,
                               std::string* string_to_sign_out) {
  SignableRequest out = req;
  std::string block, names;
  CanonicalHeaders(req, &block, &names);
  auto add = [&out](const std::string& k, const std::string& v) {
    if (!out.query.empty()) out.query += '&';
    out.query += UriEncode(k, false) + "=" + UriEncode(v, false);
  };
  add("X-Amz-Algorithm", kAlgorithm);
  add("X-Amz-Credential", p.credentials.access_key_id + "/" + CredentialScope(p));
  add("X-Amz-Date", FormatAmzDate(p.time));
  add("X-Amz-Expires", std::to_string(p.expires_seconds));
  const std::string& token = p.credentials.session_token;
  if (!token.empty() && !p.omit_session_token) add("X-Amz-Security-Token", token);
  add("X-Amz-SignedHeaders", names);
  std::string creq = CanonicalRequest(out, p, nullptr);
  std::string sts = StringToSign(creq, p);
  if (!token.empty() && p.omit_session_token) add("X-Amz-Security-Token", token);
  add("X-Amz-Signature", Signature(sts, p));
  if (canonical_request_out) *canonical_request_out = creq;
  if (string_to_sign_out) *string_to_sign_out = sts;
  return out;
}

}  // namespace s3snapshot::core
