#include "results_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace factory::bench {
namespace {

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        std::size_t tab = line.find('\t', start);
        out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return out;
        start = tab + 1;
    }
}

bool parse_number(const std::string& text, double& out) {
    if (text.empty()) return false;
    char* end = nullptr;
    out = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && std::isfinite(out);
}

template <class T>
void add_unique(std::vector<T>& list, const T& v) {
    if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
}

std::string cell_text(const cell_stats& s) {
    if (!s.text.empty()) return s.text;
    if (s.count == 0) return "-";
    std::string out = format_number(s.median);
    if (s.count > 1 && s.min != s.max) out += " (" + format_number(s.min) + "-" + format_number(s.max) + ")";
    return out;
}

} // namespace

cell_stats summarize(std::vector<double> values) {
    cell_stats s;
    s.count = values.size();
    if (values.empty()) return s;
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    s.median = values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    s.min = values.front();
    s.max = values.back();
    return s;
}

std::string format_number(double v) {
    char buf[32];
    const double a = std::fabs(v);
    if (a >= 1e4) {
        const char* suffix = "k";
        double scaled = v / 1e3;
        if (a >= 1e9) {
            suffix = "G";
            scaled = v / 1e9;
        } else if (a >= 1e6) {
            suffix = "M";
            scaled = v / 1e6;
        }
        std::snprintf(buf, sizeof buf, "%.3g%s", scaled, suffix);
    } else if (a >= 100) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        std::snprintf(buf, sizeof buf, "%.3g", v);
    }
    return buf;
}

std::size_t results_table::read(std::istream& in) {
    std::size_t bad = 0;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        auto f = split_tabs(line);
        if (f.size() != 4) {
            ++bad;
            continue;
        }
        add(f[0], f[1], f[2], f[3]);
    }
    return bad;
}

void results_table::add(const std::string& table_name, const std::string& row, const std::string& column,
                        const std::string& value) {
    auto t = std::find_if(tables_.begin(), tables_.end(), [&](const table& x) { return x.name == table_name; });
    if (t == tables_.end()) {
        tables_.push_back(table{table_name, {}, {}, {}});
        t = tables_.end() - 1;
    }
    add_unique(t->rows, row);
    add_unique(t->columns, column);
    auto c = std::find_if(t->cells.begin(), t->cells.end(),
                          [&](const cell& x) { return x.row == row && x.column == column; });
    if (c == t->cells.end()) {
        t->cells.push_back(cell{row, column, {}, {}});
        c = t->cells.end() - 1;
    }
    double number = 0;
    if (parse_number(value, number)) c->numbers.push_back(number);
    else add_unique(c->texts, value);
}

const results_table::cell* results_table::table::find(const std::string& row, const std::string& column) const {
    for (const cell& c : cells)
        if (c.row == row && c.column == column) return &c;
    return nullptr;
}

const results_table::table* results_table::find(const std::string& name) const {
    for (const table& t : tables_)
        if (t.name == name) return &t;
    return nullptr;
}

cell_stats results_table::stats(const std::string& table_name, const std::string& row,
                                const std::string& column) const {
    const table* t = find(table_name);
    const cell* c = t != nullptr ? t->find(row, column) : nullptr;
    if (c == nullptr) return {};
    cell_stats s = summarize(c->numbers);
    for (const std::string& text : c->texts) s.text += (s.text.empty() ? "" : ", ") + text;
    return s;
}

std::string results_table::markdown(const std::string& row_header) const {
    std::ostringstream out;
    for (const table& t : tables_) {
        out << "#### " << t.name << "\n\n| " << row_header << " |";
        for (const std::string& c : t.columns) out << ' ' << c << " |";
        out << "\n|---|";
        for (std::size_t i = 0; i < t.columns.size(); ++i) out << "---|";
        out << '\n';
        for (const std::string& r : t.rows) {
            out << "| " << r << " |";
            for (const std::string& c : t.columns) out << ' ' << cell_text(stats(t.name, r, c)) << " |";
            out << '\n';
        }
        out << '\n';
    }
    return out.str();
}

} // namespace factory::bench
