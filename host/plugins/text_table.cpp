#include "plugins/text_table.hpp"

#include <algorithm>

namespace factory::plugins {

text_table::text_table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }

void text_table::add(std::vector<std::string> row) {
    row.resize(std::max(row.size(), rows_.front().size()));
    rows_.push_back(std::move(row));
}

void text_table::print(std::ostream& out, std::string_view indent) const {
    std::vector<std::size_t> width;
    for (const auto& row : rows_) {
        width.resize(std::max(width.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    }
    for (const auto& row : rows_) {
        std::string line(indent);
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line.append(width[i] - row[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << '\n';
    }
}

} // namespace factory::plugins
