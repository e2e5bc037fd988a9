// Two product classes with different layouts (and a third that never ships), for exporter tests.
#pragma once

#include <factory/abi.h>
#include <factory/schema.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace factory::testing {

struct flow_record {
    std::uint64_t pid;
    std::uint64_t bytes;
    factory::ipv4 src;
    std::uint32_t pad;
    factory::time_ns at;
    char note[16];
};

struct alert_record {
    std::uint64_t pid;
    std::uint8_t level;
    char message[23];
};

inline const factory::schema flow_schema = factory::make_schema<flow_record>(
    {FACTORY_FIELD(flow_record, pid), FACTORY_FIELD(flow_record, bytes), FACTORY_FIELD(flow_record, src),
     FACTORY_FIELD(flow_record, at), FACTORY_FIELD(flow_record, note)});
inline const factory::schema alert_schema = factory::make_schema<alert_record>(
    {FACTORY_FIELD(alert_record, pid), FACTORY_FIELD(alert_record, level), FACTORY_FIELD(alert_record, message)});

// pclass 0 "flows", 1 "alerts", 2 "unused".
inline std::vector<factory_pclass> sample_pclasses() {
    auto pc = [](const char* name, const factory::schema& s) {
        return factory_pclass{name, s.record_size, static_cast<std::uint32_t>(s.fields.size()), s.fields.data()};
    };
    return {pc("flows", flow_schema), pc("alerts", alert_schema), pc("unused", alert_schema)};
}

template <std::size_t N>
void copy_text(char (&to)[N], const char* from) {
    std::size_t n = std::strlen(from);
    std::memcpy(to, from, n < N ? n : N);
}

inline flow_record make_flow(std::uint64_t pid, std::uint64_t bytes, const char* note = "") {
    flow_record r{};
    r.pid = pid;
    r.bytes = bytes;
    r.src = {{10, 0, 0, static_cast<std::uint8_t>(pid)}};
    r.at.value = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(pid);
    copy_text(r.note, note);
    return r;
}

inline alert_record make_alert(std::uint64_t pid, std::uint8_t level, const char* message) {
    alert_record r{};
    r.pid = pid;
    r.level = level;
    copy_text(r.message, message);
    return r;
}

} // namespace factory::testing
