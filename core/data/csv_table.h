#pragma once
// A small RFC 4180 CSV reader (quoted fields, embedded commas and quotes, CRLF, UTF-8 BOM; the delimiter,
// comma, tab or semicolon, is taken from the header line): metadata files are tens of thousands of rows at
// most, so they are read whole.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dermgan {

class CsvTable {
public:
    // Throws InputError when the file is missing, empty, or a row has another field count than the header.
    static CsvTable read(const std::filesystem::path& path);
    static CsvTable parse(const std::string& text, const std::string& sourceName);

    const std::filesystem::path& path() const { return path_; }
    const std::vector<std::string>& header() const { return header_; }
    const std::vector<std::vector<std::string>>& rows() const { return rows_; }

    std::optional<std::size_t> findColumn(const std::string& name) const;
    // Throws InputError naming the file, the missing column and the columns it does have.
    std::size_t column(const std::string& name) const;

private:
    std::filesystem::path path_;
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
};

// Metadata tables as datasets ship them: .csv, .tsv, .tab (HAM10000 on Harvard Dataverse) or .txt, any case.
bool hasTableExtension(const std::filesystem::path& path);
// The table files directly in `folder`, sorted by name (macOS "._" resource forks excluded).
std::vector<std::filesystem::path> tableFilesIn(const std::filesystem::path& folder);

// Quotes a field when it holds a comma, quote or line break.
std::string csvField(const std::string& value);

} // namespace dermgan
