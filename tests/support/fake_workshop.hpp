// A minimal workshop for driving a blueprint through its C hooks: a roster of workers keyed by
// pid, hire on a pid's first material, on_material for each, fire on request; products land in
// the fake host. Follows the rules of <factory/abi.h> (state zeroed and aligned at hire, no worker
// when on_hire fails or a first material is refused, FACTORY_DONE fires the worker).
#pragma once

#include "fake_host.hpp"
#include "settings.hpp"

#include <factory/abi.h>
#include <factory/formats.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace factory::testing {

class fake_workshop {
public:
    explicit fake_workshop(const factory_descriptor* d, const fake_settings::overrides& s = {})
        : d_(d), settings_(d, s) {
        if (d->blueprint == nullptr) throw std::logic_error("not a blueprint");
        host.expect_pclasses(d->pclasses, d->pclass_count);
        factory_error err{};
        if (d->blueprint->on_open(host.raw(), settings_.raw(), &instance_, &err) != FACTORY_OK)
            throw std::runtime_error(std::string("on_open failed: ") + err.message);
    }
    ~fake_workshop() { d_->blueprint->on_close(instance_); }
    fake_workshop(const fake_workshop&) = delete;
    fake_workshop& operator=(const fake_workshop&) = delete;

    // Hands one material to its pid's worker; returns the hook's status (last_error holds the
    // message of a FACTORY_ERROR).
    int feed(std::uint64_t pid, std::int64_t time_ns, std::uint16_t format, const void* payload,
             std::uint32_t size) {
        buffer_.assign(1 + (sizeof(factory_material) + size) / 8, 0);
        auto* m = reinterpret_cast<factory_material*>(buffer_.data());
        m->pid = pid;
        m->time_ns = time_ns;
        m->purchased_ns = host.now_ns;
        m->seq = ++seq_;
        m->size = size;
        m->format = format;
        if (size > 0) std::memcpy(m + 1, payload, size);

        factory_error err{};
        last_error.clear();
        auto it = roster_.find(pid);
        if (it == roster_.end()) {
            slot s;
            s.state.assign(d_->state_size / sizeof(std::max_align_t) + 1, std::max_align_t{});
            std::memset(s.state.data(), 0, s.state.size() * sizeof(std::max_align_t));
            s.raw.pid = pid;
            s.raw.hired_ns = host.now_ns;
            it = roster_.emplace(pid, std::move(s)).first;
            it->second.raw.state = it->second.state.data();
            if (d_->blueprint->on_hire(instance_, &it->second.raw, m, &err) != FACTORY_OK) {
                last_error = err.message;
                roster_.erase(it);
                return FACTORY_ERROR;
            }
        }
        factory_worker& w = it->second.raw;
        w.last_seen_ns = host.now_ns;
        int rc = d_->blueprint->on_material(instance_, &w, m, &err);
        if (rc == FACTORY_ERROR) {
            last_error = err.message;
            // A worker that assembled nothing is discarded without on_fire (abi.h).
            if (w.materials == 0) roster_.erase(it);
            return rc;
        }
        if (w.materials != UINT32_MAX) ++w.materials;
        if (rc == FACTORY_DONE) fire(pid, FACTORY_FIRED_DONE);
        return rc;
    }
    int feed_json(std::uint64_t pid, std::int64_t time_ns, std::string_view text) {
        return feed(pid, time_ns, FACTORY_FORMAT_JSON, text.data(), static_cast<std::uint32_t>(text.size()));
    }
    int feed_flow4(std::uint64_t pid, std::int64_t time_ns, const factory_flow4& f) {
        return feed(pid, time_ns, FACTORY_FORMAT_FLOW4, &f, sizeof f);
    }

    // Fires one worker (no-op when the pid has none), or all of them.
    void fire(std::uint64_t pid, std::uint32_t reason) {
        auto it = roster_.find(pid);
        if (it == roster_.end()) return;
        d_->blueprint->on_fire(instance_, &it->second.raw, reason, host.now_ns);
        roster_.erase(it);
    }
    void fire_all(std::uint32_t reason) {
        while (!roster_.empty()) fire(roster_.begin()->first, reason);
    }
    std::size_t workers() const noexcept { return roster_.size(); }

    fake_host host;
    std::string last_error;

private:
    struct slot {
        factory_worker raw{};
        std::vector<std::max_align_t> state; // 16-byte aligned, as state_align allows
    };

    const factory_descriptor* d_;
    fake_settings settings_;
    void* instance_ = nullptr;
    std::map<std::uint64_t, slot> roster_;
    std::vector<std::uint64_t> buffer_;
    std::uint64_t seq_ = 0;
};

} // namespace factory::testing
