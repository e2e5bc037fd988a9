// Fuzz target for the jsonl source's key rule (plugins/source_jsonl/key_rule*): one line of any
// bytes, read under one of several settings chosen by the input's first byte, with check=all and
// with check=fields (simdjson).
//
// Checks beyond ASan/UBSan:
//   - check=fields accepts every line check=all accepts, with the same pid and time, and refuses
//     a line only with check=all's reason;
//   - with check=all, a line is accepted only when it is one valid JSON object;
//   - a refused line has a reason, NUL-terminated inside the caller's buffer (never past it);
//   - the same line gives the same pid and time twice;
//   - a single integer key field is the pid itself;
//   - an accepted time agrees with the field's value read as a double, to double precision.
#include "fuzz_check.hpp"

#include "source_jsonl/key_rule.hpp"

#include <factory/util/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

using factory::jsonl::key_rule;
namespace json = factory::json;

namespace {

constexpr const char* key_choices[] = {"pid", "src,dst", "src, dst ,proto", "k"};
constexpr const char* time_choices[] = {"", "ts"};
constexpr const char* unit_choices[] = {"s", "ms", "us", "ns"};
constexpr int unit_exp[] = {9, 6, 3, 0};

struct rules {
    // read() keeps the parser's state: not const. [0]: check=all, [1]: check=fields.
    std::unique_ptr<key_rule> by_choice[2][4][2][4];
    rules() {
        for (int c = 0; c < 2; ++c)
            for (int k = 0; k < 4; ++k)
                for (int t = 0; t < 2; ++t)
                    for (int u = 0; u < 4; ++u)
                        by_choice[c][k][t][u] = std::make_unique<key_rule>(key_choices[k], time_choices[t],
                                                                           unit_choices[u], c == 0 ? "all" : "fields");
    }
};

// The first top-level member named `name`, as the rule would find it.
bool first_member(std::string_view line, std::string_view name, json::member& out) {
    bool found = false;
    json::read_object(line, [&](const json::member& m) {
        if (!found && json::equals(m.key, name)) {
            out = m;
            found = true;
        }
    });
    return found;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const rules all;
    if (size < 1) return 0;
    const unsigned k = data[0] & 3, t = (data[0] >> 2) & 1, u = (data[0] >> 3) & 3;
    const std::size_t why_size = 1 + (data[0] >> 5) * 24; // 1..169: small buffers truncate reasons
    key_rule& rule = *all.by_choice[0][k][t][u];
    key_rule& fast = *all.by_choice[1][k][t][u];
    const std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);

    {
        // check=fields against check=all: a line all accepts, fields accepts with the same pid and
        // time; a line fields refuses, all refuses with the same reason. (fields may accept a line
        // whose only faults are in members it skips.)
        char why_all[256], why_fast[256];
        std::uint64_t pid_all = 0, pid_fast = 0;
        std::int64_t time_all = -1, time_fast = -1;
        const bool ok_all = rule.read(line, pid_all, time_all, why_all, sizeof why_all);
        const bool ok_fast = fast.read(line, pid_fast, time_fast, why_fast, sizeof why_fast);
        if (ok_all) {
            FUZZ_CHECK(ok_fast, "check=fields refused a line check=all accepts");
            FUZZ_CHECK(pid_all == pid_fast && time_all == time_fast, "check=fields gave another pid or time");
        }
        if (!ok_fast) {
            FUZZ_CHECK(!ok_all, "check=fields refused a line check=all accepts");
            FUZZ_CHECK(std::strcmp(why_all, why_fast) == 0, "check=fields gave another reason");
        }
    }

    char why[256];
    std::memset(why, 0x5a, sizeof why);
    std::uint64_t pid = 0;
    std::int64_t time_ns = -1;
    const bool ok = rule.read(line, pid, time_ns, why, why_size);
    for (std::size_t i = why_size; i < sizeof why; ++i) FUZZ_CHECK(why[i] == 0x5a, "the reason ran past its buffer");
    if (!ok) {
        FUZZ_CHECK(std::memchr(why, '\0', why_size) != nullptr, "the reason is not NUL-terminated");
        FUZZ_CHECK(why_size == 1 || why[0] != '\0', "a refusal without a reason");
        return 0;
    }
    FUZZ_CHECK(json::validate_object(line).ok(), "accepted a line that is not one JSON object");

    std::uint64_t pid2 = 0;
    std::int64_t time2 = -1;
    FUZZ_CHECK(rule.read(line, pid2, time2, why, sizeof why), "the same line was refused the second time");
    FUZZ_CHECK(pid == pid2 && time_ns == time2, "the same line gave another pid or time");

    json::member m;
    std::uint64_t direct = 0;
    if (k == 0 && first_member(line, "pid", m) && json::to_u64(m, direct))
        FUZZ_CHECK(pid == direct, "a single integer key is not the pid itself");
    if (k == 3 && first_member(line, "k", m) && json::to_u64(m, direct))
        FUZZ_CHECK(pid == direct, "a single integer key is not the pid itself");

    if (t == 0) {
        FUZZ_CHECK(time_ns == 0, "a time without a time field");
    } else {
        FUZZ_CHECK(first_member(line, "ts", m) && m.kind == json::kind::number, "a time from no numeric field");
        double v = 0;
        if (json::to_double(m, v)) {
            const double want = v * std::pow(10.0, unit_exp[u]);
            // The rule reads the decimal text exactly; a double carries 53 bits.
            const double slack = 1.0 + std::fabs(want) * 1e-15;
            FUZZ_CHECK(std::fabs(static_cast<double>(time_ns) - want) <= slack, "the time differs from the field's value");
        }
    }
    return 0;
}
