// The widget blueprint (libwidget.so), the factory's worked example: counts materials and bytes
// per pid and, when the worker is fired, ships one product whose pclass is the worker's protocol.
//
// Materials: FLOW4 or JSON (see material_reader.hpp). The protocol of a worker is that of its
// first material; first_seen / last_seen are the earliest and latest material time (Unix ns). A
// material that cannot be counted is refused (dead-lettered with the reason): as a pid's first
// material it leaves no worker behind, later the worker lives on unchanged.
//
// Product (the same layout for every pclass; pclasses, by index: tcp, udp, icmp, other):
//   pid u64, materials u64, bytes u64, first_seen time_ns, last_seen time_ns, protocol u8,
//   end_reason u8 (the fire reason: 1 idle, 2 max_age, 3 done, 4 shutdown, 5 evicted)
#pragma once

#include "material_reader.hpp"

#include <factory/blueprint.hpp>

#include <cstdint>

namespace factory::widget {

struct widget_state {
    std::uint64_t materials;
    std::uint64_t bytes;
    std::int64_t first_seen;
    std::int64_t last_seen;
    std::uint8_t protocol;
};

// The state's fields, for checkpoints: a checkpoint of this layout restores only into a build that
// declares the same one (or declares it as its previous_state_layout and upgrades from it).
inline const factory::schema state_schema = factory::make_schema<widget_state>({
    FACTORY_FIELD(widget_state, materials),
    FACTORY_FIELD(widget_state, bytes),
    FACTORY_FIELD(widget_state, first_seen),
    FACTORY_FIELD(widget_state, last_seen),
    FACTORY_FIELD(widget_state, protocol),
});

struct widget_product {
    std::uint64_t pid;
    std::uint64_t materials;
    std::uint64_t bytes;
    factory::time_ns first_seen;
    factory::time_ns last_seen;
    std::uint8_t protocol;
    std::uint8_t end_reason;
    std::uint8_t reserved[6]; // explicit padding: shipped records hold no uninitialised bytes
};

// Counts one material of time `t` into a state that counts as widget's does (widget_v2's too).
template <class State>
void count(State& s, const observation& o, std::int64_t t) noexcept {
    if (s.materials == 0) {
        s.protocol = o.protocol;
        s.first_seen = s.last_seen = t;
    } else {
        if (t < s.first_seen) s.first_seen = t;
        if (t > s.last_seen) s.last_seen = t;
    }
    ++s.materials;
    s.bytes += o.bytes;
}

// The product of a fired worker: from any state that counts as widget's does (widget_v2's too).
template <class State>
widget_product product_of(std::uint64_t pid, const State& s, factory::fire_reason reason) noexcept {
    widget_product p{};
    p.pid = pid;
    p.materials = s.materials;
    p.bytes = s.bytes;
    p.first_seen.value = s.first_seen;
    p.last_seen.value = s.last_seen;
    p.protocol = s.protocol;
    p.end_reason = static_cast<std::uint8_t>(reason);
    return p;
}

inline const factory::schema product_schema = factory::make_schema<widget_product>({
    FACTORY_FIELD(widget_product, pid),
    FACTORY_FIELD(widget_product, materials),
    FACTORY_FIELD(widget_product, bytes),
    FACTORY_FIELD(widget_product, first_seen),
    FACTORY_FIELD(widget_product, last_seen),
    FACTORY_FIELD(widget_product, protocol),
    FACTORY_FIELD(widget_product, end_reason),
});

enum pclass_index : std::uint32_t { pclass_tcp = 0, pclass_udp = 1, pclass_icmp = 2, pclass_other = 3 };

// The pclass of a protocol number.
constexpr std::uint32_t pclass_of(std::uint8_t protocol) noexcept {
    switch (protocol) {
    case ip_tcp: return pclass_tcp;
    case ip_udp: return pclass_udp;
    case ip_icmp: return pclass_icmp;
    default: return pclass_other;
    }
}

class widget : public factory::blueprint<widget_state> {
public:
    static constexpr factory::info info{
        "widget", "1.0.0", "counts materials and bytes per pid; one product per worker, by protocol"};
    static constexpr const char* notes =
        "Reads FLOW4 or JSON materials (bytes_field, protocol_field); a material it cannot count is\n"
        "dead-lettered with the reason, and as a pid's first material starts no worker.\n"
        "One product per worker, pclass by protocol (tcp, udp, icmp, other): pid, materials, bytes,\n"
        "first_seen, last_seen, protocol, end_reason (1 idle, 2 max_age, 3 done, 4 shutdown, 5 evicted).";
    static inline const factory::setting settings[] = {
        {"bytes_field", FACTORY_SETTING_STRING, "bytes",
         "JSON materials: the field holding the byte count (a non-negative integer; required)"},
        {"protocol_field", FACTORY_SETTING_STRING, "protocol",
         "JSON materials: the field holding the protocol, 6/17/1 or tcp/udp/icmp (missing: other)"},
    };
    static inline const factory::pclass_def pclasses[] = {
        {"tcp", &product_schema}, {"udp", &product_schema}, {"icmp", &product_schema},
        {"other", &product_schema}};
    static inline const factory::schema& state_layout = state_schema;

    widget(const factory::settings& s, factory::host h);

    factory::verdict on_material(worker& w, const factory::material& m);
    void on_fire(worker& w, factory::fire_reason reason, std::int64_t now_ns);

private:
    material_reader reader_;
};

} // namespace factory::widget
