#include "aws/organizations_client.h"

#include <gtest/gtest.h>

#include "testing/client_fixture.h"

namespace s3snapshot::aws {
namespace {

std::string Header(const core::HttpRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class OrganizationsClientTest : public testing::ClientTest {
 protected:
  OrganizationsClient Client() { return OrganizationsClient("us-east-1", "http://127.0.0.1:1234", ctx_); }
};

TEST_F(OrganizationsClientTest, ListAccountsFollowsEmptyPagesToTheLastAndReadsStateNotStatus) {
  http_.Respond(200, R"({"Accounts": [], "NextToken": "t1"})");
  http_.Respond(200, R"({"Accounts": [{"Id": "222222222222", "Name": "b", "State": "ACTIVE", "Status": "ACTIVE"},
                                      {"Id": "333333333333", "Name": "c", "State": "SUSPENDED", "Status": "ACTIVE"}],
                         "NextToken": "t2"})");
  http_.Respond(200, R"({"Accounts": [{"Id": "111111111111", "Name": "a", "State": "ACTIVE"},
                                      {"Id": "444444444444", "Name": "d", "State": "PENDING_CLOSURE"}]})");
  auto org = Client();
  auto accounts = ActiveAccounts(org);
  ASSERT_TRUE(accounts.ok()) << accounts.error().message;
  ASSERT_EQ(2u, accounts->size());
  EXPECT_EQ("111111111111", (*accounts)[0].id) << "sorted by id";
  EXPECT_EQ("222222222222", (*accounts)[1].id);
  auto sent = http_.requests();
  ASSERT_EQ(3u, sent.size());
  EXPECT_EQ("AWSOrganizationsV20161128.ListAccounts", Header(sent[0], "X-Amz-Target"));
  EXPECT_EQ("application/x-amz-json-1.1", Header(sent[0], "Content-Type"));
  EXPECT_EQ("{}", sent[0].body);
  EXPECT_EQ(R"({"NextToken":"t1"})", sent[1].body);
  EXPECT_NE(std::string::npos, Header(sent[0], "Authorization").find("/us-east-1/organizations/aws4_request"));
}

TEST_F(OrganizationsClientTest, UnderAnOuTheNestedOusAccountsCountOnce) {
  http_.Respond(200, R"({"Accounts": [{"Id": "111111111111", "State": "ACTIVE"}]})");  // ou-a's accounts
  http_.Respond(200, R"({"Children": [{"Id": "ou-aaaa-bbbbbbbb", "Type": "ORGANIZATIONAL_UNIT"}]})");
  http_.Respond(200, R"({"Accounts": [{"Id": "222222222222", "State": "ACTIVE"}]})");  // the nested OU's
  http_.Respond(200, R"({"Children": []})");
  auto org = Client();
  auto accounts = ActiveAccountsUnder(org, {"ou-root-aaaaaaaa"});
  ASSERT_TRUE(accounts.ok()) << accounts.error().message;
  ASSERT_EQ(2u, accounts->size());
  auto sent = http_.requests();
  EXPECT_EQ(R"({"ParentId":"ou-root-aaaaaaaa"})", sent[0].body);
  EXPECT_EQ(R"({"ChildType":"ORGANIZATIONAL_UNIT","ParentId":"ou-root-aaaaaaaa"})", sent[1].body);
  EXPECT_EQ("AWSOrganizationsV20161128.ListChildren", Header(sent[1], "X-Amz-Target"));
  EXPECT_EQ(R"({"ParentId":"ou-aaaa-bbbbbbbb"})", sent[2].body);
}

TEST(OrganizationsParseTest, MalformedAnswersAndRegions) {
  EXPECT_FALSE(ParseAccountsPage("{").ok());
  EXPECT_FALSE(ParseAccountsPage(R"({"Accounts": [{"Name": "no id"}]})").ok());
  EXPECT_FALSE(ParseChildrenPage(R"({"Children": [{}]})").ok());
  EXPECT_EQ("us-east-1", OrganizationsRegion("eu-central-1"));
  EXPECT_EQ("cn-northwest-1", OrganizationsRegion("cn-north-1"));
  EXPECT_EQ("us-gov-west-1", OrganizationsRegion("us-gov-east-1"));
}

}  // namespace
}  // namespace s3snapshot::aws
