#pragma once
// The command line this process was started with, shell-quoted: reports print it beside their numbers so
// that every number can be reproduced by running it again.
#include <string>

namespace dermgan::cli {

void recordInvocation(int argc, char** argv);
const std::string& invocation();

} // namespace dermgan::cli
