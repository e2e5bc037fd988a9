// Drives a source through its C hooks as purchasing would: open with settings, call on_fill
// with a given room, close. What the source adds or rejects lands in `room` (a fake_fill).
#pragma once

#include "fake_fill.hpp"
#include "fake_host.hpp"
#include "settings.hpp"

#include <factory/abi.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace factory::testing {

class fake_purchasing {
public:
    fake_purchasing(const factory_descriptor* d, const fake_settings::overrides& s = {},
                    std::uint32_t max_size = 64 * 1024)
        : d_(d), settings_(d, s), room(max_size) {
        if (d->source == nullptr) throw std::logic_error("not a source");
    }
    ~fake_purchasing() { close(); }
    fake_purchasing(const fake_purchasing&) = delete;
    fake_purchasing& operator=(const fake_purchasing&) = delete;

    // FACTORY_OK, or FACTORY_ERROR with the message in `error`.
    int open() {
        factory_error err{};
        int rc = d_->source->on_open(host.raw(), settings_.raw(), &instance_, &err);
        error = rc == FACTORY_OK ? "" : err.message;
        if (rc != FACTORY_OK) instance_ = nullptr;
        return rc;
    }
    // One on_fill call with room for `n` materials; returns its status.
    int fill(std::uint32_t n) {
        if (instance_ == nullptr) throw std::logic_error("fill before a successful open");
        factory_error err{};
        int rc = d_->source->on_fill(instance_, room.room(n), &err);
        error = rc == FACTORY_ERROR ? err.message : "";
        return rc;
    }
    // Calls fill(n) until the source says FACTORY_END (or FACTORY_ERROR); gives up after
    // max_calls calls and returns the last status.
    int fill_to_end(std::uint32_t n, int max_calls = 100000) {
        int rc = FACTORY_OK;
        for (int i = 0; i < max_calls && rc == FACTORY_OK; ++i) rc = fill(n);
        return rc;
    }
    // The on_position hook: FACTORY_OK with the bytes in `pos`, or FACTORY_ERROR with `error`.
    int position(std::string& pos) {
        if (instance_ == nullptr) throw std::logic_error("position before a successful open");
        if (d_->source->on_position == nullptr) throw std::logic_error("no on_position");
        pos.assign(FACTORY_POSITION_MAX, '\0');
        std::uint32_t size = 0;
        factory_error err{};
        int rc = d_->source->on_position(instance_, pos.data(), FACTORY_POSITION_MAX, &size, &err);
        error = rc == FACTORY_OK ? "" : err.message;
        pos.resize(rc == FACTORY_OK ? size : 0);
        return rc;
    }
    // The on_seek hook (after open, before the first fill).
    int seek(const std::string& pos) {
        if (instance_ == nullptr) throw std::logic_error("seek before a successful open");
        if (d_->source->on_seek == nullptr) throw std::logic_error("no on_seek");
        factory_error err{};
        int rc = d_->source->on_seek(instance_, pos.data(), static_cast<std::uint32_t>(pos.size()), &err);
        error = rc == FACTORY_OK ? "" : err.message;
        return rc;
    }
    void close() {
        if (instance_ != nullptr) d_->source->on_close(instance_);
        instance_ = nullptr;
    }

    fake_host host;
    std::string error;

private:
    const factory_descriptor* d_;
    fake_settings settings_;
    void* instance_ = nullptr;

public:
    fake_fill room;
};

// (pid, time, payload) of the materials a source added, from the `from`-th on: what a read resumed
// from a position is compared with, against one uninterrupted read.
using seen_material = std::tuple<std::uint64_t, std::int64_t, std::string>;
inline std::vector<seen_material> materials_seen(const fake_purchasing& p, std::size_t from = 0) {
    std::vector<seen_material> out;
    for (std::size_t i = from; i < p.room.materials.size(); ++i) {
        const auto& m = p.room.materials[i];
        out.emplace_back(m.pid, m.time_ns, std::string(m.text()));
    }
    return out;
}

} // namespace factory::testing
