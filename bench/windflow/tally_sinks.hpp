// The WindFlow Sinks: each replica counts its records per pid and keeps nothing else, the work of
// the factory's `tally` blueprint without the product it ships when a worker is fired.
//
// counting_sink<open_table>: the tuned one, an open-addressing table with the count inline, sized
// once for the keys a replica expects (the reference's tally_map, bench/reference/), as
// factory-host is given --expect-workers.
// counting_sink<std_table>: the plain one, std::unordered_map as most users write it (no reserve).
//
// WindFlow copies the functor into every replica when the graph is built, so each copy makes its
// own table on its first record (in the replica's thread) and, at the end of the stream (the call
// with no record), writes its totals into the board at its replica index.
#pragma once

#include "flow_tuple.hpp"

#include "common/hash.hpp"
#include "tally_map.hpp"

#include <context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace factory::bench::windflow {

struct sink_totals {
    std::uint64_t records = 0;
    std::uint64_t keys = 0;
    std::uint64_t checksum = 0; // the sum of the records' byte counts: the payload was read
};

class open_table {
public:
    explicit open_table(std::uint64_t expected_keys) : map_(expected_keys) {}
    void count(std::uint64_t pid) noexcept { map_.count(pid, mix(pid)); }
    std::uint64_t size() const noexcept { return map_.size(); }

private:
    tally_map map_;
};

class std_table {
public:
    explicit std_table(std::uint64_t) {}
    void count(std::uint64_t pid) { ++map_[pid]; }
    std::uint64_t size() const noexcept { return map_.size(); }

private:
    std::unordered_map<std::uint64_t, std::uint64_t> map_;
};

template <typename table>
class counting_sink {
public:
    // `board` has one entry per replica and outlives the graph.
    counting_sink(std::uint64_t expected_keys, std::vector<sink_totals>* board) noexcept
        : expected_keys_(expected_keys), board_(board) {}
    // A copy is a new replica: it shares the settings and the board, never the table.
    counting_sink(const counting_sink& other) noexcept
        : expected_keys_(other.expected_keys_), board_(other.board_) {}
    counting_sink& operator=(const counting_sink&) = delete;

    void operator()(std::optional<std::reference_wrapper<flow_tuple>> record, wf::RuntimeContext& context) {
        if (!record) { // end of the stream
            (*board_)[context.getReplicaIndex()] = {records_, table_ ? table_->size() : 0, checksum_};
            return;
        }
        if (!table_) table_ = std::make_unique<table>(expected_keys_);
        const flow_tuple& t = record->get();
        table_->count(t.pid);
        checksum_ += t.flow.bytes;
        ++records_;
    }

private:
    std::uint64_t expected_keys_;
    std::vector<sink_totals>* board_;
    std::unique_ptr<table> table_;
    std::uint64_t records_ = 0;
    std::uint64_t checksum_ = 0;
};

} // namespace factory::bench::windflow
