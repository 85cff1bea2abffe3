// What the CLI says about itself besides --help, made from the same settings
// table (job/settings.h): the man page s3snapshot(1) and the bash and zsh
// completions. The files in the repository (man/s3snapshot.1,
// completions/s3snapshot.bash, completions/_s3snapshot) are these, kept so by
// cli/docs_test.cc (S3SNAPSHOT_WRITE_DOCS=1 rewrites them), so --help, the
// man page, the completions and the README (tests/e2e/test_docs.py) cannot
// drift apart.
#ifndef S3SNAPSHOT_CLI_DOCS_H_
#define S3SNAPSHOT_CLI_DOCS_H_

#include <string>

namespace s3snapshot::cli {

// roff (man(7) macros).
std::string ManPage();
// For bash's `complete -F`; needs no bash-completion helpers.
std::string BashCompletion();
// A zsh #compdef function using _arguments.
std::string ZshCompletion();

}  // namespace s3snapshot::cli

#endif  // S3SNAPSHOT_CLI_DOCS_H_
