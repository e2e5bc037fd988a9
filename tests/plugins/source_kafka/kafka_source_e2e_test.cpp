// The kafka source against a mock Kafka cluster that each case starts, with its input produced by
// kcat: through factory-host, per-pid results equal those of the same records read from a jsonl
// file, and a second run of the group reads nothing (offsets committed at the clean end); bad
// messages are dead letters with their topic, partition, offset and reason; a topic that does not
// exist or brokers that cannot be reached refuse the run at start. Through its C hooks: a position
// taken mid-way and sought by a source of another group resumes just after it.
#include "kafka/support/mock_kafka.hpp"
#include "source_kafka/partition_table.hpp"
#include "support/fake_fill.hpp"
#include "support/fake_host.hpp"
#include "support/host_run.hpp"
#include "support/load_plugin.hpp"
#include "support/settings.hpp"

#include <catch2/catch.hpp>

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <csignal>

using namespace factory::testing;

namespace {

const char* const widget_pclasses[] = {"tcp", "udp", "icmp", "other"};

std::multiset<std::string> jsonl_lines(const std::filesystem::path& out) {
    std::multiset<std::string> lines;
    for (const char* pc : widget_pclasses) {
        std::ifstream in(out / (std::string(pc) + ".jsonl"));
        for (std::string line; std::getline(in, line);) lines.insert(std::string(pc) + " " + line);
    }
    return lines;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// Materials purchased so far, by the host's ops lines ("purchased N/s", one a second).
std::uint64_t purchased_so_far(const std::string& err) {
    static const std::regex line(" ops .*purchased ([0-9]+)/s");
    std::uint64_t n = 0;
    for (auto it = std::sregex_iterator(err.begin(), err.end(), line); it != std::sregex_iterator(); ++it)
        n += std::stoull((*it)[1].str());
    return n;
}

// The kafka source driven through its C hooks, as purchasing drives it.
class hooked_source {
public:
    explicit hooked_source(const fake_settings::overrides& s)
        : d_(load_plugin(FACTORY_TEST_PLUGIN)), settings_(d_, s) {
        factory_error err{};
        if (d_->source->on_open(host_.raw(), settings_.raw(), &instance_, &err) != FACTORY_OK)
            throw std::runtime_error(err.message);
    }
    ~hooked_source() { close(); }
    void close() {
        if (instance_ != nullptr) d_->source->on_close(instance_);
        instance_ = nullptr;
    }
    // on_fill with room `n` until `want` materials in all, or the end of input; at most 60 s.
    int fill_until(std::size_t want, std::uint32_t n) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        int rc = FACTORY_OK;
        while (rc == FACTORY_OK && room.materials.size() < want && std::chrono::steady_clock::now() < deadline) {
            factory_error err{};
            rc = d_->source->on_fill(instance_, room.room(n), &err);
            if (rc == FACTORY_ERROR) throw std::runtime_error(err.message);
        }
        return rc;
    }
    std::vector<std::byte> position() {
        std::vector<std::byte> buf(FACTORY_POSITION_MAX);
        std::uint32_t size = 0;
        factory_error err{};
        if (d_->source->on_position(instance_, buf.data(), static_cast<std::uint32_t>(buf.size()), &size, &err) !=
            FACTORY_OK)
            throw std::runtime_error(err.message);
        buf.resize(size);
        return buf;
    }
    std::string seek(const std::vector<std::byte>& pos) {
        factory_error err{};
        return d_->source->on_seek(instance_, pos.data(), static_cast<std::uint32_t>(pos.size()), &err) == FACTORY_OK
                   ? ""
                   : err.message;
    }
    // on_checkpoint_done with `pos` and no workers; "" or the source's error.
    std::string checkpoint_done(std::uint64_t epoch, const std::vector<std::byte>& pos) {
        factory_error err{};
        factory_state_walk none{sizeof(factory_state_walk), 0, nullptr,
                                [](void*, factory_worker_image*, factory_error*) { return int(FACTORY_END); }};
        return d_->source->on_checkpoint_done(instance_, epoch, pos.data(), static_cast<std::uint32_t>(pos.size()),
                                              &none, &err) == FACTORY_OK
                   ? ""
                   : err.message;
    }
    const std::vector<std::string>& logs() const { return host_.logs; }
    std::vector<std::uint64_t> pids() const {
        std::vector<std::uint64_t> out;
        for (const auto& m : room.materials) out.push_back(m.pid);
        return out;
    }

    fake_fill room;

private:
    const factory_descriptor* d_;
    fake_host host_;
    fake_settings settings_;
    void* instance_ = nullptr;
};

// The offsets group `group` has committed for partitions 0..partitions-1 of `topic` (-1001: none),
// asked by a client of our own that does not join the group.
std::vector<std::int64_t> committed(const std::string& brokers, const std::string& group, const std::string& topic,
                                    int partitions) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", group.c_str(), errstr, sizeof errstr);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    REQUIRE(rk != nullptr);
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
    const rd_kafka_resp_err_t err = rd_kafka_committed(rk, list, 10000);
    std::vector<std::int64_t> out;
    for (int i = 0; i < list->cnt; ++i) out.push_back(list->elems[i].offset);
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(rk);
    REQUIRE(err == RD_KAFKA_RESP_ERR_NO_ERROR);
    return out;
}

} // namespace

