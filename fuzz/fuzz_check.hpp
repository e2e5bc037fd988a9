// What every fuzz target shares: FUZZ_CHECK, an invariant that aborts with a message when false,
// so that libFuzzer records the input that broke it (a crash is the only failure it keeps).
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                              \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            std::fprintf(stderr, "%s:%d: invariant failed: %s (%s)\n", __FILE__, __LINE__, \
                         #cond, what);                                                      \
            std::abort();                                                                   \
        }                                                                                   \
    } while (0)
