#include "changelog.hpp"

#include <chrono>
#include <memory>

namespace factory::kafka {
namespace {

// The partitions of `topic` by the brokers' metadata, or -1 when it does not exist.
int partition_count(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t, &md, timeout_ms);
    rd_kafka_topic_destroy(t);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw factory::error("cannot read the metadata of topic '" + topic + "': " + rd_kafka_err2str(err));
    int n = -1;
    if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) n = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return n;
}

void create_topic(rd_kafka_t* rk, const std::string& topic, int partitions, int timeout_ms) {
    char why[256] = "";
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, -1, why, sizeof why);
    if (nt == nullptr) throw factory::error("cannot create topic '" + topic + "': " + why);
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, timeout_ms);
    std::string problem = ev == nullptr ? "the brokers did not answer" : "";
    if (ev != nullptr) {
        if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            problem = rd_kafka_event_error_string(ev);
        } else if (const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev)) {
            std::size_t n = 0;
            const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(res, &n);
            for (std::size_t i = 0; i < n; ++i)
                if (rd_kafka_topic_result_error(topics[i]) != RD_KAFKA_RESP_ERR_NO_ERROR &&
                    rd_kafka_topic_result_error(topics[i]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
                    problem = rd_kafka_err2str(rd_kafka_topic_result_error(topics[i]));
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    if (!problem.empty())
        throw factory::error("cannot create the changelog topic '" + topic + "' (" + problem + "): create it with " +
                             std::to_string(partitions) + " partitions, as many as the input has");
}

} // namespace

changelog::changelog(factory::host h, const std::string& brokers, std::string topic, int partitions,
                     std::int64_t timeout_ns)
    : ctx_(h, brokers, this), topic_(std::move(topic)),
      timeout_ms_(std::max<std::int64_t>(timeout_ns / 1'000'000, 1000)) {
    rd_kafka_conf_t* conf = new_conf(ctx_);
    try {
        set(conf, "acks", "all");
        set(conf, "linger.ms", "5");
    } catch (...) {
        rd_kafka_conf_destroy(conf);
        throw;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, &changelog::on_delivery);
    producer_.adopt(make_client(RD_KAFKA_PRODUCER, conf, ctx_));

    const int ms = static_cast<int>(timeout_ms_);
    int have = partition_count(producer_.get(), topic_, ms);
    if (have < 0) {
        create_topic(producer_.get(), topic_, partitions, ms);
        have = partition_count(producer_.get(), topic_, ms);
    }
    if (have < partitions)
        throw factory::error("the changelog topic '" + topic_ + "' has " + std::to_string(have) +
                             " partitions and the input " + std::to_string(partitions) +
                             ": give it as many (each input partition's workers live in the changelog partition of "
                             "its number)");

    // The reader: not in any group, it only assigns itself one partition at a time.
    rd_kafka_conf_t* rconf = new_conf(ctx_);
    try {
        set(rconf, "enable.auto.commit", "false");
        set(rconf, "enable.partition.eof", "true");
        set(rconf, "group.id", topic_ + ".reader"); // never joined: assign() only
    } catch (...) {
        rd_kafka_conf_destroy(rconf);
        throw;
    }
    reader_.adopt(make_client(RD_KAFKA_CONSUMER, rconf, ctx_));
    rd_kafka_poll_set_consumer(reader_.get());
}

changelog::~changelog() {
    if (producer_.get() != nullptr) rd_kafka_flush(producer_.get(), static_cast<int>(timeout_ms_));
    reader_.reset();
    producer_.reset();
}

void changelog::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* me = static_cast<changelog*>(static_cast<client_context*>(opaque)->owner);
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (me->failed_.empty()) me->failed_ = rd_kafka_err2str(m->err);
        return;
    }
    std::int64_t& end = me->ends_[m->partition];
    end = std::max(end, m->offset + 1);
    const auto [at, fresh] = me->starts_.try_emplace(m->partition, m->offset);
    if (!fresh) at->second = std::min(at->second, m->offset);
}

void changelog::put(std::int32_t partition, std::uint64_t pid, const std::string* value) {
    const std::string key = changelog_key(pid);
    void* data = value != nullptr ? const_cast<char*>(value->data()) : nullptr;
    const std::size_t size = value != nullptr ? value->size() : 0;
    while (true) {
        const rd_kafka_resp_err_t err = rd_kafka_producev(
            producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_KEY(key.data(), key.size()),
            RD_KAFKA_V_VALUE(data, size),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            throw factory::error("writing pid " + key + " to the changelog topic '" + topic_ + "' failed: " +
                                 rd_kafka_err2str(err));
        rd_kafka_poll(producer_.get(), 10); // the queue drains as deliveries are reported
    }
}

const std::map<std::int32_t, std::int64_t>& changelog::flush() {
    const rd_kafka_resp_err_t err = rd_kafka_flush(producer_.get(), static_cast<int>(timeout_ms_));
    std::string failed = std::move(failed_);
    failed_.clear();
    flushed_starts_ = std::move(starts_);
    starts_.clear();
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && failed.empty()) failed = rd_kafka_err2str(err);
    if (!failed.empty())
        throw factory::error("the changelog topic '" + topic_ + "' did not take the checkpoint's workers (" + failed +
                             "): offsets not committed, the group's next owner continues from the previous commit");
    return ends_;
}

changelog_state changelog::read(std::int32_t partition, changelog_range r) {
    changelog_state state;
    const std::int64_t end = r.end;
    if (end <= r.start) return state;
    rd_kafka_t* rk = reader_.get();
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic_.c_str(), partition)->offset = r.start;
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms_ * 3);
    std::string problem;
    while (problem.empty()) {
        if (std::chrono::steady_clock::now() > deadline) {
            problem = "timed out";
            break;
        }
        rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
        if (m == nullptr) continue;
        std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> hold(m, &rd_kafka_message_destroy);
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (m->offset < end) problem = "it ends at offset " + std::to_string(m->offset) + " before the committed " +
                                           std::to_string(end);
            break;
        }
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            ctx_.report(m->err, rd_kafka_message_errstr(m));
            continue;
        }
        if (m->offset >= end) break;
        if (m->offset < r.start) continue;
        const std::string_view key(static_cast<const char*>(m->key), m->key != nullptr ? m->key_len : 0);
        if (m->payload == nullptr) state.apply(key, std::nullopt);
        else state.apply(key, std::string_view(static_cast<const char*>(m->payload), m->len));
        if (m->offset + 1 >= end) break;
    }
    rd_kafka_assign(rk, nullptr);
    if (!problem.empty())
        throw factory::error("reading partition " + std::to_string(partition) + " of the changelog topic '" + topic_ +
                             "' up to offset " + std::to_string(end) + ": " + problem);
    return state;
}

} // namespace factory::kafka