TEST_CASE("kafka source: offsets are committed when a checkpoint completes, those of its position, not before",
          "[kafka][checkpoints]") {
    mock_kafka kafka({"done:1"});
    std::vector<std::pair<std::optional<std::string>, std::string>> messages;
    for (int i = 0; i < 10; ++i) messages.emplace_back(std::to_string(i), "{\"n\":" + std::to_string(i) + "}");
    kcat_produce(kafka.brokers(), "done", messages);
    hooked_source s({{"brokers", kafka.brokers()}, {"topic", "done"}, {"group", "g"}, {"idle_end", "500ms"}});
    s.fill_until(4, 1);
    REQUIRE(s.room.materials.size() == 4);
    const auto pos = s.position(); // checkpoint 3 is taken here ...
    s.fill_until(7, 1);
    REQUIRE(s.room.materials.size() == 7);
    CHECK(committed(kafka.brokers(), "g", "done", 1) == std::vector<std::int64_t>{RD_KAFKA_OFFSET_INVALID});
    // ... and completes later: its offsets, not where reading stands now.
    CHECK(s.checkpoint_done(3, pos).empty());
    CHECK(committed(kafka.brokers(), "g", "done", 1) == std::vector<std::int64_t>{4});
    const auto said = std::find(s.logs().begin(), s.logs().end(),
                                "2 checkpoint 3 complete: committed to group 'g' the offsets of 1 partitions: done[0]");
    CHECK(said != s.logs().end());
    CHECK(s.checkpoint_done(4, {std::byte{'x'}}) == "this position was not written by the kafka source (version 1)");
    s.close(); // a clean end commits where reading stands
    CHECK(committed(kafka.brokers(), "g", "done", 1) == std::vector<std::int64_t>{7});
}

TEST_CASE("kafka source: a pid that comes from a second partition is logged, once within 10 s, and still processed",
          "[kafka]") {
    mock_kafka kafka({"split:2"});
    // Message keys spread the messages over both partitions; the pid comes from the value (key=user).
    std::vector<std::pair<std::optional<std::string>, std::string>> messages;
    for (int i = 0; i < 20; ++i) messages.emplace_back("k" + std::to_string(i), "{\"user\":7}");
    kcat_produce(kafka.brokers(), "split", messages);
    std::set<int> partitions;
    for (const auto& r : kcat_consume(kafka.brokers(), "split")) partitions.insert(r.partition);
    REQUIRE(partitions == std::set<int>{0, 1});
    hooked_source s({{"brokers", kafka.brokers()}, {"topic", "split"}, {"key", "user"}, {"idle_end", "500ms"}});
    CHECK(s.fill_until(100, 64) == FACTORY_END);
    CHECK(s.pids() == std::vector<std::uint64_t>(20, 7));
    std::size_t lines = 0;
    for (const auto& l : s.logs())
        if (l.find("3 pid 7 came from partition ") == 0) {
            ++lines;
            CHECK(l.find("a key must always come in the same partition") != std::string::npos);
        }
    CHECK(lines == 1);
}

