// Drives an exporter through its C hooks as transportation's driver would: open with the
// blueprint's pclasses, hand over batches of products of one pclass (again, after a retry), flush,
// close.
#pragma once

#include "fake_host.hpp"
#include "settings.hpp"

#include <factory/abi.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace factory::testing {

// Products of one pclass in storage that stays put, and the batch that points at them: the same
// batch (same product pointers) can be handed over again after a retry, as the host's driver does.
class stable_batch {
public:
    // Product i has pid first_pid + i and time first_time_ns + i * time_step_ns.
    template <class Record>
    stable_batch(std::uint32_t pclass, const factory_pclass* schema, const std::vector<Record>& records,
                 std::uint64_t first_pid = 1, std::int64_t first_time_ns = 1'700'000'000'000'000'000,
                 std::int64_t time_step_ns = 1) {
        const std::size_t words = 1 + (sizeof(factory_product) + sizeof(Record)) / 8;
        storage_.assign(records.size() * words, 0);
        for (std::size_t i = 0; i < records.size(); ++i) {
            auto* p = reinterpret_cast<factory_product*>(storage_.data() + i * words);
            p->pid = first_pid + i;
            p->time_ns = first_time_ns + static_cast<std::int64_t>(i) * time_step_ns;
            p->pclass = pclass;
            p->size = sizeof(Record);
            std::memcpy(p + 1, &records[i], sizeof(Record));
            pointers_.push_back(p);
        }
        raw_ = factory_batch{sizeof(factory_batch), pclass, static_cast<std::uint32_t>(pointers_.size()), 0, schema,
                             pointers_.data()};
    }
    // Writes other records (of the same type and count) and pids into the same storage, as the
    // host does when it reuses its buffers for the next round.
    template <class Record>
    void refill(const std::vector<Record>& records, std::uint64_t first_pid) {
        for (std::size_t i = 0; i < pointers_.size() && i < records.size(); ++i) {
            auto* p = const_cast<factory_product*>(pointers_[i]);
            p->pid = first_pid + i;
            std::memcpy(p + 1, &records[i], sizeof(Record));
        }
    }
    stable_batch(const stable_batch&) = delete;
    stable_batch& operator=(const stable_batch&) = delete;
    const factory_batch* raw() const noexcept { return &raw_; }

private:
    std::vector<std::uint64_t> storage_;
    std::vector<const factory_product*> pointers_;
    factory_batch raw_{};
};

class fake_transport {
public:
    fake_transport(const factory_descriptor* d, std::vector<factory_pclass> pclasses,
                   const fake_settings::overrides& s = {})
        : d_(d), pclasses_(std::move(pclasses)), settings_(d, s) {
        if (d->exporter == nullptr) throw std::logic_error("not an exporter");
    }
    ~fake_transport() { close(); }
    fake_transport(const fake_transport&) = delete;
    fake_transport& operator=(const fake_transport&) = delete;

    // FACTORY_OK, or FACTORY_ERROR with the message in `error`. `flags` (enum factory_export_flag)
    // and `resume_epoch` as a run with --checkpoint gives them.
    int open(std::uint32_t flags = 0, std::uint64_t resume_epoch = 0) {
        factory_export_info info{static_cast<std::uint32_t>(pclasses_.size()), flags, pclasses_.data(), resume_epoch};
        factory_error err{};
        int rc = d_->exporter->on_open(host.raw(), settings_.raw(), &info, &instance_, &err);
        error = rc == FACTORY_OK ? "" : err.message;
        if (rc != FACTORY_OK) instance_ = nullptr;
        return rc;
    }

    // Exports one batch of records of `pclass`; each record is the pclass's record_size bytes.
    // Every product has the host's time; pids count from first_pid.
    template <class Record>
    int export_records(std::uint32_t pclass, const std::vector<Record>& records,
                       std::uint64_t first_pid = 1) {
        return send(stable_batch(pclass, &pclasses_.at(pclass), records, first_pid, host.now_ns, 0));
    }

    // A batch to send (and send again): pids from 1, times one ns apart.
    template <class Record>
    stable_batch make(std::uint32_t pclass, const std::vector<Record>& records) const {
        return stable_batch(pclass, &pclasses_.at(pclass), records);
    }
    int send(const stable_batch& b) {
        factory_error err{};
        int rc = d_->exporter->on_export(instance_, b.raw(), &err);
        error = rc == FACTORY_OK ? "" : err.message;
        return rc;
    }

    int flush() {
        if (d_->exporter->on_flush == nullptr) return FACTORY_OK;
        factory_error err{};
        int rc = d_->exporter->on_flush(instance_, &err);
        error = rc == FACTORY_OK ? "" : err.message;
        return rc;
    }

    // The on_durable hook, as a transportation process that replaces a dead one calls it after
    // open; FACTORY_ERROR too when the exporter has no such hook.
    int durable(std::uint64_t& count) {
        if (d_->exporter->on_durable == nullptr) return FACTORY_ERROR;
        factory_error err{};
        int rc = d_->exporter->on_durable(instance_, &count, &err);
        error = rc == FACTORY_OK ? "" : err.message;
        return rc;
    }

    // The on_commit hook, as transportation calls it after a successful flush.
    int commit(std::uint64_t epoch) {
        if (d_->exporter->on_commit == nullptr) throw std::logic_error("no on_commit");
        factory_error err{};
        int rc = d_->exporter->on_commit(instance_, epoch, &err);
        error = rc == FACTORY_OK ? "" : err.message;
        return rc;
    }

    void close() {
        if (instance_ != nullptr) d_->exporter->on_close(instance_);
        instance_ = nullptr;
    }

    fake_host host;
    std::string error;

private:
    const factory_descriptor* d_;
    std::vector<factory_pclass> pclasses_;
    fake_settings settings_;
    void* instance_ = nullptr;
};

} // namespace factory::testing
