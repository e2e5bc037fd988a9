// The kafka source's state that follows its partitions (under --checkpoint): the changelog written
// at each completed checkpoint, read back when the group assigns a partition, and the hand-over
// when it revokes one. See kafka_source.hpp and changelog_record.hpp.
#include "kafka_source.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

namespace factory::kafka {
namespace {

// Input partitions: the most of any topic read (the changelog has one per partition number).
int input_partitions(rd_kafka_t* rk, const std::vector<std::string>& topics, int timeout_ms) {
    int most = 0;
    for (const std::string& t : topics) {
        rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, t.c_str(), nullptr);
        const rd_kafka_metadata_t* md = nullptr;
        const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
        rd_kafka_topic_destroy(rkt);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
            throw factory::error("cannot read the metadata of topic '" + t + "': " + rd_kafka_err2str(err));
        if (md->topic_cnt == 1) most = std::max(most, md->topics[0].partition_cnt);
        rd_kafka_metadata_destroy(md);
    }
    return most;
}

} // namespace

bool kafka_source::keeping() {
    if (!keep_checked_) {
        keep_checked_ = true;
        if (host().keeps_state()) {
            const int ms = static_cast<int>(std::max<std::int64_t>(connect_timeout_ns_ / 1'000'000, 1000));
            changelog_ = std::make_unique<changelog>(host(), ctx_.brokers, group_ + ".state",
                                                     input_partitions(rk_.get(), topics_, ms), connect_timeout_ns_);
            host().log(factory::log_level::info, "the workers' state lives in the changelog topic '" +
                                                     changelog_->topic() + "' of group '" + group_ + "'");
        }
    }
    return changelog_ != nullptr;
}

int kafka_source::owner_topic(std::int32_t partition) noexcept {
    for (std::size_t t = 0; t < topics_.size(); ++t)
        if (table_.find(static_cast<std::uint32_t>(t), partition) != nullptr) return static_cast<int>(t);
    return -1;
}

void kafka_source::restore(rd_kafka_topic_partition_list_t* parts) {
    // The group's committed offsets and their metadata, which name each partition's changelog end.
    const rd_kafka_resp_err_t err = rd_kafka_committed(rk_.get(), parts, static_cast<int>(std::max<std::int64_t>(connect_timeout_ns_ / 1'000'000, 1000)));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fatal_ = "cannot read the committed offsets of group '" + group_ + "' (" + rd_kafka_err2str(err) +
                 "): the workers of its partitions cannot be restored";
        return;
    }
    std::vector<std::uint64_t> aligned; // the state bytes, 8-byte aligned as the ABI wants
    for (int i = 0; i < parts->cnt; ++i) {
        rd_kafka_topic_partition_t& p = parts->elems[i];
        const int t = topic_index(p.topic);
        if (t < 0) continue;
        const changelog_range range =
            p.metadata != nullptr
                ? changelog_range_of(std::string_view(static_cast<const char*>(p.metadata), p.metadata_size))
                : changelog_range{};
        const std::int64_t end = range.end;
        // The committed offset goes with the changelog's state: it wins over a local checkpoint's
        // position (a rollback, or a resumed run), whose workers the host no longer loads.
        for (auto it = seek_.begin(); it != seek_.end(); ++it)
            if (it->topic == static_cast<std::uint32_t>(t) && it->partition == p.partition) {
                seek_.erase(it);
                break;
            }
        if (end < 0) {
            // No state committed (the group's first run with a changelog): the committed offset,
            // or `start` when there is none.
            if (p.offset < 0) p.offset = RD_KAFKA_OFFSET_INVALID;
            continue;
        }
        std::int64_t& known = changelog_end_[p.partition];
        known = std::max(known, end);
        changelog_state state;
        try {
            state = changelog_->read(p.partition, range);
        } catch (const std::exception& e) {
            fatal_ = e.what();
            return;
        }
        std::size_t restored = 0;
        for (const auto& [pid, w] : state.workers()) {
            if (w.topic != topics_[static_cast<std::size_t>(t)]) continue;
            aligned.assign((w.state.size() + 7) / 8, 0);
            if (!w.state.empty()) std::memcpy(aligned.data(), w.state.data(), w.state.size());
            const factory_worker_image image{pid, w.hired_ns, w.last_seen_ns, w.materials,
                                             static_cast<std::uint32_t>(w.state.size()), aligned.data()};
            try {
                host().restore_worker(image);
            } catch (const std::exception&) {
                return; // the run is stopping
            }
            (void)pid_partitions_.note(pid, p.partition);
            written_[p.partition].insert(pid);
            ++restored;
        }
        host().log(factory::log_level::info,
                   "restored " + std::to_string(restored) + " workers of " + p.topic + "[" +
                       std::to_string(p.partition) + "] from the changelog '" + changelog_->topic() + "' (up to offset " +
                       std::to_string(end) + "); reading from offset " + std::to_string(p.offset));
    }
}

