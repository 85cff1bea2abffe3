// Every stage of every case of the AWS SigV4 test suite (testdata/aws-sigv4-test-suite),
// for header signing and for presigned (query) signing.
#include "core/sigv4.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "core/crypto.h"

namespace s3snapshot::core {
namespace {

namespace fs = std::filesystem;

const fs::path kSuite = fs::path(S3SNAPSHOT_TESTDATA_DIR) / "aws-sigv4-test-suite" / "v4";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses the suite's raw request.txt: request line, headers with folded
// continuation lines, blank line, body.
SignableRequest ParseRequestTxt(const std::string& text) {
  SignableRequest r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  size_t sp = line.find(' ');
  r.method = line.substr(0, sp);
  std::string target = line.substr(sp + 1, line.rfind(" HTTP/") - sp - 1);
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  while (std::getline(in, line)) {
    if (line.empty()) break;
    if (line[0] == ' ' || line[0] == '\t') {
      r.headers.back().second += "\n" + line;
      continue;
    }
    size_t colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  r.body = body;
  return r;
}

SigningParams ParamsFrom(const fs::path& dir) {
  auto ctx = nlohmann::json::parse(Slurp(dir / "context.json"));
  SigningParams p;
  p.credentials.access_key_id = ctx["credentials"]["access_key_id"];
  p.credentials.secret_access_key = ctx["credentials"]["secret_access_key"];
  if (ctx["credentials"].contains("token")) p.credentials.session_token = ctx["credentials"]["token"];
  p.region = ctx["region"];
  p.service = ctx["service"];
  EXPECT_TRUE(ParseIso8601(ctx["timestamp"], &p.time));
  p.normalize_path = ctx.value("normalize", true);
  p.sign_body = ctx.value("sign_body", false);
  p.omit_session_token = ctx.value("omit_session_token", false);
  p.expires_seconds = ctx.value("expiration_in_seconds", 3600);
  return p;
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kSuite)) {
    if (fs::exists(e.path() / "request.txt")) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class SigV4SuiteTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4SuiteTest, HeaderSigningStages) {
  fs::path dir = kSuite / GetParam();
  SignableRequest req = ParseRequestTxt(Slurp(dir / "request.txt"));
  SigningParams p = ParamsFrom(dir);

  SignableRequest signed_req = req;
  SignRequest(&signed_req, p);

  // Stage 1: the canonical request over the headers that signing added
  // (everything but Authorization, and the token when it is added after).
  SignableRequest pre = signed_req;
  pre.headers.pop_back();  // Authorization
  if (p.omit_session_token && !p.credentials.session_token.empty()) pre.headers.pop_back();
  std::string signed_headers;
  std::string creq = CanonicalRequest(pre, p, &signed_headers);
  EXPECT_EQ(Slurp(dir / "header-canonical-request.txt"), creq);
  std::string sts = StringToSign(creq, p);
  EXPECT_EQ(Slurp(dir / "header-string-to-sign.txt"), sts);
  std::string sig = Signature(sts, p);
  EXPECT_EQ(Slurp(dir / "header-signature.txt"), sig);

  // The Authorization header matches the suite's signed request.
  std::string expected_signed = Slurp(dir / "header-signed-request.txt");
  EXPECT_NE(std::string::npos, expected_signed.find("Authorization:" + signed_req.headers.back().second))
      << signed_req.headers.back().second;
}

TEST_P(SigV4SuiteTest, QuerySigningStages) {
  fs::path dir = kSuite / GetParam();
  if (!fs::exists(dir / "query-canonical-request.txt")) GTEST_SKIP() << "no query vectors";
  SignableRequest req = ParseRequestTxt(Slurp(dir / "request.txt"));
  SigningParams p = ParamsFrom(dir);
  std::string creq, sts;
  SignableRequest out = PresignRequest(req, p, &creq, &sts);
  EXPECT_EQ(Slurp(dir / "query-canonical-request.txt"), creq);
  EXPECT_EQ(Slurp(dir / "query-string-to-sign.txt"), sts);
  std::string sig = Slurp(dir / "query-signature.txt");
  EXPECT_NE(std::string::npos, out.query.find("X-Amz-Signature=" + sig)) << out.query;
}

INSTANTIATE_TEST_SUITE_P(AwsSuite, SigV4SuiteTest, ::testing::ValuesIn(CaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

TEST(SigV4Test, SuiteIsPresent) { EXPECT_GE(CaseNames().size(), 30u); }

// The example of AWS's "Derive a signing key for Signature Version 4" page.
TEST(SigningKeyTest, MatchesTheDocumentedExample) {
  EXPECT_EQ("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d",
            HexEncode(SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")));
}

// Signature() keeps the last signing key per thread: every input of the key
// must invalidate it (rotated credentials, a new day, another region or
// service), in any order, and the result must equal a fresh derivation.
TEST(SigningKeyTest, SignatureNeverUsesAStaleKey) {
  SigningParams base;
  base.credentials.access_key_id = "AKIDEXAMPLE";
  base.credentials.secret_access_key = "secret-one";
  base.region = "us-east-1";
  base.service = "ec2";
  ASSERT_TRUE(ParseIso8601("2026-11-26T23:59:59Z", &base.time));
  std::vector<SigningParams> variants(5, base);
  variants[1].credentials.secret_access_key = "secret-two";
  ASSERT_TRUE(ParseIso8601("2026-11-27T00:00:00Z", &variants[2].time));
  variants[3].region = "eu-west-1";
  variants[4].service = "sns";
  const std::string sts = "AWS4-HMAC-SHA256\n20261126T235959Z\nscope\nhash";
  auto fresh = [&](const SigningParams& p) {
    std::string date = FormatAmzDate(p.time).substr(0, 8);
    return HexEncode(HmacSha256(SigningKey(p.credentials.secret_access_key, date, p.region, p.service), sts));
  };
  std::set<std::string> distinct;
  for (int round = 0; round < 2; ++round) {
    for (size_t i : {0, 1, 0, 2, 2, 3, 0, 4, 1, 4}) {
      SCOPED_TRACE("variant " + std::to_string(i));
      EXPECT_EQ(fresh(variants[i]), Signature(sts, variants[i]));
      distinct.insert(Signature(sts, variants[i]));
    }
  }
  EXPECT_EQ(5u, distinct.size());
  // Another thread starts with an empty cache and gets the same answers.
  std::thread t([&] {
    for (size_t i : {4, 0, 3}) EXPECT_EQ(fresh(variants[i]), Signature(sts, variants[i]));
  });
  t.join();
}

TEST(UriEncodeTest, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ("AZaz09-_.~", UriEncode("AZaz09-_.~", false));
  EXPECT_EQ("a%20b%2Fc%2B%3D", UriEncode("a b/c+=", false));
  EXPECT_EQ("a%20b/c", UriEncode("a b/c", true));
  EXPECT_EQ("%E1%88%B4", UriEncode("\xe1\x88\xb4", false));
}

TEST(UriDecodeTest, DecodesEscapesAndLeavesBrokenOnes) {
  EXPECT_EQ("a b", UriDecode("a%20b"));
  EXPECT_EQ("100%", UriDecode("100%"));
  EXPECT_EQ("%zz", UriDecode("%zz"));
}

}  // namespace
}  // namespace s3snapshot::core
