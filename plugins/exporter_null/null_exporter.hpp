// The null exporter: takes every batch and discards it, counting products and batches; logs the
// counts at close. For benchmarks of everything before the exporters.
#pragma once

#include <factory/exporter.hpp>

#include <cstdint>

namespace factory::output {

class null_exporter : public factory::exporter {
public:
    static constexpr factory::info info{"null", "1.0.0", "discards every product, counting them"};
    static constexpr const char* notes =
        "Discards every product; logs the counts at close. For benchmarks.";

    null_exporter(const factory::settings&, factory::host h, const factory::export_info&) : exporter(h) {}
    ~null_exporter();

    factory::export_result on_export(const factory::batch& b) noexcept {
        products_ += b.size();
        ++batches_;
        return factory::export_result::ok();
    }

    std::uint64_t products() const noexcept { return products_; }
    std::uint64_t batches() const noexcept { return batches_; }

private:
    std::uint64_t products_ = 0;
    std::uint64_t batches_ = 0;
};

} // namespace factory::output
