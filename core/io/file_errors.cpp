#include "io/file_errors.h"

namespace dermgan {

std::string errorSummary(const std::exception& error)
{
    std::string text = error.what();
    text = text.substr(0, text.find('\n'));
    if (text.rfind("[json.exception.", 0) == 0 && text.find("] ") != std::string::npos)
        text = "JSON " + text.substr(text.find("] ") + 2);
    constexpr std::size_t kLongest = 300;
    if (text.size() > kLongest)
        text = text.substr(0, kLongest) + "...";
    return text.empty() ? std::string("unreadable") : text;
}

void throwFileError(const std::filesystem::path& path, const std::string& detail, const std::string& expected)
{
    const std::string name = path.string();
    const bool named = !name.empty() && detail.find(name) != std::string::npos;
    const bool saysExpected = detail.find("expected") != std::string::npos;
    throw InputError((named ? detail : name + ": " + detail) + (saysExpected ? "" : "; expected " + expected));
}

} // namespace dermgan
