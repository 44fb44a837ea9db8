#include "data/csv_table.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "common/errors.h"

namespace dermgan {

namespace {

// The delimiter of the header line outside quotes: tab (HAM10000's Dataverse .tab, .tsv), semicolon
// (spreadsheets in locales with a decimal comma) or comma.
char sniffDelimiter(const std::string& text)
{
    std::size_t commas = 0, tabs = 0, semicolons = 0;
    bool quoted = false;
    for (char c : text) {
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ',')
            ++commas;
        else if (!quoted && c == '\t')
            ++tabs;
        else if (!quoted && c == ';')
            ++semicolons;
    }
    if (tabs > 0 && tabs >= commas && tabs >= semicolons)
        return '\t';
    if (semicolons > commas)
        return ';';
    return ',';
}

std::vector<std::vector<std::string>> splitRecords(const std::string& text, const std::string& sourceName)
{
    const char delimiter = sniffDelimiter(text);
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;
    bool fieldStarted = false;
    std::size_t i = (text.rfind("\xEF\xBB\xBF", 0) == 0) ? 3 : 0;
    auto endField = [&] {
        record.push_back(std::move(field));
        field.clear();
        fieldStarted = false;
    };
    auto endRecord = [&] {
        endField();
        if (!(record.size() == 1 && record[0].empty()))
            records.push_back(std::move(record));
        record.clear();
    };
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == '"' && !fieldStarted) {
            quoted = true;
            fieldStarted = true;
        } else if (c == delimiter) {
            endField();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            endRecord();
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (quoted)
        throw InputError("CSV " + sourceName + " ends inside a quoted field: the file is truncated or malformed");
    if (!field.empty() || !record.empty())
        endRecord();
    return records;
}

} // namespace

CsvTable CsvTable::read(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError("cannot open CSV " + path.string() + ": file missing or unreadable");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    CsvTable table = parse(buffer.str(), path.string());
    table.path_ = path;
    return table;
}

CsvTable CsvTable::parse(const std::string& text, const std::string& sourceName)
{
    auto records = splitRecords(text, sourceName);
    if (records.empty())
        throw InputError("CSV " + sourceName + " is empty: expected a header row and data rows");
    CsvTable table;
    table.path_ = sourceName;
    table.header_ = std::move(records.front());
    for (auto& name : table.header_) {
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
            name.pop_back();
        while (!name.empty() && (name.front() == ' ' || name.front() == '\t'))
            name.erase(name.begin());
    }
    for (std::size_t r = 1; r < records.size(); ++r) {
        if (records[r].size() != table.header_.size())
            throw InputError("CSV " + sourceName + " row " + std::to_string(r + 1) + " has " +
                             std::to_string(records[r].size()) + " fields; expected " +
                             std::to_string(table.header_.size()) + " like the header");
        table.rows_.push_back(std::move(records[r]));
    }
    return table;
}

std::optional<std::size_t> CsvTable::findColumn(const std::string& name) const
{
    for (std::size_t i = 0; i < header_.size(); ++i)
        if (header_[i] == name)
            return i;
    return std::nullopt;
}

std::size_t CsvTable::column(const std::string& name) const
{
    if (auto index = findColumn(name))
        return *index;
    std::string have;
    for (const auto& h : header_)
        have += (have.empty() ? "" : ",") + h;
    throw InputError("CSV " + path_.string() + " has no column '" + name + "'; its columns are: " + have);
}

bool hasTableExtension(const std::filesystem::path& path)
{
    std::string extension = path.extension().string();
    for (auto& c : extension)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return extension == ".csv" || extension == ".tsv" || extension == ".tab" || extension == ".txt";
}

std::vector<std::filesystem::path> tableFilesIn(const std::filesystem::path& folder)
{
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec) && hasTableExtension(it->path()) && it->path().filename().string().rfind("._", 0) != 0)
            files.push_back(it->path());
    std::sort(files.begin(), files.end());
    return files;
}

std::string csvField(const std::string& value)
{
    if (value.find_first_of(",\"\r\n") == std::string::npos)
        return value;
    std::string quoted = "\"";
    for (char c : value)
        quoted += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

} // namespace dermgan
