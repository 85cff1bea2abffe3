#include "aws/organizations_client.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "aws/endpoints.h"

namespace s3snapshot::aws {

using core::Error;
using core::ErrorKind;
using nlohmann::json;

namespace {

Error Malformed(const std::string& what) {
  return Error::Make(ErrorKind::kMalformed, "cannot parse the " + what + " response", "MalformedResponse");
}

std::string StringAt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json PageBody(json body, const std::string& next_token) {
  if (!next_token.empty()) body["NextToken"] = next_token;
  return body;
}

// Every page of `list`, also through empty pages with a NextToken.
template <typename T, typename F>
core::Result<std::vector<T>> AllPages(F list) {
  std::vector<T> out;
  std::string token;
  for (int pages = 0; pages < 100000; ++pages) {
    auto page = list(token);
    if (!page.ok()) return page.error();
    for (auto& item : page->items) out.push_back(std::move(item));
    if (page->next_token.empty()) return out;
    if (page->next_token == token) return Malformed("Organizations (the same NextToken twice)");
    token = page->next_token;
  }
  return Malformed("Organizations (no last page)");
}

std::vector<OrgAccount> ActiveSorted(std::vector<OrgAccount> accounts) {
  std::map<std::string, OrgAccount> by_id;
  for (auto& a : accounts) {
    if (a.state == "ACTIVE") by_id[a.id] = std::move(a);
  }
  std::vector<OrgAccount> out;
  for (auto& [id, a] : by_id) out.push_back(std::move(a));
  return out;
}

}  // namespace

std::string OrganizationsRegion(const std::string& region) {
  const std::string partition = PartitionOf(region);
  if (partition == "aws-cn") return "cn-northwest-1";
  if (partition == "aws-us-gov") return "us-gov-west-1";
  return "us-east-1";
}

core::Result<Page<OrgAccount>> ParseAccountsPage(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("Accounts") || !j["Accounts"].is_array()) return Malformed("ListAccounts");
  Page<OrgAccount> page;
  for (const auto& a : j["Accounts"]) {
    if (!a.is_object()) return Malformed("ListAccounts");
    OrgAccount acc{StringAt(a, "Id"), StringAt(a, "Name"), StringAt(a, "State")};
    if (acc.id.empty()) return Malformed("ListAccounts (an account without Id)");
    page.items.push_back(std::move(acc));
  }
  page.next_token = StringAt(j, "NextToken");
  return page;
}

core::Result<Page<std::string>> ParseChildrenPage(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("Children") || !j["Children"].is_array()) return Malformed("ListChildren");
  Page<std::string> page;
  for (const auto& c : j["Children"]) {
    std::string id = c.is_object() ? StringAt(c, "Id") : "";
    if (id.empty()) return Malformed("ListChildren (a child without Id)");
    page.items.push_back(std::move(id));
  }
  page.next_token = StringAt(j, "NextToken");
  return page;
}

core::Result<Page<OrgAccount>> OrganizationsClient::ListAccounts(const std::string& next_token) {
  auto r = client_.CallJson("ListAccounts", PageBody(json::object(), next_token).dump());
  if (!r.ok()) return r.error();
  return ParseAccountsPage(r->body);
}

core::Result<Page<OrgAccount>> OrganizationsClient::ListAccountsForParent(const std::string& parent_id,
                                                                          const std::string& next_token) {
  auto r = client_.CallJson("ListAccountsForParent", PageBody({{"ParentId", parent_id}}, next_token).dump());
  if (!r.ok()) return r.error();
  return ParseAccountsPage(r->body);
}

core::Result<Page<std::string>> OrganizationsClient::ListChildOus(const std::string& parent_id,
                                                                  const std::string& next_token) {
  auto r = client_.CallJson(
      "ListChildren", PageBody({{"ParentId", parent_id}, {"ChildType", "ORGANIZATIONAL_UNIT"}}, next_token).dump());
  if (!r.ok()) return r.error();
  return ParseChildrenPage(r->body);
}

core::Result<std::vector<OrgAccount>> ActiveAccounts(OrganizationsApi& org) {
  auto all = AllPages<OrgAccount>([&](const std::string& token) { return org.ListAccounts(token); });
  if (!all.ok()) return all.error().WithContext("listing the organization's accounts");
  return ActiveSorted(std::move(*all));
}

core::Result<std::vector<OrgAccount>> ActiveAccountsUnder(OrganizationsApi& org, const std::vector<std::string>& ous) {
  std::vector<OrgAccount> found;
  std::set<std::string> seen;
  std::vector<std::string> todo = ous;
  while (!todo.empty()) {
    const std::string ou = todo.back();
    todo.pop_back();
    if (!seen.insert(ou).second) continue;
    auto accounts =
        AllPages<OrgAccount>([&](const std::string& token) { return org.ListAccountsForParent(ou, token); });
    if (!accounts.ok()) return accounts.error().WithContext("listing the accounts of " + ou);
    for (auto& a : *accounts) found.push_back(std::move(a));
    auto children = AllPages<std::string>([&](const std::string& token) { return org.ListChildOus(ou, token); });
    if (!children.ok()) return children.error().WithContext("listing the OUs under " + ou);
    for (auto& c : *children) todo.push_back(std::move(c));
  }
  return ActiveSorted(std::move(found));
}

}  // namespace s3snapshot::aws
