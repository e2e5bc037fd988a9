#include "exporter_stdout/stdout_exporter.hpp"
#include "support/fake_transport.hpp"
#include "support/load_plugin.hpp"
#include "support/sample_products.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

using namespace factory::testing;

namespace {

const factory_descriptor* descriptor() {
    return factory::detail::exporter_descriptor<factory::output::stdout_exporter>();
}

// Runs `body` with standard output sent to a file; returns what was written. Assertions stay
// outside the redirection, so Catch's own output is not captured.
template <class Body>
std::string captured(Body body) {
    temp_dir d;
    std::cout.flush();
    std::fflush(stdout);
    int saved = ::dup(STDOUT_FILENO);
    int fd = ::open((d / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDOUT_FILENO);
    ::close(fd);
    body();
    std::fflush(stdout);
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
    return read_file(d / "out");
}

} // namespace

TEST_CASE("text lines: pclass then name=value, ISO times by default") {
    int rc[4] = {};
    std::string out = captured([&] {
        fake_transport t(descriptor(), sample_pclasses());
        rc[0] = t.open();
        rc[1] = t.export_records(0, std::vector<flow_record>{make_flow(1, 100, "first"), make_flow(2, 200, "two words")});
        rc[2] = t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "")});
        rc[3] = t.flush();
    });
    for (int r : rc) CHECK(r == FACTORY_OK);
    CHECK(out == "flows pid=1 bytes=100 src=10.0.0.1 at=2023-11-14T22:13:20.000Z note=first\n"
                 "flows pid=2 bytes=200 src=10.0.0.2 at=2023-11-14T22:13:20.000Z note=\"two words\"\n"
                 "alerts pid=7 level=3 message=\"\"\n");
}

TEST_CASE("jsonl lines with a pclass key, nothing before flush with a large buffer") {
    std::string before_flush;
    std::string out = captured([&] {
        fake_transport t(descriptor(), sample_pclasses(), {{"format", "jsonl"}, {"time", "ns"}});
        t.open();
        t.export_records(1, std::vector<alert_record>{make_alert(7, 3, "disk, full")});
        std::fflush(stdout);
        before_flush = read_file("/proc/self/fd/1");
        t.flush();
    });
    CHECK(before_flush.empty());
    CHECK(out == "{\"pclass\":\"alerts\",\"pid\":7,\"level\":3,\"message\":\"disk, full\"}\n");
}

TEST_CASE("a closed exporter writes what it still holds") {
    std::string out = captured([&] {
        fake_transport t(descriptor(), sample_pclasses());
        t.open();
        t.export_records(1, std::vector<alert_record>{make_alert(1, 0, "bye")});
        t.close();
    });
    CHECK(out == "alerts pid=1 level=0 message=bye\n");
}

TEST_CASE("the built stdout exporter describes itself") {
    const factory_descriptor* d = load_plugin(FACTORY_TEST_PLUGIN);
    CHECK(std::string(d->name) == "stdout");
    REQUIRE(find_setting(d, "format") != nullptr);
    CHECK(std::string(find_setting(d, "format")->choices) == "text|jsonl");
    CHECK(std::string(find_setting(d, "format")->default_value) == "text");
}
