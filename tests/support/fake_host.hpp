// A stand-in for factory-host's side of the ABI, for driving a plugin's hooks in a test without
// the runtime: host services that record what the plugin does (log lines, shipped products) and
// a clock and a stopping flag the test sets.
#pragma once

#include <factory/abi.h>
#include <factory/plugin.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace factory::testing {

// One product a blueprint shipped: its key, class and a copy of its record.
struct shipped_product {
    std::uint64_t pid = 0;
    std::uint32_t pclass = 0;
    std::vector<unsigned char> record;

    template <class T>
    T as() const {
        T v{};
        std::memcpy(&v, record.data(), record.size() < sizeof(T) ? record.size() : sizeof(T));
        return v;
    }
};

class fake_host {
public:
    explicit fake_host(std::uint32_t workshop = 0) {
        raw_.struct_size = sizeof(factory_host);
        raw_.workshop = workshop;
        raw_.self = this;
        raw_.host_log = &log_fn;
        raw_.host_now_ns = &now_fn;
        raw_.host_stopping = &stopping_fn;
        raw_.host_ship = &ship_fn;
    }
    fake_host(const fake_host&) = delete;
    fake_host& operator=(const fake_host&) = delete;

    const factory_host* raw() const noexcept { return &raw_; }
    factory::host host() const noexcept { return factory::host(&raw_); }

    // When set, host_ship refuses products of an unknown pclass or of the wrong size, as the
    // real host does, and records them in `refused`.
    void expect_pclasses(const factory_pclass* pclasses, std::uint32_t count) {
        pclasses_ = pclasses;
        pclass_count_ = count;
    }

    // A source's factory_host.material_layout (typed materials); `layout` must outlive the source.
    void give_material_layout(const factory_pclass* layout) noexcept { raw_.material_layout = layout; }

    std::int64_t now_ns = 1'700'000'000'000'000'000;
    bool stopping = false;
    std::vector<std::string> logs;
    std::vector<shipped_product> products;
    std::uint64_t refused = 0;

private:
    static void log_fn(void* self, std::uint32_t level, const char* message) {
        static_cast<fake_host*>(self)->logs.push_back(std::to_string(level) + " " + message);
    }
    static std::int64_t now_fn(void* self) { return static_cast<fake_host*>(self)->now_ns; }
    static int stopping_fn(void* self) { return static_cast<fake_host*>(self)->stopping ? 1 : 0; }
    static int ship_fn(void* self, std::uint64_t pid, std::uint32_t pclass, const void* record,
                       std::uint32_t size) {
        auto* me = static_cast<fake_host*>(self);
        if (me->pclasses_ != nullptr &&
            (pclass >= me->pclass_count_ || me->pclasses_[pclass].record_size != size)) {
            ++me->refused;
            return FACTORY_ERROR;
        }
        const auto* b = static_cast<const unsigned char*>(record);
        me->products.push_back(shipped_product{pid, pclass, {b, b + size}});
        return FACTORY_OK;
    }

    factory_host raw_{};
    const factory_pclass* pclasses_ = nullptr;
    std::uint32_t pclass_count_ = 0;
};

} // namespace factory::testing
