#include "kafka_source.hpp"

#include <factory/util/values.hpp>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

namespace factory::kafka {
namespace {

std::int64_t steady_ns() noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::vector<std::string> topic_list(std::string_view text) {
    std::vector<std::string> out;
    std::string_view rest = text;
    while (true) {
        const auto comma = rest.find(',');
        const std::string_view name = values::trim(rest.substr(0, comma));
        if (name.empty())
            throw factory::error("setting 'topic': '" + std::string(text) +
                                 "' has an empty topic name; write one topic, or several separated by commas");
        if (std::find(out.begin(), out.end(), name) != out.end())
            throw factory::error("setting 'topic' names '" + std::string(name) + "' twice");
        out.emplace_back(name);
        if (comma == std::string_view::npos) return out;
        rest.remove_prefix(comma + 1);
    }
}

// "in[0,1,2] other[3]": for the log line of a rebalance.
std::string describe(const rd_kafka_topic_partition_list_t* parts) {
    std::string out;
    std::string topic;
    for (int i = 0; i < parts->cnt; ++i) {
        const auto& p = parts->elems[i];
        if (i == 0 || topic != p.topic) {
            if (i > 0) out += "] ";
            topic = p.topic;
            out += topic + "[";
        } else {
            out += ",";
        }
        out += std::to_string(p.partition);
    }
    if (parts->cnt > 0) out += "]";
    return out.empty() ? "none" : out;
}

// How long the close waits for the brokers to confirm the commit: the host gives a source 5 s
// after the stop before it kills purchasing.
constexpr int commit_wait_ms = 3000;

// Errors after which reading cannot go on: the run ends, saying why.
bool ends_the_run(rd_kafka_resp_err_t err) noexcept {
    switch (err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__FATAL: return true;
    default: return false;
    }
}

} // namespace

kafka_source::kafka_source(const factory::settings& s, factory::host h)
    : source(h), ctx_(h, s.string("brokers"), this), topics_(topic_list(s.text("topic"))),
      fingerprint_(topics_fingerprint(topics_)), group_(values::trim(s.text("group"))),
      rule_(s.text("key"), s.text("time"), s.text("time_unit"), s.text("format")),
      idle_end_ns_(s.duration_ns("idle_end")), connect_timeout_ns_(s.duration_ns("connect_timeout")) {
    if (group_.empty())
        throw factory::error("setting 'group' is empty: name the consumer group (runs with the same group share "
                             "the partitions)");
    const std::int64_t session_ns = s.duration_ns("session_timeout");
    rd_kafka_conf_t* conf = new_conf(ctx_);
    try {
        set(conf, "group.id", group_, "group");
        set(conf, "enable.auto.commit", "false");
        set(conf, "enable.auto.offset.store", "false");
        set(conf, "enable.partition.eof", "true");
        set(conf, "auto.offset.reset", s.string("start"), "start");
        set(conf, "partition.assignment.strategy", s.string("assignor"), "assignor");
        set(conf, "session.timeout.ms", ms_text(session_ns), "session_timeout");
        set(conf, "heartbeat.interval.ms", ms_text(std::max<std::int64_t>(session_ns / 3, 1'000'000)),
            "session_timeout");
    } catch (...) {
        rd_kafka_conf_destroy(conf);
        throw;
    }
    rd_kafka_conf_set_rebalance_cb(conf, &kafka_source::on_rebalance);
    rd_kafka_t* rk = make_client(RD_KAFKA_CONSUMER, conf, ctx_);
    rk_.adopt(rk);

    const std::vector<std::string> known = reach(rk, ctx_, s.duration_ns("connect_timeout"), true);
    for (const std::string& t : topics_)
        if (std::find(known.begin(), known.end(), t) == known.end())
            throw factory::error("topic '" + t + "' does not exist on brokers '" + ctx_.brokers +
                                 "': create it (with at least as many partitions as runs that will share it), or "
                                 "check the topic setting");

    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics_.size()));
    for (const std::string& t : topics_) rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        throw factory::error("cannot subscribe to '" + std::string(s.text("topic")) + "': " +
                             rd_kafka_err2str(err));
}

