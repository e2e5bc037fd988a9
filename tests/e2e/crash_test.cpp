// Faults in the run's own processes, made to happen for real: a blueprint that crashes or hangs on
// one chosen material, a workshop killed with SIGKILL, purchasing or transportation killed. The
// accounts must say exactly what was lost and where everything else went.
#include "support/host_run.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

using namespace factory::testing;

namespace {

// `lines` JSON materials over 50 pids; line `poison_at` (1-based; 0: none) carries "poison":true.
std::string poisoned_input(std::size_t lines, std::size_t poison_at) {
    std::string s;
    for (std::size_t i = 1; i <= lines; ++i) {
        s += "{\"pid\":" + std::to_string(i % 50) + ",\"n\":" + std::to_string(i);
        if (i == poison_at) s += ",\"poison\":true";
        s += "}\n";
    }
    return s;
}

std::uint64_t materials_in_products(const std::filesystem::path& file) {
    std::uint64_t n = 0;
    if (std::filesystem::exists(file))
        for (const auto& j : read_jsonl(file)) n += j.at("materials").get<std::uint64_t>();
    return n;
}

std::uint64_t u(const nlohmann::json& j, const char* key) { return j.at(key).get<std::uint64_t>(); }

// purchased = assembled + dead-lettered + lost, and the products say the same as the summary.
void require_books(const host_result& r, const std::filesystem::path& dir) {
    const auto& s = r.summary;
    REQUIRE(s.is_object());
    CHECK(s.at("balanced") == true);
    CHECK(u(s, "purchased") ==
          u(s, "assembled") + u(s.at("dead_lettered"), "materials") + u(s.at("lost_in_crashes"), "materials"));
    CHECK(materials_in_products(dir / "out" / "tally.jsonl") == u(s, "assembled"));
    CHECK(u(s, "exported") == u(s, "shipped"));
}

std::vector<std::string> faulty_args(const std::string& fault, int workshops) {
    return {"--source", "jsonl:file=in.jsonl", "--blueprint", std::string(FACTORY_FAULTY_PLUGIN) + ":fault=" + fault,
            "--exporter", "jsonl:dir=out", "--workshops", std::to_string(workshops), "--contract", "1h",
            "--dead-letter", "dead"};
}

} // namespace

