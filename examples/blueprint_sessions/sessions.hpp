// The sessions blueprint (libsessions.so): one session per pid, from its first material until its
// worker is fired. While the session lives, every inspector visit (factory-host --inspect) ships
// the running totals as a "progress" product; when the worker is fired, the session ships its
// summary as a "session" product. See session.hpp for the products, byte_count.hpp for what a
// material's bytes are.
//
// Settings:
//   progress       changed | always | off: which inspector visits ship a progress product
//                  (changed: only when the session received materials since its last report)
//   max_materials  end the session after this many materials (fire reason done); the pid's next
//                  material starts a new session. 0: no limit
//   bytes_field    JSON materials: the field holding the byte count; empty: the text's length
#pragma once

#include "byte_count.hpp"
#include "session.hpp"

#include <factory/blueprint.hpp>

#include <cstdint>

namespace example::sessions {

enum pclass_index : std::uint32_t { pclass_session = 0, pclass_progress = 1 };

class session_blueprint : public factory::blueprint<session_state> {
public:
    static constexpr factory::info info{
        "sessions", "1.0.0",
        "per-pid sessions: running totals at every inspection, a summary when the session ends"};
    static inline const factory::setting settings[] = {
        {"progress", FACTORY_SETTING_ENUM, "changed",
         "which inspector visits ship the running totals: changed (new materials since the last "
         "report), always, or off",
         "changed|always|off"},
        {"max_materials", FACTORY_SETTING_UINT, "0",
         "end a session after this many materials (reason done); the next one starts a new session; "
         "0: no limit"},
        {"bytes_field", FACTORY_SETTING_STRING, "bytes",
         "JSON materials: the field holding the byte count (a non-negative integer); empty: the "
         "text's length"},
    };
    static inline const factory::pclass_def pclasses[] = {
        {"session", &session_schema}, {"progress", &progress_schema}};

    session_blueprint(const factory::settings& s, factory::host h);

    factory::verdict on_material(worker& w, const factory::material& m);
    factory::verdict on_inspect(worker& w, std::int64_t now_ns);
    void on_fire(worker& w, factory::fire_reason reason, std::int64_t now_ns);

private:
    byte_counter counter_;
    progress_mode progress_;
    std::uint64_t max_materials_;
};

} // namespace example::sessions
