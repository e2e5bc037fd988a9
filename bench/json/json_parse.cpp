// The ceiling and the reference of the JSON benchmark (bench/json.sh): how fast one core parses a
// file of JSON lines with simdjson and nothing else, and how fast one loop sessionizes it. The file
// is read whole into memory first (not timed); then, timed, every line is parsed: `dom` parses it
// whole (every value checked), `ondemand` finds one top-level field as a number or string, as a
// source that needs only the key does; `sessionize` is the in-run reference for the sessionize
// blueprint: one loop reads user, ts (ms) and page with On-Demand and keeps per user the session's
// start, last click, clicks and a 256-bit page sketch in a hash table sized once, closing a
// session at a gap of 30 minutes or more (what the factory does with --contract 30m on the
// material clock, minus the processes, lines and products).
//
//   bench_json_parse FILE [FIELD]        prints: <mode> <lines> <bytes> <seconds> <checksum>
#include <simdjson.h>

#include <chrono>
#include <unordered_map>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

struct line {
    std::size_t offset, size;
};

template <class Fn>
void time_mode(const char* mode, const std::string& text, const std::vector<line>& lines, Fn&& fn) {
    std::uint64_t checksum = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (const line& l : lines) checksum += fn(text.data() + l.offset, l.size, text.size() - l.offset);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::size_t bytes = 0;
    for (const line& l : lines) bytes += l.size + 1;
    // The checksum is printed so that the work cannot be optimised away.
    std::printf("%s %zu %zu %.6f %llu\n", mode, lines.size(), bytes, s, static_cast<unsigned long long>(checksum));
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_json_parse FILE [FIELD]\n");
        return 2;
    }
    const std::string field = argc > 2 ? argv[2] : "user";
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "bench_json_parse: cannot open '%s'\n", argv[1]);
        return 1;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<line> lines;
    for (std::size_t b = 0; b < text.size();) {
        std::size_t e = text.find('\n', b);
        if (e == std::string::npos) e = text.size();
        if (e > b) lines.push_back({b, e - b});
        b = e + 1;
    }
    text.append(simdjson::SIMDJSON_PADDING, ' '); // every line is followed by padding

    simdjson::dom::parser dom;
    time_mode("dom", text, lines, [&](const char* p, std::size_t n, std::size_t) -> std::uint64_t {
        simdjson::dom::element e;
        return dom.parse(p, n, false).get(e) ? 0 : 1;
    });
    simdjson::ondemand::parser od;
    time_mode("ondemand", text, lines, [&](const char* p, std::size_t n, std::size_t room) -> std::uint64_t {
        simdjson::ondemand::document doc;
        simdjson::ondemand::value v;
        if (od.iterate(p, n, room).get(doc) || doc.find_field_unordered(field).get(v)) return 0;
        std::uint64_t u = 0;
        if (!v.get_uint64().get(u)) return u;
        std::string_view s;
        return v.get_string().get(s) ? 0 : s.size();
    });
    struct session {
        std::int64_t start = 0, last = 0;
        std::uint64_t clicks = 0;
        std::uint64_t pages[4] = {};
    };
    std::unordered_map<std::uint64_t, session> users;
    users.reserve(1 << 18);
    std::uint64_t closed = 0;
    constexpr std::int64_t gap_ms = 30 * 60 * 1000;
    time_mode("sessionize", text, lines, [&](const char* p, std::size_t n, std::size_t room) -> std::uint64_t {
        simdjson::ondemand::document doc;
        simdjson::ondemand::object obj;
        std::uint64_t user = 0;
        std::int64_t ts = 0;
        std::string_view page;
        if (od.iterate(p, n, room).get(doc) || doc.get_object().get(obj) ||
            obj.find_field_unordered("user").get_uint64().get(user) ||
            obj.find_field_unordered("ts").get_int64().get(ts) ||
            obj.find_field_unordered("page").get_string().get(page))
            return 0;
        session& s = users[user];
        if (s.clicks > 0 && ts - s.last >= gap_ms) {
            ++closed;
            s = session{};
        }
        if (s.clicks == 0) s.start = ts;
        s.last = ts;
        ++s.clicks;
        std::uint64_t h = 0xcbf29ce484222325ULL;
        for (char c : page) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
        const unsigned b = static_cast<unsigned>((h * 0x9e3779b97f4a7c15ULL) >> 56);
        s.pages[b >> 6] |= std::uint64_t{1} << (b & 63);
        return 1;
    });
    std::printf("sessions %llu\n", static_cast<unsigned long long>(closed + users.size()));
    std::printf("implementation %s\n", simdjson::get_active_implementation()->name().c_str());
    return 0;
}
