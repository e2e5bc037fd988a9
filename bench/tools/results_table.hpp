// The benchmark's results, as the driver (bench/run.sh) writes them, one measurement a line:
//   table <TAB> row <TAB> column <TAB> value
// and their rendering as markdown tables, one per table name in the order first seen, rows and
// columns in the order first seen too. A cell shows the median of its values, then (min-max) when
// there were several that differ. A value that is not a number (a failed run writes "failed") is
// shown as it is, instead of the median, so no failure hides in a figure.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

namespace factory::bench {

struct cell_stats {
    std::size_t count = 0; // numeric values
    double median = 0;     // of an even count: the mean of the middle two
    double min = 0;
    double max = 0;
    std::string text;      // the non-numeric values, comma-separated, when there were any
};

// Median, min and max of `values` (count 0 when empty).
cell_stats summarize(std::vector<double> values);

// A number in at most about 4 characters of digits: 3 significant digits with k, M or G from
// 10,000 on (25.1M), whole numbers from 100 to 9,999 (1843), 3 significant digits below (0.523).
std::string format_number(double v);

class results_table {
public:
    // Adds the lines of `in`; returns the number of lines that were not four tab-separated fields
    // (and were skipped). Blank lines are ignored.
    std::size_t read(std::istream& in);
    void add(const std::string& table, const std::string& row, const std::string& column, const std::string& value);

    // The values of one cell, or an empty list.
    cell_stats stats(const std::string& table, const std::string& row, const std::string& column) const;

    // Every table as markdown: a "#### <table>" heading, a blank line, the table (first column
    // headed `row_header`; an unmeasured cell shows "-"), a blank line.
    std::string markdown(const std::string& row_header) const;

private:
    struct cell {
        std::string row, column;
        std::vector<double> numbers;
        std::vector<std::string> texts;
    };
    struct table {
        std::string name;
        std::vector<std::string> rows, columns;
        std::vector<cell> cells;
        const cell* find(const std::string& row, const std::string& column) const;
    };
    const table* find(const std::string& name) const;

    std::vector<table> tables_;
};

} // namespace factory::bench
