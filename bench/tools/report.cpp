// bench_report: the markdown tables of a results file (results_table.hpp).
//   bench_report RESULTS [ROW_HEADER]
// Exits 1 when the file cannot be read, 2 on bad arguments; lines that are not four
// tab-separated fields are counted on stderr and skipped.
#include "results_table.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: bench_report RESULTS [ROW_HEADER]\n");
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::fprintf(stderr, "bench_report: cannot read %s; run bench/run.sh to make it\n", argv[1]);
        return 1;
    }
    factory::bench::results_table t;
    if (std::size_t bad = t.read(in); bad != 0)
        std::fprintf(stderr, "bench_report: %s: skipped %zu lines that are not table<TAB>row<TAB>column<TAB>value\n",
                     argv[1], bad);
    std::cout << t.markdown(argc == 3 ? argv[2] : "run");
    return 0;
}
