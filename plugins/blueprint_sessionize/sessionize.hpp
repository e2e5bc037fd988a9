// The sessionize blueprint (libsessionize.so): web sessions from JSON click events keyed by user.
// A session is a user's worker: it starts at the user's first click, every click renews the
// contract, and when the contract runs out (no click for --contract of the run's clock: on the
// material clock with the jsonl source's time=, that is the idle gap between two clicks) or the
// run ends, it ships one product, pclass "sessions":
//   pid u64 (the user), start_ns i64 and end_ns i64 (its first and last click's time),
//   clicks u64, pages u32 (distinct pages, estimated: page_sketch.hpp), end_reason u8 (the fire
//   reason: 1 idle, 2 max_age, 3 done, 4 shutdown, 5 evicted)
// The page comes from the typed record (click_record: the jsonl source decodes it in purchasing),
// or, from a raw JSON material (jsonl typed=false, or a source that cannot fill records), from its
// text (setting `page`), read with simdjson On-Demand (click_reader.hpp); a material that is not
// JSON, or has no page string (an empty page in a typed record), is refused.
#pragma once

#include "click_reader.hpp"
#include "page_sketch.hpp"

#include <factory/blueprint.hpp>

#include <cstdint>

namespace factory::sessionize {

// The typed material: the one field sessionize reads. The jsonl source fills it from the member
// named `page` (its rename= maps another member onto it); a longer page dead-letters the line.
struct click_record {
    char page[64];
};

inline const factory::schema click_layout = factory::make_schema<click_record>({
    FACTORY_FIELD(click_record, page),
});

struct session_state {
    std::int64_t start_ns;
    std::int64_t end_ns;
    std::uint64_t clicks;
    page_sketch pages;
};

struct session_product {
    std::uint64_t pid;
    std::int64_t start_ns;
    std::int64_t end_ns;
    std::uint64_t clicks;
    std::uint32_t pages;
    std::uint8_t end_reason;
    std::uint8_t reserved[3]; // explicit padding: shipped records hold no uninitialised bytes
};

inline const factory::schema product_schema = factory::make_schema<session_product>({
    FACTORY_FIELD(session_product, pid),
    FACTORY_FIELD(session_product, start_ns),
    FACTORY_FIELD(session_product, end_ns),
    FACTORY_FIELD(session_product, clicks),
    FACTORY_FIELD(session_product, pages),
    FACTORY_FIELD(session_product, end_reason),
});

class sessionize : public factory::blueprint<session_state> {
public:
    static constexpr factory::info info{"sessionize", "1.0.0",
                                        "web sessions from JSON click events: one product per session"};
    static constexpr const char* notes =
        "Key the source by user and give it the click time (jsonl: key=user,time=ts); the idle gap\n"
        "that ends a session is --contract (e.g. --contract 30m). Product pclass sessions: pid u64,\n"
        "start_ns i64, end_ns i64, clicks u64, pages u32 (distinct pages, a 256-bit linear count),\n"
        "end_reason u8. Refuses a material that is not JSON or has no page string.\n"
        "Typed materials: declares field page (string, 64 bytes); the jsonl source decodes it from the\n"
        "member 'page' (rename=page=MEMBER for another); raw JSON materials are read too (setting page).";
    static inline const factory::setting settings[] = {
        {"page", FACTORY_SETTING_STRING, "page",
         "top-level field of the click event that names the page (a string; counted distinct per "
         "session)"},
    };
    static inline const factory::pclass_def pclasses[] = {{"sessions", &product_schema}};
    using material_record = click_record;
    static inline const factory::schema material_layout = click_layout;
    static constexpr bool takes_raw = true;

    sessionize(const factory::settings& s, factory::host h);

    factory::verdict on_material(worker& w, const factory::material& m) noexcept;
    void on_fire(worker& w, factory::fire_reason reason, std::int64_t now_ns);

private:
    click_reader reader_;
};

} // namespace factory::sessionize
