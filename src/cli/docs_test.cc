#include "cli/docs.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "spec/settings.h"

namespace s3snapshot::cli {
namespace {

std::string Read(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `word` in `text` between blanks or quotes.
bool HasWord(const std::string& text, const std::string& word) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    char before = at == 0 ? ' ' : text[at - 1], after = at + word.size() < text.size() ? text[at + word.size()] : ' ';
    if ((before == ' ' || before == '"') && (after == ' ' || after == '"')) return true;
  }
  return false;
}

// man/s3snapshot.1 and completions/* are made from the option table. After
// changing the table, run this test with S3SNAPSHOT_WRITE_DOCS=1 to write them.
void ExpectFileIs(const std::string& relative, const std::string& expected) {
  const std::string path = std::string(S3SNAPSHOT_TESTDATA_DIR) + "/../" + relative;
  if (std::getenv("S3SNAPSHOT_WRITE_DOCS")) std::ofstream(path) << expected;
  EXPECT_EQ(expected, Read(path)) << path << " is out of date: run cli_test with S3SNAPSHOT_WRITE_DOCS=1";
}

TEST(DocsTest, TheCommittedManPageAndCompletionsAreTheTables) {
  ExpectFileIs("man/s3snapshot.1", ManPage());
  ExpectFileIs("completions/s3snapshot.bash", BashCompletion());
  ExpectFileIs("completions/_s3snapshot", ZshCompletion());
}

TEST(DocsTest, EveryFlagIsInTheManPageAndTheCompletions) {
  const std::string man = ManPage(), bash = BashCompletion(), zsh = ZshCompletion();
  for (const auto& s : spec::Settings()) {
    for (const char* f : s.flags) {
      std::string roff;
      for (const char* c = f; *c; ++c) roff += *c == '-' ? "\\-" : std::string(1, *c);
      EXPECT_NE(man.find("\\fB" + roff + "\\fR"), std::string::npos) << f;
      EXPECT_TRUE(HasWord(bash, f)) << f;
      EXPECT_NE(zsh.find(std::string(f) + "["), std::string::npos) << f;
    }
  }
}

TEST(DocsTest, RoffHasNoUnguardedControlLines) {
  std::stringstream ss(ManPage());
  std::string line;
  while (std::getline(ss, line)) {
    if (line.empty() || line[0] != '.') continue;
    // Every control line is a known macro (or a comment).
    static const char* kMacros[] = {".\\\"", ".TH ", ".SH ", ".SS ", ".TP", ".PP", ".B ",
                                    ".RI ",  ".br",  ".RS",  ".RE",  ".nf", ".fi"};
    bool known = false;
    for (const char* m : kMacros) known = known || line.rfind(m, 0) == 0;
    EXPECT_TRUE(known) << line;
  }
}

}  // namespace
}  // namespace s3snapshot::cli
