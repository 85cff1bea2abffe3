// s3snapshot: snapshot the EBS volumes of EC2 instances. The same binary is
// the Lambda custom runtime's bootstrap: with AWS_LAMBDA_RUNTIME_API set and
// no arguments it serves Lambda invocations.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "core/env.h"
#include "lambda/runtime.h"

int main(int argc, char** argv) {
  s3snapshot::core::SystemEnv env;
  try {
    if (argc == 1 && env.Get("AWS_LAMBDA_RUNTIME_API")) {
      return s3snapshot::lambda::RunLambdaRuntime(env);
    }
    std::vector<std::string> args(argv + 1, argv + argc);
    return s3snapshot::cli::RunCli(args, env, std::cin, std::cout);
  } catch (const std::exception& e) {
    std::cerr << "s3snapshot: internal error: " << e.what() << "\n";
    return 1;
  }
}