kafka_source::~kafka_source() {
    if (rk_.get() == nullptr) return;
    if (pending_ != nullptr) rd_kafka_message_destroy(pending_);
    pending_ = nullptr;
    closing_ = true;
    // Keeping state, the offsets committed are those of the last checkpoint the changelog holds
    // (the host takes one just before the close): where reading stands now has no state saved.
    if (changelog_ != nullptr && ended_) retire();
    if (changelog_ == nullptr && !commit()) {
        // The brokers did not answer. Leaving the group, and even destroying the client (librdkafka
        // 2.0.2 waits for the unanswered commit up to socket.timeout.ms, 60 s), would wait for them
        // past the 5 s the host gives a source after the stop. So the client is left to the end of
        // purchasing, which follows on_close at once; the group notices at its session timeout.
        host().log(factory::log_level::warn, "brokers '" + ctx_.brokers + "' do not answer: closing without "
                                             "leaving group '" + group_ + "'");
        (void)rk_.release();
        return;
    }
    // Leaves the group now rather than after the session timeout, so the others take the partitions
    // at once; serves the revoke through on_rebalance.
    rd_kafka_consumer_close(rk_.get());
    rk_.reset();
}

bool kafka_source::commit() {
    std::vector<partition_offset> offsets;
    for (const auto& e : table_.entries()) offsets.push_back(e.at);
    return commit(offsets, "");
}

bool kafka_source::commit(const std::vector<partition_offset>& offsets, const std::string& what, bool changelog) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
    for (const auto& o : offsets)
        // Only what this run owns: a partition the group gave to another run is its to commit.
        if (o.next >= 0 && o.topic < topics_.size() && table_.find(o.topic, o.partition) != nullptr)
        {
            rd_kafka_topic_partition_t* p = rd_kafka_topic_partition_list_add(list, topics_[o.topic].c_str(), o.partition);
            p->offset = o.next;
            if (changelog) {
                const auto end = changelog_end_.find(o.partition);
                const auto start = changelog_start_.find(o.partition);
                changelog_range r;
                r.end = end == changelog_end_.end() ? 0 : end->second;
                // A partition this run wrote nothing to names an empty range: it holds no worker.
                r.start = start == changelog_start_.end() ? r.end : std::min(start->second, r.end);
                const std::string meta = commit_metadata(r);
                p->metadata = std::malloc(meta.size()); // freed by the list's destroy
                std::memcpy(p->metadata, meta.data(), meta.size());
                p->metadata_size = meta.size();
            }
        }
    bool answered = true;
    if (list->cnt > 0) {
        // Through a queue of its own, so the wait is bounded (a synchronous commit waits as long as
        // librdkafka's socket timeout when the brokers are gone).
        rd_kafka_queue_t* q = rd_kafka_queue_new(rk_.get());
        rd_kafka_resp_err_t err = rd_kafka_commit_queue(rk_.get(), list, q, nullptr, nullptr);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_event_t* ev = rd_kafka_queue_poll(q, commit_wait_ms);
            if (ev == nullptr) {
                err = RD_KAFKA_RESP_ERR__TIMED_OUT;
                answered = false;
            } else {
                err = rd_kafka_event_error(ev);
                rd_kafka_event_destroy(ev);
            }
        }
        rd_kafka_queue_destroy(q);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            host().log(factory::log_level::info, what + "committed to group '" + group_ + "' the offsets of " +
                                                     std::to_string(list->cnt) + " partitions: " + describe(list));
        else
            host().log(factory::log_level::warn,
                       "committing offsets to group '" + group_ + "' failed (" + rd_kafka_err2str(err) +
                           "): the group's next run reads again from its previous offsets (at least once)");
    }
    rd_kafka_topic_partition_list_destroy(list);
    return answered;
}

int kafka_source::topic_index(const char* name) const noexcept {
    for (std::size_t i = 0; i < topics_.size(); ++i)
        if (topics_[i] == name) return static_cast<int>(i);
    return -1;
}

