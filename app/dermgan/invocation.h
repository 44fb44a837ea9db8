#pragma once
// The command line this process was started with, shell-quoted: reports print it beside their numbers so
// that every number can be reproduced by running it again.
#include <string>
#include <vector>

namespace dermgan::cli {

void recordInvocation(int argc, char** argv);
const std::string& invocation();

// The arguments as one shell-quoted line (argv[0] as given), for reports and logs.
std::string shellLine(const std::vector<std::string>& arguments);

} // namespace dermgan::cli