TEST_CASE("kafka source: per-pid results equal those of the same records read from a jsonl file, and the group's "
          "next run reads nothing",
          "[e2e][kafka]") {
    mock_kafka kafka({"flows:3"});
    auto dir = fresh_dir("kafka-source");
    // 3000 records of 300 pids, keyed by pid, each with its byte count, protocol and time (ms).
    std::mt19937 rng(7);
    std::vector<std::pair<std::optional<std::string>, std::string>> messages;
    {
        std::ofstream file(dir / "in.jsonl");
        const int protocols[] = {6, 17, 1, 0};
        for (int i = 0; i < 3000; ++i) {
            const unsigned pid = rng() % 300;
            const std::string value = "{\"pid\":" + std::to_string(pid) + ",\"bytes\":" + std::to_string(rng() % 1500) +
                                      ",\"protocol\":" + std::to_string(protocols[pid % 4]) +
                                      ",\"ts\":" + std::to_string(1700000000000LL + i) + "}";
            messages.emplace_back(std::to_string(pid), value);
            file << value << '\n';
        }
    }
    kcat_produce(kafka.brokers(), "flows", messages);

    const std::vector<std::string> common{"--blueprint", "widget", "--workshops", "2", "--contract", "1h",
                                          "--inspect", "0"};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), common.begin(), common.end());
        return args;
    };
    const std::string source =
        "kafka:brokers=" + kafka.brokers() + ",topic=flows,group=one,idle_end=1s,time=ts,time_unit=ms";
    auto k = run_host(with({"--source", source, "--exporter", "jsonl:dir=from-kafka"}), {.cwd = dir});
    INFO(k.err);
    REQUIRE(k.exit_code == 0);
    auto j = run_host(with({"--source", "jsonl:file=in.jsonl,time=ts,time_unit=ms", "--exporter", "jsonl:dir=from-file"}),
                      {.cwd = dir});
    INFO(j.err);
    REQUIRE(j.exit_code == 0);
    CHECK(k.summary.at("purchased") == 3000);
    CHECK(k.summary.at("ended_by") == "end of input");
    const auto want = jsonl_lines(dir / "from-file");
    REQUIRE(want.size() == 300);
    CHECK(jsonl_lines(dir / "from-kafka") == want);
    CHECK(k.err.find("committed to group 'one' the offsets of 3 partitions: flows[0,1,2]") != std::string::npos);

    // The same group again: its offsets were committed at the end, so nothing is left to read.
    auto again = run_host(with({"--source", source, "--exporter", "jsonl:dir=again"}), {.cwd = dir});
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    CHECK(again.summary.at("purchased") == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka source: a message without a key or with a value that is not JSON is a dead letter with its offset",
          "[e2e][kafka][faults]") {
    mock_kafka kafka({"bad:1"});
    auto dir = fresh_dir("kafka-bad");
    // Keyed messages are produced first (offsets 0-2), then the one without a key (offset 3).
    kcat_produce(kafka.brokers(), "bad",
                 {{"1", "{\"bytes\":10}"}, {"2", "not json"}, {"3", "{\"bytes\":5}"}, {std::nullopt, "{\"bytes\":7}"}});
    auto r = run_host({"--source", "kafka:brokers=" + kafka.brokers() + ",topic=bad,format=json,idle_end=1s",
                       "--blueprint", "widget", "--exporter", "jsonl:dir=out", "--dead-letter", "dl", "--contract",
                       "1h", "--inspect", "0"},
                      {.cwd = dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("balanced") == true);
    CHECK(r.summary.at("purchased") == 4);
    CHECK(r.summary.at("assembled") == 2);
    CHECK(r.summary.at("dead_lettered").at("reasons").at("rejected_by_source") == 2);
    auto dead = read_jsonl(dir / "dl" / "purchasing.jsonl");
    REQUIRE(dead.size() == 2);
    CHECK(dead[0].at("reason") == "topic bad partition 0 offset 1: value is not a JSON object (invalid JSON at byte 0: "
                                  "expected '{': the document must be one JSON object); format=json wants one, "
                                  "format=auto passes other values on as bytes");
    CHECK(dead[1].at("reason") == "topic bad partition 0 offset 3: no message key (key=message takes the pid from it; "
                                  "or name the JSON field(s) of the value that hold it, key=FIELD)");
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka source: a topic that does not exist, or brokers that cannot be reached, refuse the run at start",
          "[e2e][kafka][faults]") {
    mock_kafka kafka({"present:1"});
    auto dir = fresh_dir("kafka-refused");
    auto missing = run_host({"--source", "kafka:brokers=" + kafka.brokers() + ",topic=present,absent", "--blueprint",
                             "widget", "--exporter", "jsonl:dir=out"},
                            {.cwd = dir});
    INFO(missing.err);
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("topic 'absent' does not exist on brokers '" + kafka.brokers() + "'") != std::string::npos);
    auto unreachable = run_host({"--source", "kafka:brokers=127.0.0.1:1,topic=present,connect_timeout=1s",
                                 "--blueprint", "widget", "--exporter", "jsonl:dir=out"},
                                {.cwd = dir});
    INFO(unreachable.err);
    CHECK(unreachable.exit_code == 2);
    CHECK(unreachable.err.find("no broker of '127.0.0.1:1' answered within 1000 ms") != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka source: a position taken mid-way, sought by a source of another group, resumes just after it",
          "[kafka]") {
    mock_kafka kafka({"pos:1"});
    std::vector<std::pair<std::optional<std::string>, std::string>> messages;
    for (int i = 0; i < 10; ++i) messages.emplace_back(std::to_string(i), "{\"n\":" + std::to_string(i) + "}");
    kcat_produce(kafka.brokers(), "pos", messages);
    const fake_settings::overrides base{{"brokers", kafka.brokers()}, {"topic", "pos"}, {"idle_end", "500ms"}};
    auto with = [&](fake_settings::overrides more) {
        more.insert(more.end(), base.begin(), base.end());
        return more;
    };

    std::vector<std::byte> pos;
    {
        hooked_source first(with({{"group", "first"}}));
        first.fill_until(4, 1);
        REQUIRE(first.room.materials.size() == 4);
        pos = first.position();
        auto offsets = factory::kafka::decode_position(pos, factory::kafka::topics_fingerprint({"pos"}), 1);
        CHECK(offsets == std::vector<factory::kafka::partition_offset>{{0, 0, 4}});
        CHECK(first.fill_until(100, 64) == FACTORY_END);
        CHECK(first.pids() == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    } // closed: offset 10 committed to group "first"

    // Another group, which would start at the newest message: the position takes it to offset 4.
    hooked_source second(with({{"group", "second"}, {"start", "latest"}}));
    CHECK(second.seek({std::byte{'x'}}) == "this position was not written by the kafka source (version 1)");
    REQUIRE(second.seek(pos).empty());
    CHECK(second.fill_until(100, 64) == FACTORY_END);
    CHECK(second.pids() == std::vector<std::uint64_t>{4, 5, 6, 7, 8, 9});

    // The first group committed what it read at its close.
    hooked_source third(with({{"group", "first"}}));
    CHECK(third.fill_until(100, 64) == FACTORY_END);
    CHECK(third.room.materials.empty());
}

TEST_CASE("kafka source: brokers away mid-run and back: the run waits for them, says so once, and reads everything",
          "[e2e][kafka][faults]") {
    mock_kafka kafka({"flaky:2"});
    auto dir = fresh_dir("kafka-flaky");
    std::vector<std::pair<std::optional<std::string>, std::string>> messages;
    for (int i = 0; i < 500; ++i)
        messages.emplace_back(std::to_string(i % 50), "{\"bytes\":" + std::to_string(i) + ",\"protocol\":17}");
    // Once the group has given the run its partitions, the brokers go; once the source has said
    // so, they come back and the input is produced. idle_end is long enough for the reconnection.
    std::thread producer;
    bool down = false;
    host_options opt;
    opt.cwd = dir;
    opt.timeout = std::chrono::seconds(180);
    const std::string said = "brokers '" + kafka.brokers() + "': ";
    opt.on_output = [&](pid_t, const std::string& err) {
        if (!down && err.find("gives this run flaky[0,1]") != std::string::npos) {
            kafka.brokers_down();
            down = true;
        }
        if (down && !producer.joinable() && err.find(said) != std::string::npos)
            producer = std::thread([&] {
                kafka.brokers_up();
                kcat_produce(kafka.brokers(), "flaky", messages);
            });
    };
    auto r = run_host({"--source", "kafka:brokers=" + kafka.brokers() + ",topic=flaky,idle_end=10s", "--blueprint",
                       "widget", "--exporter", "jsonl:dir=out", "--contract", "1h", "--inspect", "0"},
                      opt);
    const bool produced = producer.joinable();
    if (producer.joinable()) producer.join();
    INFO(r.err);
    REQUIRE(produced);
    REQUIRE(r.exit_code == 0);
    CHECK(r.summary.at("purchased") == 500);
    CHECK(r.summary.at("exported") == 50);
    CHECK(r.err.find("committed to group 'factory' the offsets of 2 partitions") != std::string::npos);
    // The outage is told once, however many reconnect attempts it took, and so is its end.
    CHECK(count(r.err, said + "Local: All broker connections are down") == 1);
    CHECK(count(r.err, "brokers '" + kafka.brokers() + "' answer again") == 1);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka source: brokers gone at the end of the run: the close gives up waiting for them in time",
          "[e2e][kafka][faults]") {
    mock_kafka kafka({"late:1"});
    kcat_produce(kafka.brokers(), "late", {{"1", "{\"bytes\":1}"}, {"2", "{\"bytes\":2}"}});
    auto dir = fresh_dir("kafka-late");
    bool down = false;
    host_options opt;
    opt.cwd = dir;
    // Down once both messages were read (the ops lines say so): the close then has offsets to
    // commit, and nobody to commit them to.
    opt.on_output = [&](pid_t, const std::string& err) {
        if (!down && purchased_so_far(err) >= 2) {
            kafka.brokers_down();
            down = true;
        }
    };
    auto r = run_host({"--source", "kafka:brokers=" + kafka.brokers() + ",topic=late", "--duration", "6s",
                       "--blueprint", "widget", "--exporter", "jsonl:dir=out"},
                      opt);
    INFO(r.err);
    REQUIRE(down);
    CHECK(r.summary.at("purchased") == 2);
    // Not killed by the host for hanging in on_close: the commit's wait is bounded, and the client
    // is not destroyed while its brokers are gone.
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("has not returned from source") == std::string::npos);
    CHECK(r.err.find("brokers '" + kafka.brokers() + "' do not answer: closing without leaving group 'factory'") !=
          std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka source under --checkpoint: stopped with a savepoint and continued, the products of one run",
          "[e2e][kafka][checkpoints]") {
    mock_kafka kafka({"job:3"});
    auto dir = fresh_dir("kafka-savepoint");
    std::mt19937 rng(11);
    std::vector<std::pair<std::optional<std::string>, std::string>> messages;
    for (int i = 0; i < 3000; ++i) {
        const unsigned pid = rng() % 200;
        messages.emplace_back(std::to_string(pid), "{\"bytes\":" + std::to_string(rng() % 1500) +
                                                       ",\"protocol\":17,\"ts\":" + std::to_string(1700000000000LL + i) +
                                                       "}");
    }
    kcat_produce(kafka.brokers(), "job", messages);
    auto source = [&](const std::string& group) {
        return "kafka:brokers=" + kafka.brokers() + ",topic=job,group=" + group + ",idle_end=1s,time=ts,time_unit=ms";
    };
    const std::vector<std::string> common{"--blueprint", "widget", "--workshops", "2", "--contract", "1h",
                                          "--inspect", "0"};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), common.begin(), common.end());
        return args;
    };

    auto straight = run_host(with({"--source", source("straight"), "--exporter", "jsonl:dir=straight"}), {.cwd = dir});
    INFO(straight.err);
    REQUIRE(straight.exit_code == 0);
    const auto want = jsonl_lines(dir / "straight");
    REQUIRE(want.size() == 200);

    // The job: stopped (SIGTERM, a savepoint keeps the workers) once it has read some of the topic
    // at 200 a second (the pace counts from the start, so the group's join of about 3 s lets a
    // first burst of some 600 through), then continued to the end by a second run.
    const std::vector<std::string> job{"--source", source("job"), "--exporter", "jsonl:dir=job", "--checkpoint", "ck",
                                       "--checkpoint-every", "500ms", "--on-stop", "savepoint"};
    bool stopped = false;
    host_options opt;
    opt.cwd = dir;
    opt.on_output = [&](pid_t host, const std::string& err) {
        if (!stopped && std::regex_search(err, std::regex(" ops .*purchased [1-9]"))) {
            ::kill(host, SIGTERM);
            stopped = true;
        }
    };
    auto first_args = with(job);
    first_args.insert(first_args.end(), {"--rate", "200"});
    auto first = run_host(first_args, opt);
    INFO(first.err);
    REQUIRE(stopped);
    REQUIRE(first.exit_code == 0);
    const auto part = first.summary.at("purchased").get<std::uint64_t>();
    REQUIRE(part > 0);
    REQUIRE(part < 3000); // the second run has something to continue
    auto second = run_host(with(job), {.cwd = dir});
    INFO(second.err);
    REQUIRE(second.exit_code == 0);
    CHECK(second.summary.at("purchased") == 3000); // the job's books
    CHECK(jsonl_lines(dir / "job") == want);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka source under --checkpoint: purchasing killed mid-run, the factory rolls back and replays from the "
          "checkpoint's offsets, the products of one run",
          "[e2e][kafka][checkpoints][faults]") {
    mock_kafka kafka({"crash:3"});
    auto dir = fresh_dir("kafka-rollback");
    std::mt19937 rng(13);
    std::vector<std::pair<std::optional<std::string>, std::string>> messages;
    for (int i = 0; i < 3000; ++i) {
        const unsigned pid = rng() % 200;
        messages.emplace_back(std::to_string(pid), "{\"bytes\":" + std::to_string(rng() % 1500) +
                                                       ",\"protocol\":6,\"ts\":" + std::to_string(1700000000000LL + i) +
                                                       "}");
    }
    kcat_produce(kafka.brokers(), "crash", messages);
    // A short session: the purchasing killed never leaves the group, whose next rebalance waits for
    // its session to run out.
    auto source = [&](const std::string& group) {
        return "kafka:brokers=" + kafka.brokers() + ",topic=crash,group=" + group +
               ",idle_end=1s,time=ts,time_unit=ms,session_timeout=3s";
    };
    const std::vector<std::string> common{"--blueprint", "widget", "--workshops", "2", "--contract", "1h",
                                          "--inspect", "0"};
    auto straight_args = std::vector<std::string>{"--source", source("straight"), "--exporter", "jsonl:dir=straight"};
    straight_args.insert(straight_args.end(), common.begin(), common.end());
    auto straight = run_host(straight_args, {.cwd = dir});
    INFO(straight.err);
    REQUIRE(straight.exit_code == 0);
    const auto want = jsonl_lines(dir / "straight");
    REQUIRE(want.size() == 200);

    // Purchasing is killed at the first checkpoint that completes after it has read something.
    bool killed = false;
    host_options opt;
    opt.cwd = dir;
    opt.timeout = std::chrono::seconds(180);
    opt.on_output = [&](pid_t host, const std::string& err) {
        if (killed) return;
        std::smatch m;
        if (!std::regex_search(err, m, std::regex(" ops .*purchased [1-9]"))) return;
        if (err.find(" complete in ", static_cast<std::size_t>(m.position(0))) == std::string::npos) return;
        if (pid_t p = find_child(host, "factory: purchasing"); p > 0) killed = ::kill(p, SIGKILL) == 0;
    };
    auto args = std::vector<std::string>{"--source", source("job"), "--exporter", "jsonl:dir=job", "--checkpoint",
                                         "ck", "--checkpoint-every", "500ms", "--rate", "500"};
    args.insert(args.end(), common.begin(), common.end());
    auto r = run_host(args, opt);
    INFO(r.err);
    REQUIRE(killed);
    CHECK(r.exit_code == 1); // nothing lost, but a process crashed
    CHECK(r.summary.at("balanced") == true);
    // The workers come back from the changelog with the group's committed offsets, which may be
    // those of a checkpoint before the one the host resumes from (complete, but purchasing died
    // before it was told): what lies between is read, and counted, again.
    CHECK(r.summary.at("purchased") >= 3000);
    CHECK(r.summary.at("checkpoints").at("rollbacks") == 1);
    CHECK(jsonl_lines(dir / "job") == want);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka source under --checkpoint: the group's offsets follow completed checkpoints, so a host killed with "
          "kill -9 leaves them at its last one",
          "[e2e][kafka][checkpoints][faults]") {
    mock_kafka kafka({"follow:2"});
    auto dir = fresh_dir("kafka-follow");
    std::vector<std::pair<std::optional<std::string>, std::string>> messages;
    for (int i = 0; i < 3000; ++i)
        messages.emplace_back(std::to_string(i % 100), "{\"bytes\":" + std::to_string(i) + ",\"protocol\":17}");
    kcat_produce(kafka.brokers(), "follow", messages);
    const std::string source = "kafka:brokers=" + kafka.brokers() + ",topic=follow,group=follow,session_timeout=3s";
    // Killed with its whole process group (a power cut: no clean end, no close) once a checkpoint
    // after some reading has committed.
    bool killed = false;
    host_options opt;
    opt.cwd = dir;
    opt.own_process_group = true;
    opt.on_output = [&](pid_t host, const std::string& err) {
        if (killed) return;
        std::smatch m;
        if (!std::regex_search(err, m, std::regex(" ops .*purchased [1-9]"))) return;
        if (err.find(" complete: committed to group 'follow'", static_cast<std::size_t>(m.position(0))) ==
            std::string::npos)
            return;
        killed = ::kill(-host, SIGKILL) == 0;
    };
    auto r = run_host({"--source", source, "--blueprint", "widget", "--exporter", "jsonl:dir=out", "--checkpoint", "ck",
                       "--checkpoint-every", "300ms", "--rate", "300", "--contract", "1h", "--inspect", "0"},
                      opt);
    INFO(r.err);
    REQUIRE(killed);
    const auto offsets = committed(kafka.brokers(), "follow", "follow", 2);
    std::int64_t sum = 0;
    for (std::int64_t o : offsets) sum += std::max<std::int64_t>(o, 0);
    CHECK(sum > 0);
    CHECK(sum < 3000); // not where a clean end would have left them
    // The purchasing snapshot of some complete checkpoint holds exactly that many purchases: the
    // offsets are a checkpoint's, not where reading stood.
    auto listing = run_host({"checkpoints", "ck"}, {.cwd = dir, .summary = false});
    INFO(listing.out);
    CHECK(std::regex_search(listing.out, std::regex("\\b" + std::to_string(sum) + "\\b")));
    // The group's next run (no checkpoints) reads what is left after them, exactly.
    auto next = run_host({"--source", source + ",idle_end=1s", "--blueprint", "widget", "--exporter", "jsonl:dir=next",
                          "--contract", "1h", "--inspect", "0"},
                         {.timeout = std::chrono::seconds(60), .cwd = dir});
    INFO(next.err);
    REQUIRE(next.exit_code == 0);
    CHECK(next.summary.at("purchased") == 3000 - sum);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka source under --checkpoint: a savepoint run, then a run with another checkpoint folder whose workers "
          "come only from the changelog, the products of one run",
          "[e2e][kafka][checkpoints]") {
    mock_kafka kafka({"cl:3"});
    auto dir = fresh_dir("kafka-changelog");
    std::mt19937 rng(17);
    std::vector<std::pair<std::optional<std::string>, std::string>> messages;
    for (int i = 0; i < 3000; ++i) {
        const unsigned pid = rng() % 200;
        messages.emplace_back(std::to_string(pid), "{\"bytes\":" + std::to_string(rng() % 1500) +
                                                       ",\"protocol\":6,\"ts\":" + std::to_string(1700000000000LL + i) +
                                                       "}");
    }
    kcat_produce(kafka.brokers(), "cl", messages);
    auto source = [&](const std::string& group) {
        return "kafka:brokers=" + kafka.brokers() + ",topic=cl,group=" + group + ",idle_end=1s,time=ts,time_unit=ms";
    };
    const std::vector<std::string> common{"--blueprint", "widget", "--workshops", "2", "--contract", "1h",
                                          "--inspect", "0"};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), common.begin(), common.end());
        return args;
    };
    auto straight = run_host(with({"--source", source("straight"), "--exporter", "jsonl:dir=straight"}), {.cwd = dir});
    INFO(straight.err);
    REQUIRE(straight.exit_code == 0);
    const auto want = jsonl_lines(dir / "straight");
    REQUIRE(want.size() == 200);

    // Stopped with a savepoint part-way (as in the savepoint test above), in checkpoint folder ck1.
    bool stopped = false;
    host_options opt;
    opt.cwd = dir;
    opt.on_output = [&](pid_t host, const std::string& err) {
        if (!stopped && std::regex_search(err, std::regex(" ops .*purchased [1-9]"))) {
            ::kill(host, SIGTERM);
            stopped = true;
        }
    };
    auto first = run_host(with({"--source", source("job"), "--exporter", "jsonl:dir=job", "--checkpoint", "ck1",
                                "--checkpoint-every", "500ms", "--on-stop", "savepoint", "--rate", "200"}),
                          opt);
    INFO(first.err);
    REQUIRE(stopped);
    REQUIRE(first.exit_code == 0);
    const auto part = first.summary.at("purchased").get<std::uint64_t>();
    REQUIRE(part > 0);
    REQUIRE(part < 3000);
    CHECK(first.err.find("the workers' state lives in the changelog topic 'job.state' of group 'job'") !=
          std::string::npos);
    // The changelog holds one live record per worker the savepoint kept: key the pid, value its
    // bytes (a tombstone has none).
    std::set<std::string> live;
    std::istringstream records(kcat_format(kafka.brokers(), "job.state", "%k %S\n"));
    for (std::string key; records >> key;) {
        long size = 0;
        records >> size;
        if (size > 0) live.insert(key);
        else live.erase(key);
    }
    CHECK(!live.empty());
    static const std::regex kept_line("([0-9]+) workers kept in savepoint");
    std::smatch kept;
    REQUIRE(std::regex_search(first.err, kept, kept_line));
    CHECK(live.size() == std::stoull(kept[1].str()));

    // Another checkpoint folder: a new job for the host, which loads no worker; the source gives
    // them back from the changelog and reads on from the committed offsets.
    auto second = run_host(with({"--source", source("job"), "--exporter", "jsonl:dir=job", "--checkpoint", "ck2",
                                 "--checkpoint-every", "500ms"}),
                           {.cwd = dir});
    INFO(second.err);
    REQUIRE(second.exit_code == 0);
    CHECK(second.summary.at("purchased") == 3000 - part); // exactly the rest: nothing read twice, nothing skipped
    static const std::regex restored_line("restored ([0-9]+) workers of cl\\[[0-2]\\]");
    std::size_t restored = 0;
    for (auto it = std::sregex_iterator(second.err.begin(), second.err.end(), restored_line);
         it != std::sregex_iterator(); ++it)
        restored += std::stoull((*it)[1].str());
    CHECK(restored == live.size());
    CHECK(jsonl_lines(dir / "job") == want);
    std::filesystem::remove_all(dir);
}

