// Aligned text columns for listings: each column as wide as its widest cell, two spaces apart,
// the last column not padded.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace factory::plugins {

class text_table {
public:
    explicit text_table(std::vector<std::string> header);

    // A row with fewer cells than the header is padded with empty cells.
    void add(std::vector<std::string> row);
    bool empty() const noexcept { return rows_.size() <= 1; }

    // Each line starts with `indent`.
    void print(std::ostream& out, std::string_view indent = {}) const;

private:
    std::vector<std::vector<std::string>> rows_; // rows_[0] is the header
};

} // namespace factory::plugins
