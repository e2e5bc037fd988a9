// Checkpoints of the jsonl source: a new instance that seeks to a position reads, material for
// material (pid, time, payload), what an uninterrupted read reads from there on; another file, a
// shorter one and stdin are refused with what to do.
#include "source_jsonl/jsonl_source.hpp"
#include "source_jsonl/line_reader.hpp"
#include "support/fake_purchasing.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>
#include <tuple>
#include <vector>

using factory::testing::fake_purchasing;
using factory::testing::materials_seen;
using factory::testing::temp_dir;
using factory::testing::write_file;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::source_descriptor<factory::jsonl::jsonl_source>();
}

// Lines of varied length with blank and bad lines among them, over 2 MiB so that reading crosses
// the reader's 1 MiB blocks.
std::string sample(std::size_t lines) {
    std::string text;
    for (std::size_t i = 0; i < lines; ++i) {
        if (i % 97 == 5) text += "   \n";
        else if (i % 89 == 7) text += "not json\n";
        else
            text += "{\"pid\":" + std::to_string(i % 1000) + ",\"t\":" + std::to_string(1'600'000'000 + i) +
                    ",\"pad\":\"" + std::string(i % 50, 'x') + "\"}" + (i % 3 == 0 ? "\r\n" : "\n");
    }
    return text;
}


} // namespace

TEST_CASE("jsonl: after a seek, the rest equals the rest of an uninterrupted read") {
    temp_dir d;
    const std::string file = d / "in.jsonl";
    write_file(file, sample(40'000));
    const factory::testing::fake_settings::overrides s = {{"file", file}, {"time", "t"}};
    fake_purchasing whole(descriptor(), s);
    REQUIRE(whole.open() == FACTORY_OK);
    REQUIRE(whole.fill_to_end(1000) == FACTORY_END);

    for (std::uint32_t taken : {1u, 777u, 25'000u}) {
        INFO("materials before the position: " << taken);
        fake_purchasing first(descriptor(), s);
        REQUIRE(first.open() == FACTORY_OK);
        for (std::uint32_t left = taken; left > 0;) {
            const std::uint32_t n = left < 1000 ? left : 1000;
            REQUIRE(first.fill(n) == FACTORY_OK);
            left -= n;
        }
        REQUIRE(first.room.materials.size() == taken);
        std::string pos;
        REQUIRE(first.position(pos) == FACTORY_OK);

        fake_purchasing second(descriptor(), s);
        REQUIRE(second.open() == FACTORY_OK);
        REQUIRE(second.seek(pos) == FACTORY_OK);
        REQUIRE(second.fill_to_end(1000) == FACTORY_END);
        CHECK(materials_seen(second) == materials_seen(whole, taken));
        // Rejected lines after the position keep their line numbers.
        REQUIRE_FALSE(second.room.rejects.empty());
        CHECK(second.room.rejects.back().reason == whole.room.rejects.back().reason);
    }
}

TEST_CASE("jsonl: a position is refused for another file, or a shorter one") {
    temp_dir d;
    const std::string file = d / "in.jsonl";
    write_file(file, sample(100));
    fake_purchasing first(descriptor(), {{"file", file}});
    REQUIRE(first.open() == FACTORY_OK);
    REQUIRE(first.fill(50) == FACTORY_OK);
    std::string pos;
    REQUIRE(first.position(pos) == FACTORY_OK);

    // The next line's offset, found by what a seek reads first.
    fake_purchasing probe(descriptor(), {{"file", file}});
    REQUIRE(probe.open() == FACTORY_OK);
    REQUIRE(probe.seek(pos) == FACTORY_OK);
    REQUIRE(probe.fill(1) == FACTORY_OK);
    const std::string next_line(probe.room.materials.at(0).text());
    std::string tail_changed = sample(100);
    const auto offset = tail_changed.find(next_line);
    REQUIRE(offset != std::string::npos);
    tail_changed[offset - 5] = '#'; // a byte just before the offset
    const std::string other = d / "other.jsonl";
    write_file(other, tail_changed);
    fake_purchasing differs(descriptor(), {{"file", other}});
    REQUIRE(differs.open() == FACTORY_OK);
    CHECK(differs.seek(pos) == FACTORY_ERROR);
    CHECK_THAT(differs.error, Catch::StartsWith("source jsonl: '" + other + "' differs from the file the checkpoint read"));
    CHECK_THAT(differs.error, Catch::EndsWith("are not the same); give that file, or start the job afresh"));

    write_file(other, sample(10));
    fake_purchasing shorter(descriptor(), {{"file", other}});
    REQUIRE(shorter.open() == FACTORY_OK);
    CHECK(shorter.seek(pos) == FACTORY_ERROR);
    CHECK_THAT(shorter.error, Catch::Contains("but the checkpoint read up to byte " + std::to_string(offset)));
    CHECK_THAT(shorter.error, Catch::Contains("it is not the file the checkpoint read"));
}

TEST_CASE("jsonl: stdin has no position") {
    fake_purchasing p(descriptor(), {{"file", "-"}});
    REQUIRE(p.open() == FACTORY_OK);
    std::string pos;
    CHECK(p.position(pos) == FACTORY_ERROR);
    CHECK(p.error == "jsonl reads stdin, which cannot be read again after a crash; give a file path (file=) to use "
                     "--checkpoint");
}

TEST_CASE("line_reader: offsets stay right across blocks, and a seek continues inside a too long line") {
    temp_dir d;
    const std::string file = d / "lines.txt";
    std::string text;
    for (int i = 0; i < 3000; ++i) text += "line " + std::to_string(i) + (i == 1500 ? std::string(9000, 'z') : "") + "\n";
    write_file(file, text);
    factory::jsonl::line_reader whole(file, 4096);
    whole.set_max_line(5000);
    std::vector<std::string> all;
    factory::jsonl::line_reader::line ln;
    for (;;) {
        auto r = whole.next(ln);
        if (r == factory::jsonl::line_reader::result::end) break;
        if (r == factory::jsonl::line_reader::result::skipping) continue;
        all.push_back(std::to_string(ln.number) + ":" + std::string(ln.text.substr(0, 20)));
    }
    for (std::size_t cut : {std::size_t{10}, std::size_t{1499}, std::size_t{1500}, std::size_t{2999}}) {
        INFO("cut after " << cut << " lines");
        factory::jsonl::line_reader a(file, 4096);
        a.set_max_line(5000);
        std::size_t got = 0;
        while (got < cut) {
            auto r = a.next(ln);
            if (r != factory::jsonl::line_reader::result::skipping) ++got;
        }
        factory::jsonl::line_reader b(file, 4096);
        b.set_max_line(5000);
        b.seek(a.offset(), a.line_number(), a.skipping());
        std::vector<std::string> rest;
        for (;;) {
            auto r = b.next(ln);
            if (r == factory::jsonl::line_reader::result::end) break;
            if (r == factory::jsonl::line_reader::result::skipping) continue;
            rest.push_back(std::to_string(ln.number) + ":" + std::string(ln.text.substr(0, 20)));
        }
        CHECK(rest == std::vector<std::string>(all.begin() + static_cast<long>(cut), all.end()));
    }
}
