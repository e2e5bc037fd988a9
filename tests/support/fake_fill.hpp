// The room of one source on_fill call, as purchasing offers it: records every material a source
// adds (or, with keep = false, only counts them, for measuring a source's own speed) and every
// record it rejects. Enforces room and max_size the way the ABI describes.
#pragma once

#include <factory/abi.h>
#include <factory/source.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace factory::testing {

struct added_material {
    std::uint64_t pid = 0;
    std::int64_t time_ns = 0;
    std::uint16_t format = 0;
    std::vector<unsigned char> payload; // sized at add(); the source writes it afterwards

    std::string_view text() const {
        return {reinterpret_cast<const char*>(payload.data()), payload.size()};
    }
    template <class T>
    T as() const {
        T v{};
        std::memcpy(&v, payload.data(), payload.size() < sizeof(T) ? payload.size() : sizeof(T));
        return v;
    }
};

struct rejected_record {
    std::string reason;
    std::string data;
};

class fake_fill {
public:
    explicit fake_fill(std::uint32_t max_size = 64 * 1024) : scratch_(max_size / 8 + 1) {
        raw_.struct_size = sizeof(factory_fill);
        raw_.self = this;
        raw_.max_size = max_size;
        raw_.host_add = &add_fn;
        raw_.host_reject = &reject_fn;
    }
    fake_fill(const fake_fill&) = delete;
    fake_fill& operator=(const fake_fill&) = delete;

    // The raw room for one call with `room` materials.
    factory_fill* room(std::uint32_t room) noexcept {
        raw_.room = room;
        left_ = room;
        return &raw_;
    }
    std::uint32_t max_size() const noexcept { return raw_.max_size; }

    bool keep = true;       // false: count materials without recording them
    bool stopping = false;  // host_add answers NULL, as when the run is ending
    std::uint64_t added = 0;
    std::uint64_t refused = 0;        // adds beyond room or above max_size
    std::uint64_t pid_checksum = 0;   // sum of added pids (for keep = false)
    std::vector<added_material> materials;
    std::vector<rejected_record> rejects;

private:
    static void* add_fn(void* self, std::uint64_t pid, std::int64_t time_ns, std::uint16_t format,
                        std::uint32_t size) {
        auto* me = static_cast<fake_fill*>(self);
        if (me->stopping) return nullptr;
        if (me->left_ == 0 || size > me->raw_.max_size) {
            ++me->refused;
            return nullptr;
        }
        --me->left_;
        ++me->added;
        me->pid_checksum += pid;
        if (!me->keep || size == 0) return me->scratch_.data();
        me->materials.push_back(added_material{pid, time_ns, format, std::vector<unsigned char>(size)});
        // operator new aligns to 16, so the payload meets the ABI's 8-byte alignment; the
        // buffer does not move when `materials` grows.
        return me->materials.back().payload.data();
    }
    static void reject_fn(void* self, const char* reason, const void* data, std::uint32_t size) {
        auto* me = static_cast<fake_fill*>(self);
        me->rejects.push_back(rejected_record{
            reason, data != nullptr ? std::string(static_cast<const char*>(data), size) : std::string()});
    }

    factory_fill raw_{};
    std::uint32_t left_ = 0;
    std::vector<std::uint64_t> scratch_;
};

} // namespace factory::testing