void kafka_source::hand_over(const rd_kafka_topic_partition_list_t* parts) {
    // Everything read from these partitions goes into a checkpoint now: the changelog and the
    // commit then hold their workers exactly where their next owner starts reading.
    try {
        host().checkpoint_now();
    } catch (const std::exception& e) {
        host().log(factory::log_level::warn, "before giving back " + std::to_string(parts->cnt) +
                                                 " partitions, a checkpoint failed (" + e.what() +
                                                 "): their next owner continues from the previous commit (at least "
                                                 "once)");
    }
    std::set<std::int32_t> gone;
    for (int i = 0; i < parts->cnt; ++i)
        if (topic_index(parts->elems[i].topic) >= 0) gone.insert(parts->elems[i].partition);
    std::vector<std::uint64_t> pids;
    pid_partitions_.each([&](std::uint64_t pid, std::int32_t partition) {
        if (gone.count(partition) != 0) pids.push_back(pid);
    });
    std::size_t released = 0;
    for (const std::uint64_t pid : pids) {
        try {
            host().release_worker(pid);
        } catch (const std::exception&) {
            break; // the run is stopping
        }
        pid_partitions_.forget(pid);
        ++released;
    }
    for (const std::int32_t p : gone) {
        written_.erase(p);
        changelog_end_.erase(p);
        changelog_start_.erase(p);
    }
    host().log(factory::log_level::info, "released the workers of " + std::to_string(released) +
                                             " pids of the partitions the group takes back");
}

void kafka_source::save(factory::worker_walk& workers) {
    std::map<std::int32_t, std::unordered_set<std::uint64_t>> now;
    factory_worker_image w{};
    std::string value;
    while (workers.next(w)) {
        const std::int32_t p = pid_partitions_.partition_of(w.pid);
        const int t = p >= 0 ? owner_topic(p) : -1;
        if (t < 0) continue; // not this run's (released with its partition)
        changelog_worker cw{w.hired_ns, w.last_seen_ns, w.materials, topics_[static_cast<std::size_t>(t)],
                            std::string(static_cast<const char*>(w.state), w.state_size)};
        value = encode_changelog_value(cw);
        changelog_->put(p, w.pid, &value);
        now[p].insert(w.pid);
    }
    // A pid written before that is no longer a worker was fired: a tombstone.
    for (auto& [p, pids] : written_) {
        if (owner_topic(p) < 0) continue;
        const auto& live = now[p];
        for (const std::uint64_t pid : pids)
            if (live.count(pid) == 0) changelog_->put(p, pid, nullptr);
    }
    for (auto& [p, pids] : now) written_[p] = std::move(pids);
    for (auto it = written_.begin(); it != written_.end();)
        if (now.count(it->first) == 0 && owner_topic(it->first) >= 0) it = written_.erase(it);
        else ++it;
    note_flushed(changelog_->flush());
}

void kafka_source::note_flushed(const std::map<std::int32_t, std::int64_t>& ends) {
    for (const auto& [p, end] : ends) {
        std::int64_t& known = changelog_end_[p];
        known = std::max(known, end);
    }
    // This checkpoint's records, and only they, are each partition's state from now on; a partition
    // this run owns but wrote nothing to now holds no worker (an empty range at its end).
    changelog_start_.clear();
    for (const auto& [p, start] : changelog_->flushed_starts()) changelog_start_[p] = start;
}

void kafka_source::retire() {
    // The host waited until the fired workers' products were exported (purchasing.cpp) before this
    // close: the changelog may forget them, so the group's next run does not continue them.
    try {
        std::size_t n = 0;
        for (auto& [p, pids] : written_) {
            if (owner_topic(p) < 0) continue;
            for (const std::uint64_t pid : pids) changelog_->put(p, pid, nullptr);
            n += pids.size();
            pids.clear();
        }
        note_flushed(changelog_->flush());
        std::vector<partition_offset> offsets;
        for (const auto& e : table_.entries()) offsets.push_back(e.at);
        (void)commit(offsets, "end of input, " + std::to_string(n) + " workers fired and retired from the changelog: ",
                     true);
    } catch (const std::exception& e) {
        host().log(factory::log_level::warn, std::string("at the end of input: ") + e.what() +
                                                 "; the group's next run continues the workers of the last checkpoint");
    }
}

} // namespace factory::kafka
