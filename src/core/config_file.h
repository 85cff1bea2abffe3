// The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials):
//   https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
#ifndef S3SNAPSHOT_CORE_CONFIG_FILE_H_
#define S3SNAPSHOT_CORE_CONFIG_FILE_H_

#include <map>
#include <optional>
#include <string>

#include "core/env.h"
#include "core/result.h"

namespace s3snapshot::core {

using Profile = std::map<std::string, std::string>;  // key -> value, keys lower-cased

// Profiles from both files merged: name -> settings. In the config file a
// section is "[profile NAME]" (or "[default]"); in the credentials file "[NAME]".
// Values from the credentials file win. Nested sub-sections (s3 = ...) are skipped.
struct SharedConfig {
  std::map<std::string, Profile> profiles;
  std::string config_path, credentials_path;

  const Profile* Find(const std::string& name) const {
    auto it = profiles.find(name);
    return it == profiles.end() ? nullptr : &it->second;
  }
};

// Parses one file's text. `is_config` selects the "[profile NAME]" convention.
// A malformed line is an Error of kind kInvalidInput naming the file and line.
Status ParseConfigText(const std::string& text, bool is_config, const std::string& path,
                       std::map<std::string, Profile>* profiles);

// Loads both files from AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE or
// $HOME/.aws/. Missing files are not an error; malformed ones are.
Result<SharedConfig> LoadSharedConfig(const Env& env);

// The profile name in force: the explicit one, else AWS_PROFILE, else "default".
std::string ProfileName(const Env& env, const std::string& explicit_profile);

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_CONFIG_FILE_H_
