#include "source_jsonl/line_reader.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <factory/settings.hpp>

#include <string>
#include <vector>

using factory::jsonl::line_reader;
using factory::testing::temp_dir;

namespace {

struct seen {
    std::vector<std::string> lines;
    std::vector<std::uint64_t> numbers;
    std::vector<std::string> too_long; // "N:prefix"
    std::size_t skipping = 0;          // calls that dropped a block of a too long line
};

seen read_all(line_reader& r) {
    seen s;
    line_reader::line ln;
    for (;;) {
        auto res = r.next(ln);
        if (res == line_reader::result::end) break;
        REQUIRE(res != line_reader::result::wait); // regular files never wait
        if (res == line_reader::result::skipping) {
            ++s.skipping;
            continue;
        }
        if (res == line_reader::result::line) {
            s.lines.emplace_back(ln.text);
            s.numbers.push_back(ln.number);
        } else {
            s.too_long.push_back(std::to_string(ln.number) + ":" + std::string(ln.text));
        }
    }
    return s;
}

} // namespace

TEST_CASE("lines end with LF or CRLF, a last line without an end is read") {
    temp_dir d;
    factory::testing::write_file(d / "in", "a\r\nb\n\nc\r\n\r\nlast");
    line_reader r(d / "in");
    auto s = read_all(r);
    CHECK(s.lines == std::vector<std::string>{"a", "b", "", "c", "", "last"});
    CHECK(s.numbers == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6});
}

TEST_CASE("an empty file and a file of one newline") {
    temp_dir d;
    factory::testing::write_file(d / "empty", "");
    factory::testing::write_file(d / "nl", "\n");
    line_reader e(d / "empty");
    CHECK(read_all(e).lines.empty());
    line_reader n(d / "nl");
    CHECK(read_all(n).lines == std::vector<std::string>{""});
}

TEST_CASE("lines across many blocks, and too long lines skipped whole") {
    temp_dir d;
    std::string text, huge(10000, 'x');
    std::vector<std::string> expect;
    for (int i = 0; i < 2000; ++i) {
        std::string line = "line " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 90), '.');
        if (i == 700) line = huge;              // spans blocks: reported before its end arrives
        if (i == 1500) line = std::string(101, 'y'); // one over the limit, end in view
        text += line + (i % 3 == 0 ? "\r\n" : "\n");
        if (i != 700 && i != 1500) expect.push_back(line);
    }
    factory::testing::write_file(d / "in", text);
    line_reader r(d / "in", 4096);
    r.set_max_line(100);
    auto s = read_all(r);
    CHECK(s.lines == expect);
    REQUIRE(s.too_long.size() == 2);
    CHECK(s.too_long[0] == "701:" + std::string(100, 'x'));
    CHECK(s.too_long[1] == "1501:" + std::string(100, 'y'));
}

TEST_CASE("a line far over the limit is dropped a block per call, so the caller can stop mid-line") {
    temp_dir d;
    const std::size_t block = 4096, huge = std::size_t{1} << 20;
    factory::testing::write_file(d / "in", "ok\n" + std::string(huge, 'z') + "\nnext\n");
    line_reader r(d / "in", block);
    r.set_max_line(100);
    auto s = read_all(r);
    CHECK(s.lines == std::vector<std::string>{"ok", "next"});
    REQUIRE(s.too_long.size() == 1);
    CHECK(s.too_long[0] == "2:" + std::string(100, 'z'));
    // Each call drops at most one read of the buffer (a block plus room for the constructor's
    // 64 KiB line, which set_max_line(100) does not shrink): never the whole line at once. The
    // first read reports the line, the last one finds its end.
    CHECK(s.skipping >= huge / (block + 64 * 1024 + 2) - 2);
    CHECK(s.skipping <= huge / block + 1);
}

TEST_CASE("a line of exactly max_line bytes, with CRLF, is a line") {
    temp_dir d;
    std::string exact(100, 'z');
    factory::testing::write_file(d / "in", exact + "\r\n" + exact);
    line_reader r(d / "in", 4096);
    r.set_max_line(100);
    auto s = read_all(r);
    CHECK(s.lines == std::vector<std::string>{exact, exact});
    CHECK(s.too_long.empty());
}

TEST_CASE("unread gives the same line again") {
    temp_dir d;
    factory::testing::write_file(d / "in", "one\ntwo\n");
    line_reader r(d / "in");
    line_reader::line ln;
    REQUIRE(r.next(ln) == line_reader::result::line);
    CHECK(ln.text == "one");
    r.unread();
    REQUIRE(r.next(ln) == line_reader::result::line);
    CHECK(ln.text == "one");
    CHECK(ln.number == 1);
    REQUIRE(r.next(ln) == line_reader::result::line);
    CHECK(ln.text == "two");
    CHECK(ln.number == 2);
}

TEST_CASE("an unreadable path is an error naming it and the reason") {
    temp_dir d;
    CHECK_THROWS_WITH(line_reader(d / "missing.jsonl"),
                      Catch::Contains("missing.jsonl") && Catch::Contains("No such file or directory"));
    CHECK_THROWS_WITH(line_reader(d.path().string()), Catch::Contains("is a folder"));
}
