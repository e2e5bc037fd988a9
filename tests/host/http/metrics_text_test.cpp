#include "http/metrics_text.hpp"
#include "http/status.hpp"
#include "http/status_json.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>

#include <unistd.h>

using namespace factory;

namespace {

struct test_segment {
    std::string name = "factory-test-http-" + std::to_string(::getpid());
    shm::segment seg;
    explicit test_segment(std::uint32_t workshops)
        : seg((shm::segment::remove(name), shm::segment::create(name, workshops, 64u << 10, 64u << 10, "{}"))) {}
    ~test_segment() { shm::segment::remove(name); }
};

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

} // namespace

TEST_CASE("/metrics shows the segment's counters, summed and labelled as the accounting reads them", "[http]") {
    test_segment t(2);
    auto& p = t.seg.purchasing();
    p.purchased.set(1000);
    p.rejected.set(5);
    p.oversize.set(2);
    p.waits.set(3);
    p.wait_ns.set(1'500'000'000);
    auto& w0 = t.seg.workshop(0);
    auto& w1 = t.seg.workshop(1);
    w0.assembled.set(600);
    w1.assembled.set(390);
    w1.failed.set(5);
    w0.roster.set(42);
    w1.fired[1].set(9); // idle
    w0.latency.record(500, 3);          // 500 ns: below the first bucket bound (1.024 us)
    w1.latency.record(3'000'000, 2);    // 3 ms: in le 4.194304 ms
    const shm::hot_key_value hot[] = {{123, 4000}, {456, 900}};
    shm::write_hot_keys(w1, hot, 2);
    auto& x = t.seg.transport().exporters[0];
    x.exported.set(77);
    x.retries.set(4);

    http::status_sampler sampler(t.seg, {"jsonl \"a\""});
    const auto& s = sampler.sample({});
    const std::string m = render_metrics(s);

    CHECK(has_line(m, "factory_materials_purchased_total 1000"));
    CHECK(has_line(m, "factory_materials_assembled_total{workshop=\"1\"} 600"));
    CHECK(has_line(m, "factory_materials_assembled_total{workshop=\"2\"} 390"));
    CHECK(has_line(m, "factory_dead_letters_total{stage=\"purchasing\",reason=\"rejected_by_source\"} 3"));
    CHECK(has_line(m, "factory_dead_letters_total{stage=\"purchasing\",reason=\"larger_than_max_material\"} 2"));
    CHECK(has_line(m, "factory_dead_letters_total{stage=\"workshop\",reason=\"blueprint_error\"} 5"));
    CHECK(has_line(m, "factory_roster_workers{workshop=\"1\"} 42"));
    CHECK(has_line(m, "factory_workers_fired_total{workshop=\"2\",reason=\"idle\"} 9"));
    CHECK(has_line(m, "factory_purchasing_waits_total 3"));
    CHECK(has_line(m, "factory_purchasing_wait_seconds_total 1.5"));
    // Exporter names are label values: quotes escaped.
    CHECK(has_line(m, "factory_products_exported_total{exporter=\"jsonl \\\"a\\\"\"} 77"));
    CHECK(has_line(m, "factory_export_retries_total{exporter=\"jsonl \\\"a\\\"\"} 4"));
    // The histogram is cumulative, ends with +Inf = count.
    CHECK(has_line(m, "factory_assembly_latency_seconds_bucket{le=\"1.024e-06\"} 3"));
    CHECK(has_line(m, "factory_assembly_latency_seconds_bucket{le=\"0.002097152\"} 3"));
    CHECK(has_line(m, "factory_assembly_latency_seconds_bucket{le=\"0.004194304\"} 5"));
    CHECK(has_line(m, "factory_assembly_latency_seconds_bucket{le=\"+Inf\"} 5"));
    CHECK(has_line(m, "factory_assembly_latency_seconds_count 5"));
    CHECK(m.find("# TYPE factory_assembly_latency_seconds histogram\n") != std::string::npos);
    CHECK(m.find("# TYPE factory_materials_purchased_total counter\n") != std::string::npos);
    CHECK(has_line(m, "factory_line_capacity_bytes{line=\"2\"} 65536"));
    CHECK(has_line(m, "factory_ready 0")); // the run never started

    const auto j = nlohmann::json::parse(render_status_json(s));
    CHECK(j.at("purchasing").at("purchased") == 1000);
    CHECK(j.at("phase") == "starting");
    CHECK(j.at("workshops").at(0).at("roster") == 42);
    CHECK(j.at("workshops").at(0).at("hot_keys").empty());
    CHECK(j.at("workshops").at(1).at("hot_keys") ==
          nlohmann::json::parse(R"([{"pid":"123","materials":4000},{"pid":"456","materials":900}])"));
    CHECK(j.at("lines").at(1).at("level") == "OK");
    CHECK(j.at("dead_letters").at("reasons").at("blueprint_error") == 5);
    CHECK(j.at("exporters").at(0).at("exported") == 77);
}

TEST_CASE("a ring's back-pressure level follows Flink's thresholds", "[http]") {
    http::ring_status r;
    r.capacity_bytes = 1000;
    r.bytes = 100;
    CHECK(std::string(r.level()) == "OK");
    r.bytes = 101;
    CHECK(std::string(r.level()) == "LOW");
    r.bytes = 500;
    CHECK(std::string(r.level()) == "LOW");
    r.bytes = 501;
    CHECK(std::string(r.level()) == "HIGH");
}
