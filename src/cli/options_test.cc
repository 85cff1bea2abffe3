#include "cli/options.h"

#include <gtest/gtest.h>

namespace s3snapshot::cli {
namespace {

using spec::SettingValues;

SettingValues Parse(std::vector<std::string> args) {
  auto r = ParseArgs(args);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : SettingValues{};
}

std::string ErrorOf(std::vector<std::string> args) {
  auto r = ParseArgs(args);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error().message;
}

spec::JobSpec SpecOf(std::vector<std::string> args) {
  spec::JobSpec spec;
  spec::ApplySettings(Parse(std::move(args)), &spec);
  return spec;
}

TEST(OptionsTest, EverySeedSpelling) {
  auto spec = SpecOf({"-l", "nightly", "-s", "--sns-arn", "arn:aws:sns:us-east-1:1:a", "--sns-arn-error",
                      "arn:aws:sns:us-east-1:1:b", "--verbose"});
  EXPECT_EQ("nightly", spec.label);
  EXPECT_TRUE(spec.stop);
  EXPECT_EQ("arn:aws:sns:us-east-1:1:a", spec.sns_arn);
  EXPECT_EQ("arn:aws:sns:us-east-1:1:b", spec.sns_arn_error);
  EXPECT_TRUE(spec.verbose);
  EXPECT_TRUE(SpecOf({"-sp"}).stopped) << "two letters after one dash, as the seed spells it";
  EXPECT_TRUE(SpecOf({"--stopped"}).stopped);
  EXPECT_EQ("x", SpecOf({"--label", "x"}).label);
  auto v = Parse({"-f", "{}"});
  EXPECT_EQ("{}", std::get<std::string>(v.at("filter")));
  EXPECT_EQ(1u, Parse({"--filter", "@f.json"}).count("filter"));
  EXPECT_TRUE(Parse({"-v"}).count("version"));
  EXPECT_TRUE(Parse({"--version"}).count("version"));
  EXPECT_TRUE(Parse({"-h"}).count("help"));
  EXPECT_TRUE(Parse({"--help"}).count("help"));
}

TEST(OptionsTest, EqualsFormForValues) {
  auto spec = SpecOf({"--label=a=b", "--keep=3", "--region=eu-west-1"});
  EXPECT_EQ("a=b", spec.label) << "only the first = splits";
  EXPECT_EQ(3, spec.keep);
  EXPECT_EQ(std::vector<std::string>{"eu-west-1"}, spec.regions);
  EXPECT_EQ("--stop takes no value", ErrorOf({"--stop=yes"}));
}

TEST(OptionsTest, RepeatedFlags) {
  auto spec = SpecOf({"--copy-to-region", "eu-west-1", "--copy-to-region", "us-west-2", "--assume-role", "a",
                      "--assume-role", "b", "--label", "first", "--label", "second"});
  EXPECT_EQ((std::vector<std::string>{"eu-west-1", "us-west-2"}), spec.copy_to_regions);
  EXPECT_EQ((std::vector<std::string>{"a", "b"}), spec.assume_roles);
  EXPECT_EQ("second", spec.label) << "a repeated scalar: the last one wins";
  EXPECT_EQ((std::vector<std::string>{"b", "c"}), SpecOf({"--region", "a", "--region", "b,c"}).regions)
      << "--region takes the whole list; a later one replaces it";
  EXPECT_EQ("--filter given twice; put everything in one document", ErrorOf({"-f", "{}", "--filter", "{}"}));
}

TEST(OptionsTest, NumbersAreStrictAndBounded) {
  EXPECT_EQ(std::chrono::seconds(5), SpecOf({"--stop-timeout", "5"}).stop_timeout);
  EXPECT_EQ(std::chrono::seconds(7), SpecOf({"--read-timeout", "7"}).read_timeout);
  EXPECT_EQ("--concurrency: '0' is not a whole number from 1 to 64", ErrorOf({"--concurrency", "0"}));
  EXPECT_EQ("--keep: '3x' is not a whole number from 1 to 1000", ErrorOf({"--keep", "3x"}));
  EXPECT_EQ("--keep: '' is not a whole number from 1 to 1000", ErrorOf({"--keep="}));
  EXPECT_EQ("--wait-timeout: ' 9' is not a whole number from 1 to 604800", ErrorOf({"--wait-timeout", " 9"}));
  EXPECT_EQ("--keep-days: '-1' is not a whole number from 1 to 36500", ErrorOf({"--keep-days", "-1"}));
}

TEST(OptionsTest, BadInputNamesTheOption) {
  EXPECT_EQ("--label needs a value", ErrorOf({"--label"}));
  EXPECT_EQ("unknown option '--stoped' (did you mean --stopped?)", ErrorOf({"--stoped"}));
  EXPECT_EQ("unknown option '--sns_arn' (did you mean --sns-arn?)", ErrorOf({"--sns_arn", "x"}));
  EXPECT_EQ("unknown option '--dryrun' (did you mean --dry-run?)", ErrorOf({"--dryrun"}));
  EXPECT_EQ("unknown option '-x'", ErrorOf({"-x"}));
  EXPECT_EQ("unexpected argument 'stray' (the filter goes after --filter)", ErrorOf({"stray"}));
  EXPECT_EQ("--output: 'yaml' is not text or json", ErrorOf({"--output", "yaml"}));
  EXPECT_EQ("--region: empty value in 'a,,b'", ErrorOf({"--region", "a,,b"}));
  EXPECT_EQ("--stop and --stopped cannot be used together", ErrorOf({"-s", "-sp"}));
}

TEST(OptionsTest, UnsetOptionsKeepTheJobSpecDefaults) {
  spec::JobSpec defaults, spec = SpecOf({"--all"});
  EXPECT_TRUE(spec.all);
  EXPECT_EQ(defaults.wait_timeout, spec.wait_timeout);
  EXPECT_EQ(defaults.concurrency, spec.concurrency);
  EXPECT_EQ(defaults.read_timeout, spec.read_timeout);
}

TEST(OptionsTest, EachCommandsHelpListsItsOwnOptionsInSections) {
  using Command = spec::JobSpec::Command;
  for (Command command : {Command::kSnapshot, Command::kAudit, Command::kRestore}) {
    const std::string help = UsageText(command);
    const unsigned mine = spec::CommandBit(command);
    for (const auto& s : spec::Settings()) {
      for (const char* f : s.flags) {
        if (s.commands & mine) {
          EXPECT_NE(std::string::npos, help.find(std::string(f))) << f << " (command " << mine << ")";
        } else {
          EXPECT_EQ(std::string::npos, help.find("  " + std::string(f) + " ")) << f << " in the wrong command's help";
        }
      }
    }
    // The sections come in the table's order, each once.
    size_t last = 0;
    for (const auto& [section, title] : spec::Sections()) {
      size_t at = help.find("\n" + std::string(title) + ":\n");
      if (at == std::string::npos) continue;
      EXPECT_GT(at, last) << title;
      last = at;
    }
    EXPECT_NE(help.find("\nSelection:\n"), std::string::npos);
    EXPECT_EQ(help.find("\nAudit policy:\n") != std::string::npos, command == Command::kAudit);
    EXPECT_EQ(help.find("\nRetention:\n") != std::string::npos, command == Command::kSnapshot);
    EXPECT_EQ(help.find("\nRestore:\n") != std::string::npos, command == Command::kRestore);
  }
  EXPECT_NE(UsageText(Command::kAudit).find("Usage: s3snapshot audit [OPTIONS]"), std::string::npos);
  EXPECT_NE(UsageText(Command::kRestore).find("Usage: s3snapshot restore --instance ID"), std::string::npos);
}

TEST(OptionsTest, HelpListsEveryFlagAndDocumentKeyFromTheTable) {
  std::string help = UsageText();
  for (const auto& s : spec::Settings()) {
    if ((s.commands & spec::kSnapshotCommand) == 0) continue;
    for (const char* f : s.flags) EXPECT_NE(std::string::npos, help.find(f)) << f;
  }
  std::string flat;
  for (char c : help) flat += c == '\n' ? ' ' : c;
  std::string squeezed;
  for (char c : flat) {
    if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) squeezed += c;
  }
  EXPECT_NE(std::string::npos, squeezed.find("Keys: " + spec::DocumentKeyList() + "."));
  EXPECT_NE(std::string::npos, help.find("(default " + std::to_string(spec::JobSpec{}.wait_timeout.count()) + ")"));
  for (const auto& line : [&] {
         std::vector<std::string> lines;
         size_t start = 0;
         for (size_t nl; (nl = help.find('\n', start)) != std::string::npos; start = nl + 1) {
           lines.push_back(help.substr(start, nl - start));
         }
         return lines;
       }()) {
    EXPECT_LE(line.size(), 79u) << line;
  }
}

}  // namespace
}  // namespace s3snapshot::cli
