#include "invocation.h"

namespace dermgan::cli {

namespace {

std::string& stored()
{
    static std::string text;
    return text;
}

std::string shellQuote(const std::string& word)
{
    if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./,:+@%") == std::string::npos)
        return word;
    std::string quoted = "'";
    for (char c : word)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

} // namespace

void recordInvocation(int argc, char** argv)
{
    std::string text = "dermgan";
    for (int i = 1; i < argc; ++i)
        text += " " + shellQuote(argv[i]);
    stored() = text;
}

const std::string& invocation() { return stored(); }

std::string shellLine(const std::vector<std::string>& arguments)
{
    std::string line;
    for (const auto& argument : arguments)
        line += (line.empty() ? "" : " ") + shellQuote(argument);
    return line;
}

} // namespace dermgan::cli
