// Drives an exporter through its C hooks as transportation's driver would: open with the
// blueprint's pclasses, hand over batches of products of one pclass, flush, close.
#pragma once

#include "fake_host.hpp"
#include "settings.hpp"

#include <factory/abi.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace factory::testing {

class fake_transport {
public:
    fake_transport(const factory_descriptor* d, const std::vector<factory_pclass>& pclasses,
                   const fake_settings::overrides& s = {})
        : d_(d), pclasses_(pclasses), settings_(d, s) {
        if (d->exporter == nullptr) throw std::logic_error("not an exporter");
    }
    ~fake_transport() { close(); }
    fake_transport(const fake_transport&) = delete;
    fake_transport& operator=(const fake_transport&) = delete;

    // FACTORY_OK, or FACTORY_ERROR with the message in `error`.
    int open() {
        factory_export_info info{static_cast<std::uint32_t>(pclasses_.size()), 0, pclasses_.data()};
        factory_error err{};
        int rc = d_->exporter->on_open(host.raw(), settings_.raw(), &info, &instance_, &err);
        error = rc == FACTORY_OK ? "" : err.message;
        if (rc != FACTORY_OK) instance_ = nullptr;
        return rc;
    }

    // Exports one batch of records of `pclass`; each record is the pclass's record_size bytes.
    template <class Record>
    int export_records(std::uint32_t pclass, const std::vector<Record>& records,
                       std::uint64_t first_pid = 1) {
        std::vector<std::vector<std::uint64_t>> storage;
        std::vector<const factory_product*> products;
        for (std::size_t i = 0; i < records.size(); ++i) {
            storage.emplace_back(1 + (sizeof(factory_product) + sizeof(Record)) / 8, 0);
            auto* p = reinterpret_cast<factory_product*>(storage.back().data());
            p->pid = first_pid + i;
            p->time_ns = host.now_ns;
            p->pclass = pclass;
            p->size = sizeof(Record);
            std::memcpy(p + 1, &records[i], sizeof(Record));
            products.push_back(p);
        }
        factory_batch b{sizeof(factory_batch), pclass, static_cast<std::uint32_t>(products.size()), 0,
                        &pclasses_.at(pclass), products.data()};
        factory_error err{};
        int rc = d_->exporter->on_export(instance_, &b, &err);
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