void kafka_source::on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                                void* opaque) {
    static_cast<kafka_source*>(static_cast<client_context*>(opaque)->owner)->rebalance(err, parts);
}

void kafka_source::rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (!closing_ && keeping()) restore(parts);
        for (int i = 0; i < parts->cnt; ++i) {
            auto& p = parts->elems[i];
            const int t = topic_index(p.topic);
            if (t < 0) continue;
            std::int64_t next = -1;
            // A checkpoint's offset, used the first time the group gives this run that partition.
            for (auto it = seek_.begin(); it != seek_.end(); ++it)
                if (it->topic == static_cast<std::uint32_t>(t) && it->partition == p.partition) {
                    next = it->next;
                    p.offset = next;
                    seek_.erase(it);
                    break;
                }
            table_.assign(static_cast<std::uint32_t>(t), p.partition, next);
        }
        const rd_kafka_resp_err_t a = rd_kafka_assign(rk_.get(), parts);
        if (a != RD_KAFKA_RESP_ERR_NO_ERROR) fatal_ = std::string("assigning partitions failed: ") +
                                                      rd_kafka_err2str(a);
        host().log(factory::log_level::info, "group '" + group_ + "' gives this run " + describe(parts));
        last_message_ns_ = steady_ns(); // idle_end counts from here
        return;
    }
    if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        host().log(factory::log_level::warn, std::string("rebalance failed: ") + rd_kafka_err2str(err));
    else if (!closing_ && parts->cnt > 0 && keeping())
        hand_over(parts);
    for (int i = 0; i < parts->cnt; ++i) {
        const int t = topic_index(parts->elems[i].topic);
        if (t >= 0) table_.revoke(static_cast<std::uint32_t>(t), parts->elems[i].partition);
    }
    if (pending_ != nullptr && table_.find(static_cast<std::uint32_t>(topic_index(rd_kafka_topic_name(pending_->rkt))),
                                           pending_->partition) == nullptr) {
        rd_kafka_message_destroy(pending_); // its partition's next owner reads it
        pending_ = nullptr;
    }
    rd_kafka_assign(rk_.get(), nullptr);
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && parts->cnt > 0)
        host().log(factory::log_level::info, "group '" + group_ + "' takes back " + describe(parts));
}

void kafka_source::event(const rd_kafka_message_t* m) {
    const int t = m->rkt != nullptr ? topic_index(rd_kafka_topic_name(m->rkt)) : -1;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (partition_table::entry* e = t >= 0 ? table_.find(static_cast<std::uint32_t>(t), m->partition) : nullptr) {
            e->at_end = true;
            if (e->at.next < 0) e->at.next = m->offset; // where reading stands, though nothing was read
        }
        return;
    }
    std::string text = std::string(rd_kafka_err2str(m->err)) + ": " + rd_kafka_message_errstr(m);
    if (m->rkt != nullptr) text = "topic '" + std::string(rd_kafka_topic_name(m->rkt)) + "': " + text;
    if (ends_the_run(m->err)) {
        fatal_ = text + " (brokers '" + ctx_.brokers + "')";
        return;
    }
    ctx_.report(m->err, text);
}

