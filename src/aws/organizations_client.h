// AWS Organizations (API version 2016-11-28), over the JSON 1.1 protocol
// (X-Amz-Target: AWSOrganizationsV20161128.<Operation>): the accounts of the
// caller's organization, all of them (ListAccounts) or those under OUs,
// recursively (ListChildren, ListAccountsForParent). Callable from the
// management account or a delegated administrator. Organizations is a
// global service: one endpoint per partition (OrganizationsRegion).
#ifndef S3SNAPSHOT_AWS_ORGANIZATIONS_CLIENT_H_
#define S3SNAPSHOT_AWS_ORGANIZATIONS_CLIENT_H_

#include <string>
#include <vector>

#include "aws/aws_client.h"
#include "aws/ec2_client.h"
#include "core/result.h"

namespace s3snapshot::aws {

struct OrgAccount {
  std::string id, name;
  // ACTIVE | SUSPENDED | PENDING_CLOSURE (Account.State; the retired
  // Account.Status is not read).
  std::string state;
};

class OrganizationsApi {
 public:
  virtual ~OrganizationsApi() = default;
  // One page. AWS may answer empty pages (with a NextToken) before the last.
  virtual core::Result<Page<OrgAccount>> ListAccounts(const std::string& next_token) = 0;
  virtual core::Result<Page<OrgAccount>> ListAccountsForParent(const std::string& parent_id,
                                                               const std::string& next_token) = 0;
  // The OUs directly under `parent_id` (ListChildren, ChildType ORGANIZATIONAL_UNIT).
  virtual core::Result<Page<std::string>> ListChildOus(const std::string& parent_id, const std::string& next_token) = 0;
};

// The region whose endpoint serves Organizations in `region`'s partition
// (us-east-1, cn-northwest-1, us-gov-west-1).
std::string OrganizationsRegion(const std::string& region);

// Every ACTIVE account of the organization, following NextToken to its end
// (also through empty pages), sorted by id.
core::Result<std::vector<OrgAccount>> ActiveAccounts(OrganizationsApi& org);
// Every ACTIVE account under `ous` and the OUs below them, sorted by id, once each.
core::Result<std::vector<OrgAccount>> ActiveAccountsUnder(OrganizationsApi& org, const std::vector<std::string>& ous);

class OrganizationsClient : public OrganizationsApi {
 public:
  static constexpr const char* kTargetPrefix = "AWSOrganizationsV20161128";
  OrganizationsClient(std::string region, std::string endpoint, ClientContext ctx)
      : client_("organizations", kTargetPrefix, std::move(region), std::move(endpoint), std::move(ctx)) {}
  core::Result<Page<OrgAccount>> ListAccounts(const std::string& next_token) override;
  core::Result<Page<OrgAccount>> ListAccountsForParent(const std::string& parent_id,
                                                       const std::string& next_token) override;
  core::Result<Page<std::string>> ListChildOus(const std::string& parent_id, const std::string& next_token) override;

 private:
  AwsClient client_;
};

// Answer parsers, exposed for tests on recorded JSON.
core::Result<Page<OrgAccount>> ParseAccountsPage(const std::string& json);
core::Result<Page<std::string>> ParseChildrenPage(const std::string& json);

}  // namespace s3snapshot::aws

#endif  // S3SNAPSHOT_AWS_ORGANIZATIONS_CLIENT_H_
