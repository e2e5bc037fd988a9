// Drives an exporter through its C hooks like fake_transport, but with batches the test keeps:
// the same batch (same product pointers) can be handed over again after a retry, as the host's
// driver does.
#pragma once

#include "support/fake_host.hpp"
#include "support/settings.hpp"

#include <factory/abi.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace factory::testing {

// Products of one pclass in storage that stays put, and the batch that points at them.
class stable_batch {
public:
    template <class Record>
    stable_batch(std::uint32_t pclass, const factory_pclass* schema, const std::vector<Record>& records) {
        const std::size_t words = 1 + (sizeof(factory_product) + sizeof(Record)) / 8;
        storage_.assign(records.size() * words, 0);
        for (std::size_t i = 0; i < records.size(); ++i) {
            auto* p = reinterpret_cast<factory_product*>(storage_.data() + i * words);
            p->pid = i + 1;
            p->time_ns = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(i);
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

class batch_driver {
public:
    batch_driver(const factory_descriptor* d, std::vector<factory_pclass> pclasses,
                 const fake_settings::overrides& s)
        : d_(d), pclasses_(std::move(pclasses)), settings_(d, s) {}
    ~batch_driver() {
        if (instance_ != nullptr) d_->exporter->on_close(instance_);
    }
    batch_driver(const batch_driver&) = delete;
    batch_driver& operator=(const batch_driver&) = delete;

    int open() {
        factory_export_info info{static_cast<std::uint32_t>(pclasses_.size()), 0, pclasses_.data()};
        factory_error err{};
        int rc = d_->exporter->on_open(host.raw(), settings_.raw(), &info, &instance_, &err);
        error = rc == FACTORY_OK ? "" : err.message;
        if (rc != FACTORY_OK) instance_ = nullptr;
        return rc;
    }
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