TEST_CASE("a blueprint that crashes on one material: restarted, that material quarantined", "[e2e][faults]") {
    auto fault = GENERATE(std::string("segv"), std::string("abort"), std::string("exit"));
    auto dir = fresh_dir("crash");
    std::ofstream(dir / "in.jsonl") << poisoned_input(20000, 12345);
    auto r = run_host(faulty_args(fault, 2), {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 1); // ended in order, but not clean: workers were lost
    require_books(r, dir);
    CHECK(u(r.summary, "restarts") == 1);
    CHECK(u(r.summary.at("dead_lettered").at("reasons"), "quarantined") == 1);
    CHECK(u(r.summary.at("lost_in_crashes"), "workers") >= 1);
    // The material it died on is in the dead-letter output, with how the workshop died.
    std::vector<nlohmann::json> dead;
    for (const auto& e : std::filesystem::directory_iterator(dir / "dead"))
        for (auto& j : read_jsonl(e.path())) dead.push_back(j);
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].at("data").get<std::string>().find("\"n\":12345") != std::string::npos);
    CHECK(dead[0].at("reason").get<std::string>().find("quarantined: workshop") == 0);
    CHECK(r.err.find("restarted workshop") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a workshop that dies after a material was counted, before it moved on: counted once", "[e2e][faults]") {
    // The blueprint takes the poisoned material (assembled, held by its worker), says the worker
    // is done, and crashes while that worker is fired: the cursor still marks the material busy.
    // The restarted workshop must pass it by, not quarantine it: it is lost with its worker.
    auto dir = fresh_dir("crashfire");
    std::ofstream(dir / "in.jsonl") << poisoned_input(20000, 12345);
    auto args = faulty_args("segv", 2);
    args[3] += ",when=fire";
    auto r = run_host(args, {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    require_books(r, dir);
    CHECK(u(r.summary, "restarts") == 1);
    CHECK(u(r.summary.at("dead_lettered"), "materials") == 0);
    CHECK(u(r.summary.at("lost_in_crashes"), "materials") >= 1);
    CHECK(u(r.summary, "purchased") == 20000);
    bool letters = std::filesystem::exists(dir / "dead") && !std::filesystem::is_empty(dir / "dead");
    CHECK_FALSE(letters);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a blueprint that hangs: the workshop is killed after the hang timeout and restarted", "[e2e][faults]") {
    auto dir = fresh_dir("hang");
    std::ofstream(dir / "in.jsonl") << poisoned_input(5000, 777);
    auto args = faulty_args("hang", 2);
    args.insert(args.end(), {"--hang-timeout", "2s"});
    auto r = run_host(args, {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    require_books(r, dir);
    CHECK(u(r.summary, "restarts") == 1);
    CHECK(u(r.summary.at("dead_lettered").at("reasons"), "quarantined") == 1);
    CHECK(r.err.find("no progress for 2s") != std::string::npos);
    auto dead = read_jsonl(*std::filesystem::directory_iterator(dir / "dead"));
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].at("reason").get<std::string>().find("a hang") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a blueprint that throws: that material dead-lettered with the message, nothing restarted", "[e2e][faults]") {
    auto dir = fresh_dir("throw");
    std::ofstream(dir / "in.jsonl") << poisoned_input(5000, 99);
    auto r = run_host(faulty_args("throw", 2), {.cwd = dir});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    require_books(r, dir);
    CHECK(u(r.summary, "restarts") == 0);
    CHECK(u(r.summary.at("dead_lettered").at("reasons"), "blueprint_error") == 1);
    CHECK(u(r.summary, "assembled") == 4999);
    auto dead = read_jsonl(*std::filesystem::directory_iterator(dir / "dead"));
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].at("reason") == "blueprint error: poisoned material refused");
    std::filesystem::remove_all(dir);
}

TEST_CASE("a key that keeps killing its workshop: given up after --max-restarts, nothing counted twice", "[e2e][faults]") {
    // when=material: the workshop dies inside on_material. when=fire: the blueprint takes each
    // material of the key, makes its worker done, and dies firing it, so each restart and the drain
    // after giving up find a busy material that was already counted.
    auto when = GENERATE(std::string("material"), std::string("fire"));
    auto dir = fresh_dir("giveup");
    std::ofstream(dir / "in.jsonl") << poisoned_input(20000, 0);
    auto args = faulty_args("segv", 2);
    args.insert(args.end(), {"--max-restarts", "2"});
    args[3] += ",fail_pid=7,when=" + when;
    auto r = run_host(args, {.cwd = dir});
    INFO(when << "\n" << r.err);
    CHECK(r.exit_code == 1);
    require_books(r, dir);
    CHECK(r.err.find("giving up on it") != std::string::npos);
    CHECK(u(r.summary, "restarts") == 3);
    CHECK(u(r.summary, "purchased") == 20000);
    // The material each death happened on keeps how the workshop died, the last one too, which the
    // drain of the given-up workshop finds; everything after it says the workshop was given up.
    // With when=fire every death came after its material was counted: none is quarantined.
    std::size_t quarantined = 0, given_up = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir / "dead"))
        for (const auto& j : read_jsonl(e.path())) {
            const auto reason = j.at("reason").get<std::string>();
            if (reason.rfind("quarantined: workshop", 0) == 0) ++quarantined;
            if (reason.find("given up after it crashed") != std::string::npos) ++given_up;
        }
    CHECK(quarantined == (when == "material" ? 3u : 0u));
    CHECK(given_up > 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kill -9 of a workshop, purchasing or transportation during a run: balanced books", "[e2e][faults]") {
    auto victim = GENERATE(std::string("factory: workshop 1"), std::string("factory: purchasing"),
                           std::string("factory: transportation"));
    auto dir = fresh_dir("kill");
    bool killed = false, stopped = false;
    host_options opt;
    opt.cwd = dir;
    opt.on_output = [&](pid_t host, const std::string& err) {
        auto ops_lines = [&] {
            std::size_t n = 0;
            for (std::size_t at = err.find(" ops "); at != std::string::npos; at = err.find(" ops ", at + 1)) ++n;
            return n;
        };
        if (!killed && ops_lines() >= 1) {
            pid_t pid = find_child(host, victim);
            if (pid > 0) killed = ::kill(pid, SIGKILL) == 0;
        }
        if (killed && !stopped && ops_lines() >= 3) stopped = ::kill(host, SIGTERM) == 0;
    };
    auto r = run_host({"--source", "synthetic:keys=3000", "--blueprint", FACTORY_FAULTY_PLUGIN, "--exporter",
                       "jsonl:dir=out", "--workshops", "2", "--flush", "200ms"},
                      opt);
    INFO(victim << "\n" << r.err);
    REQUIRE(killed);
    CHECK(r.exit_code == 1);
    require_books(r, dir);
    CHECK(r.err.find("died of signal") != std::string::npos);
    CHECK(r.err.find("was left behind") == std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("a second SIGTERM ends a stuck run at once and still removes the segment", "[e2e][faults]") {
    auto dir = fresh_dir("second");
    std::ofstream(dir / "in.jsonl") << poisoned_input(5000, 10);
    int sent = 0;
    host_options opt;
    opt.cwd = dir;
    opt.timeout = std::chrono::seconds(60);
    opt.on_output = [&](pid_t host, const std::string& err) {
        // The workshop hangs for good (no hang timeout): the first signal cannot drain its line.
        if (sent == 0 && err.find(" ops ") != std::string::npos) sent += ::kill(host, SIGTERM) == 0;
        if (sent == 1 && err.find("draining the lines") != std::string::npos) sent += ::kill(host, SIGTERM) == 0;
    };
    auto args = faulty_args("hang", 2);
    args.insert(args.end(), {"--hang-timeout", "0"});
    auto r = run_host(args, opt);
    INFO(r.err);
    REQUIRE(sent == 2);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("ending at once") != std::string::npos);
    CHECK(r.err.find("was left behind") == std::string::npos);
    REQUIRE(r.summary.is_object());
    CHECK(r.summary.at("balanced") == false);
    std::filesystem::remove_all(dir);
}