namespace {

// Records of `pids` pids over the topic's partitions (keyed by pid), for the group tests below.
std::vector<std::pair<std::optional<std::string>, std::string>> group_input(unsigned seed, int n, unsigned pids) {
    std::mt19937 rng(seed);
    std::vector<std::pair<std::optional<std::string>, std::string>> messages;
    for (int i = 0; i < n; ++i) {
        const unsigned pid = rng() % pids;
        messages.emplace_back(std::to_string(pid), "{\"bytes\":" + std::to_string(rng() % 1500) +
                                                       ",\"protocol\":17,\"ts\":" + std::to_string(1700000000000LL + i) +
                                                       "}");
    }
    return messages;
}

// The per-pid final products of every folder in `dirs` together.
std::multiset<std::string> all_lines(const std::filesystem::path& dir, const std::vector<std::string>& dirs) {
    std::multiset<std::string> out;
    for (const auto& d : dirs) out.merge(jsonl_lines(dir / d));
    return out;
}

} // namespace

TEST_CASE("kafka source under --checkpoint: two hosts in one group, a third joining mid-run: the workers follow "
          "their partitions, the products of one host",
          "[e2e][kafka][checkpoints]") {
    // The mock cluster creates a missing topic with 4 partitions: the changelogs are made here.
    mock_kafka kafka({"shared:6", "single.state:6", "pair.state:6"});
    auto dir = fresh_dir("kafka-rebalance");
    kcat_produce(kafka.brokers(), "shared", group_input(19, 6000, 300));
    auto args = [&](const std::string& group, const std::string& name, const std::vector<std::string>& more) {
        std::vector<std::string> out{"--source",
                                     "kafka:brokers=" + kafka.brokers() + ",topic=shared,group=" + group +
                                         ",time=ts,time_unit=ms,session_timeout=6s" + (more.empty() ? ",idle_end=2s" : ""),
                                     "--exporter", "jsonl:dir=" + name, "--checkpoint", "ck-" + name,
                                     "--checkpoint-every", "500ms", "--blueprint", "widget", "--workshops", "2",
                                     "--contract", "1h", "--inspect", "0"};
        out.insert(out.end(), more.begin(), more.end());
        return out;
    };
    auto single = run_host(args("single", "single", {}), {.cwd = dir});
    INFO(single.err);
    REQUIRE(single.exit_code == 0);
    const auto want = jsonl_lines(dir / "single");
    REQUIRE(want.size() == 300);

    // Hosts a and b share the topic from the start, slowly; c joins once they have read some. All
    // three stop with a savepoint (no worker fired, so none of them exports), each at its own time
    // (long enough for the mock cluster's eager rebalances, which take seconds with three members):
    // every join and leave moves partitions and their workers between the hosts. A last host
    // ("rest") reads what is left and fires every worker: it holds them all, from the changelog.
    const std::vector<std::string> slow{"--rate", "100", "--on-stop", "savepoint"};
    auto with_duration = [&](const char* d) {
        auto v = slow;
        v.insert(v.end(), {"--duration", d});
        return v;
    };
    host_result a, b, c;
    std::atomic<bool> joined{false};
    host_options opt_a;
    opt_a.cwd = dir;
    opt_a.timeout = std::chrono::seconds(180);
    opt_a.on_output = [&](pid_t, const std::string& err) {
        if (!joined && purchased_so_far(err) >= 300) joined = true;
    };
    host_options opt;
    opt.cwd = dir;
    opt.timeout = std::chrono::seconds(180);
    std::thread ta([&] { a = run_host(args("pair", "a", with_duration("30s")), opt_a); });
    std::thread tb([&] { b = run_host(args("pair", "b", with_duration("28s")), opt); });
    std::thread tc([&] {
        for (int i = 0; i < 1200 && !joined; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        c = run_host(args("pair", "c", with_duration("20s")), opt);
    });
    ta.join();
    tb.join();
    tc.join();
    INFO(a.err);
    INFO(b.err);
    INFO(c.err);
    REQUIRE(joined);
    REQUIRE(a.exit_code == 0);
    REQUIRE(b.exit_code == 0);
    REQUIRE(c.exit_code == 0);
    CHECK(c.summary.at("purchased").get<std::uint64_t>() > 0);
    CHECK(a.err.find("released the workers of ") != std::string::npos);
    // Some host took over workers another one released. Which one did depends on the mock cluster:
    // it refuses commits while a rebalance is prepared, and a partition without a committed
    // changelog range has nothing to restore.
    CHECK((a.err + b.err + c.err).find("restored ") != std::string::npos);
    auto rest = run_host(args("pair", "rest", {}), opt);
    INFO(rest.err);
    REQUIRE(rest.exit_code == 0);
    // Every hand-over takes a checkpoint first and commits it: on a broker that takes commits while
    // the group prepares its rebalance (Kafka does) nothing is read twice. librdkafka's mock cluster
    // refuses them (REBALANCE_IN_PROGRESS): the next owner reads again from the previous commit, with
    // the state of that commit, so more materials are purchased but the products are the same.
    std::uint64_t purchased = 0;
    for (const auto* r : {&a, &b, &c, &rest}) purchased += r->summary.at("purchased").get<std::uint64_t>();
    CHECK(purchased >= 6000);
    CHECK(all_lines(dir, {"a", "b", "c"}).empty());
    CHECK(all_lines(dir, {"rest"}) == want);
    std::filesystem::remove_all(dir);
}

TEST_CASE("kafka source under --checkpoint: one of two hosts killed with kill -9 mid-run: the other continues its "
          "workers from the changelog, the products of one host",
          "[e2e][kafka][checkpoints][faults]") {
    mock_kafka kafka({"kill:4"});
    auto dir = fresh_dir("kafka-kill");
    kcat_produce(kafka.brokers(), "kill", group_input(23, 4000, 200));
    auto source = [&](const std::string& group) {
        return "kafka:brokers=" + kafka.brokers() + ",topic=kill,group=" + group +
               ",idle_end=8s,time=ts,time_unit=ms,session_timeout=3s";
    };
    auto args = [&](const std::string& group, const std::string& name, const std::string& rate) {
        return std::vector<std::string>{"--source", source(group), "--exporter", "jsonl:dir=" + name, "--checkpoint",
                                        "ck-" + name, "--checkpoint-every", "300ms", "--rate", rate, "--blueprint",
                                        "widget", "--workshops", "2", "--contract", "1h", "--inspect", "0"};
    };
    auto single = run_host(args("single", "single", "100000"), {.cwd = dir});
    INFO(single.err);
    REQUIRE(single.exit_code == 0);
    const auto want = jsonl_lines(dir / "single");
    REQUIRE(want.size() == 200);

    // The victim is killed with its process group (no revoke, no close) once one of its
    // checkpoints after some reading has committed; the survivor gets its partitions after the
    // session timeout and restores what that commit holds.
    std::atomic<bool> killed{false};
    host_options victim_opt;
    victim_opt.cwd = dir;
    victim_opt.own_process_group = true;
    victim_opt.timeout = std::chrono::seconds(180);
    victim_opt.on_output = [&](pid_t host, const std::string& err) {
        if (killed) return;
        std::smatch m;
        if (!std::regex_search(err, m, std::regex(" ops .*purchased [1-9]"))) return;
        if (err.find(" complete: committed to group 'duo'", static_cast<std::size_t>(m.position(0))) ==
            std::string::npos)
            return;
        killed = ::kill(-host, SIGKILL) == 0;
    };
    host_options opt;
    opt.cwd = dir;
    opt.timeout = std::chrono::seconds(180);
    host_result victim, survivor;
    std::thread tv([&] { victim = run_host(args("duo", "victim", "300"), victim_opt); });
    std::thread ts([&] { survivor = run_host(args("duo", "survivor", "300"), opt); });
    tv.join();
    ts.join();
    INFO(victim.err);
    INFO(survivor.err);
    REQUIRE(killed);
    REQUIRE(survivor.exit_code == 0);
    // The victim read past its last commit: the survivor reads that again (counted as replayed);
    // the victim's products were to come at the end, so none came twice and none is missing.
    CHECK(survivor.err.find("restored ") != std::string::npos);
    CHECK(all_lines(dir, {"victim", "survivor"}) == want);
    // The survivor read the victim's partitions from the victim's last commit: fewer than all, and
    // the group's offsets are now at the end of every partition.
    const auto got = survivor.summary.at("purchased").get<std::uint64_t>();
    CHECK(got > 0);
    CHECK(got < 4000);
    std::int64_t sum = 0;
    for (const std::int64_t o : committed(kafka.brokers(), "duo", "kill", 4)) sum += std::max<std::int64_t>(o, 0);
    CHECK(sum == 4000);
    std::filesystem::remove_all(dir);
}