bool kafka_source::take(const rd_kafka_message_t* m, factory::filler& f) {
    if (m->rkt != last_rkt_) {
        last_rkt_ = m->rkt;
        last_topic_ = topic_index(rd_kafka_topic_name(m->rkt));
    }
    partition_table::entry* e =
        last_topic_ >= 0 ? table_.find(static_cast<std::uint32_t>(last_topic_), m->partition) : nullptr;
    const std::string_view value(static_cast<const char*>(m->payload), m->payload != nullptr ? m->len : 0);
    char why[200];
    char reason[256];
    material_rule::result r;
    bool ok = false;
    if (value.size() > f.max_size()) {
        std::snprintf(why, sizeof why, "value of %zu bytes is longer than the largest material (%u bytes)",
                      value.size(), f.max_size());
    } else {
        ok = rule_.read(m->key, m->key_len, value, rd_kafka_message_timestamp(m, nullptr), r, why, sizeof why);
    }
    if (ok) {
        void* out = f.add(r.pid, r.time_ns, r.format, static_cast<std::uint32_t>(value.size()));
        if (out == nullptr) return false;
        if (!value.empty()) std::memcpy(out, value.data(), value.size());
        note_partition(r.pid, m->partition);
    } else {
        std::snprintf(reason, sizeof reason, "topic %s partition %" PRId32 " offset %" PRId64 ": %s",
                      rd_kafka_topic_name(m->rkt), m->partition, m->offset, why);
        f.reject(reason, value.data(), std::min<std::size_t>(value.size(), f.max_size()));
    }
    if (e != nullptr) {
        e->at.next = m->offset + 1;
        e->at_end = false;
    }
    return true;
}

factory::fill_result kafka_source::on_fill(factory::filler& f) {
    if (!fatal_.empty()) throw factory::error(fatal_);
    (void)keeping();
    const std::uint32_t room = f.room();
    std::uint32_t seen = 0;
    std::uint32_t taken = 0;
    while (seen < room) {
        rd_kafka_message_t* m = pending_;
        pending_ = nullptr;
        // Wait a little for the first message only: the host looks at its stop between fills.
        if (m == nullptr) m = rd_kafka_consumer_poll(rk_.get(), seen == 0 ? 100 : 0);
        if (m == nullptr) break;
        ++seen;
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            event(m);
            rd_kafka_message_destroy(m);
            if (!fatal_.empty()) throw factory::error(fatal_);
            continue;
        }
        if (!take(m, f)) {
            pending_ = m; // the run is stopping: kept, so its offset is not passed
            return factory::fill_result::more;
        }
        rd_kafka_message_destroy(m);
        ++taken;
    }
    if (!fatal_.empty()) throw factory::error(fatal_);
    if (taken > 0) ctx_.recovered();
    if (idle_end_ns_ > 0) {
        const std::int64_t now = steady_ns();
        if (taken > 0) last_message_ns_ = now;
        if (!table_.empty() && table_.all_at_end() && pending_ == nullptr && now - last_message_ns_ >= idle_end_ns_)
        {
            ended_ = true;
            return factory::fill_result::end;
        }
    }
    return factory::fill_result::more;
}

void kafka_source::on_checkpoint_done(std::uint64_t epoch, std::span<const std::byte> position,
                                      factory::worker_walk& workers) {
    // The position this run gave for that checkpoint: its offsets are exactly what the checkpoint
    // covers (everything before them was exported and its state is durable).
    const std::vector<partition_offset> offsets = decode_position(position, fingerprint_, topics_.size());
    // Keeping state: the offsets only once the changelog holds the state that goes with them.
    if (keeping()) save(workers);
    (void)commit(offsets, "checkpoint " + std::to_string(epoch) + " complete: ", changelog_ != nullptr);
}

void kafka_source::note_partition(std::uint64_t pid, std::int32_t partition) {
    if (!pid_partitions_.note(pid, partition)) return;
    const std::int64_t now = steady_ns();
    if (moved_log_ns_ != 0 && now - moved_log_ns_ < 10'000'000'000) return;
    const std::uint64_t moved = pid_partitions_.moved();
    host().log(factory::log_level::warn,
               "pid " + std::to_string(pid) + " came from partition " + std::to_string(partition) +
                   " after another one (" + std::to_string(moved - moved_logged_) + " such materials since the last "
                   "report, " + std::to_string(moved) + " in all): a key must always come in the same partition, or "
                   "its state is split between the runs of the group; produce the input keyed by the pid");
    moved_logged_ = moved;
    moved_log_ns_ = now;
}

std::size_t kafka_source::on_position(std::span<std::byte> out) {
    return encode_position(table_, fingerprint_, out);
}

void kafka_source::on_seek(std::span<const std::byte> position) {
    seek_ = decode_position(position, fingerprint_, topics_.size());
}

} // namespace factory::kafka
