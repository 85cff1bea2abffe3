// A fixture for the aws/ client tests: a ClientContext over a fake transport
// and clock, seeded retries and static credentials (AKIDEXAMPLE).
#ifndef S3SNAPSHOT_TESTING_CLIENT_FIXTURE_H_
#define S3SNAPSHOT_TESTING_CLIENT_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>

#include "aws/aws_client.h"
#include "core/credentials.h"
#include "core/retry.h"
#include "testing/fake_clock.h"
#include "testing/fake_transport.h"

namespace s3snapshot::testing {

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() : random_(1), retryer_(core::RetryOptions{}, &random_) {
    core::Credentials c;
    c.access_key_id = "AKIDEXAMPLE";
    c.secret_access_key = "secret";
    creds_ = std::make_unique<core::StaticCredentialsProvider>(c);
    ctx_.http = &http_;
    ctx_.credentials = creds_.get();
    ctx_.clock = &clock_;
    ctx_.retryer = &retryer_;
  }

  FakeTransport http_;
  FakeClock clock_;
  core::SeededRandom random_;
  core::Retryer retryer_;
  std::unique_ptr<core::CredentialsProvider> creds_;
  aws::ClientContext ctx_;
};

}  // namespace s3snapshot::testing

#endif  // S3SNAPSHOT_TESTING_CLIENT_FIXTURE_H_
