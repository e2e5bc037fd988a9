#include "plugins/descriptor_check.hpp"

#include "plugins/plugin.hpp"
#include "plugins/setting_types.hpp"

#include <factory/schema.hpp>
#include <factory/util/values.hpp>

#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

namespace factory::plugins {
namespace {

std::string quoted(const char* text) { return "'" + std::string(text) + "'"; }

std::string fmt_hex(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%x", v);
    return buf;
}

std::string name_problem(const char* what, const char* name) {
    if (name == nullptr) return std::string(what) + " is NULL";
    if (!is_plain_name(name))
        return std::string(what) + " " + quoted(name) + " is not a plain name ([a-z0-9_]+)";
    return {};
}

std::string setting_problem(const factory_setting_spec& s) {
    if (auto p = name_problem("setting key", s.key); !p.empty()) return p;
    const std::string self = "setting " + quoted(s.key);
    if (s.type < FACTORY_SETTING_STRING || s.type > FACTORY_SETTING_PATH_OUT)
        return self + " has unknown type " + std::to_string(s.type);
    if (s.type == FACTORY_SETTING_ENUM) {
        if (s.choices == nullptr || *s.choices == '\0') return self + " is an enum without choices";
        for (std::string_view rest = s.choices; ;) {
            auto bar = rest.find('|');
            if (rest.substr(0, bar).empty()) return self + " has an empty choice in " + quoted(s.choices);
            if (bar == std::string_view::npos) break;
            rest.remove_prefix(bar + 1);
        }
    } else if (s.choices != nullptr) {
        return self + " has choices but is not an enum (choices must be NULL)";
    }
    if (s.default_value != nullptr && !optional_path(s) && !check_form(s.type, s.default_value, s.choices))
        return self + ": default " + quoted(s.default_value) + " is not " +
               describe_type(s.type);
    return {};
}

std::string settings_problem(const factory_descriptor& d) {
    if (d.setting_count > 0 && d.settings == nullptr)
        return "setting_count is " + std::to_string(d.setting_count) + " but settings is NULL";
    std::set<std::string_view> keys;
    for (std::uint32_t i = 0; i < d.setting_count; ++i) {
        if (auto p = setting_problem(d.settings[i]); !p.empty()) return p;
        if (!keys.insert(d.settings[i].key).second)
            return "setting " + quoted(d.settings[i].key) + " is declared twice";
    }
    return {};
}

// `owner` names the record the field belongs to ("pclass 'counts'", "state_layout").
std::string field_problem(const std::string& owner_name, const factory_pclass& pc, const factory_field& f) {
    const std::string owner = owner_name + ": ";
    if (auto p = name_problem("field name", f.name); !p.empty()) return owner + p;
    const std::string self = owner + "field " + quoted(f.name);
    if (f.type < FACTORY_FIELD_U8 || f.type > last_field_type)
        return self + " has unknown type " + std::to_string(f.type);
    const std::uint32_t want = field_type_size(f.type);
    if (f.type == FACTORY_FIELD_STRING ? f.size == 0 : f.size != want)
        return self + " of type " + field_type_name(f.type) + " has size " + std::to_string(f.size) +
               (f.type == FACTORY_FIELD_STRING ? ", must be at least 1" : ", must be " + std::to_string(want));
    // 64-bit sum: offset + size cannot wrap around and slip back inside the record.
    if (std::uint64_t{f.offset} + f.size > pc.record_size)
        return self + " (offset " + std::to_string(f.offset) + ", size " + std::to_string(f.size) +
               ") ends past record_size " + std::to_string(pc.record_size);
    if (f.reserved != 0) return self + " has reserved set to " + std::to_string(f.reserved) + ", must be 0";
    return {};
}

// The fields of a record: each well formed and inside it, no name twice.
std::string fields_problem(const std::string& self, const factory_pclass& pc) {
    if (pc.field_count > 0 && pc.fields == nullptr)
        return self + " has field_count " + std::to_string(pc.field_count) + " but fields is NULL";
    std::set<std::string_view> names;
    for (std::uint32_t i = 0; i < pc.field_count; ++i) {
        if (auto p = field_problem(self, pc, pc.fields[i]); !p.empty()) return p;
        if (!names.insert(pc.fields[i].name).second)
            return self + ": field " + quoted(pc.fields[i].name) + " is declared twice";
    }
    return {};
}

std::string pclass_problem(const factory_pclass& pc) {
    if (auto p = name_problem("pclass name", pc.name); !p.empty()) return p;
    const std::string self = "pclass " + quoted(pc.name);
    if (pc.record_size == 0) return self + " has record_size 0";
    return fields_problem(self, pc);
}

// The state's layout (record_size is the state's size) and the older one on_upgrade reads.
std::string state_layouts_problem(const factory_descriptor& d) {
    if (const factory_pclass* l = d.state_layout) {
        if (l->record_size != d.state_size)
            return "state_layout has record_size " + std::to_string(l->record_size) + ", but state_size is " +
                   std::to_string(d.state_size) + "; declare the layout of the state type itself";
        if (auto p = fields_problem("state_layout", *l); !p.empty()) return p;
    }
    const bool upgrades = d.blueprint != nullptr && d.blueprint->on_upgrade != nullptr;
    if (const factory_pclass* l = d.state_previous) {
        if (!upgrades) return "state_previous is set but the blueprint hooks' on_upgrade is NULL; a checkpoint of "
                              "the previous state could not be read";
        if (l->record_size == 0) return "state_previous has record_size 0";
        if (auto p = fields_problem("state_previous", *l); !p.empty()) return p;
    } else if (upgrades) {
        return "blueprint hooks: on_upgrade is set but state_previous is NULL; declare the state it upgrades from";
    }
    return {};
}

// The fields the blueprint reads from each material, checked as a pclass's, with the flags it may
// set; a source may set only FACTORY_MATERIAL_FILLS_RECORDS, and no kind but a blueprint a layout.
std::string material_problem(const factory_descriptor& d, kind k) {
    if (d.reserved2 != 0) return "reserved2 is " + std::to_string(d.reserved2) + ", must be 0";
    std::uint32_t allowed = 0;
    if (k == kind::blueprint) allowed = FACTORY_MATERIAL_TAKES_RAW;
    if (k == kind::source) allowed = FACTORY_MATERIAL_FILLS_RECORDS;
    if ((d.material_flags & ~allowed) != 0)
        return std::string("material_flags has bits 0x") + fmt_hex(d.material_flags & ~allowed) +
               " that a " + to_string(k) + " may not set";
    if (k != kind::blueprint) {
        if (d.material_layout != nullptr) return std::string("a ") + to_string(k) + " must leave material_layout NULL";
        return {};
    }
    const factory_pclass* l = d.material_layout;
    if (l == nullptr) {
        if ((d.material_flags & FACTORY_MATERIAL_TAKES_RAW) != 0)
            return "material_flags has FACTORY_MATERIAL_TAKES_RAW but material_layout is NULL; a blueprint without "
                   "a layout takes raw materials anyway";
        return {};
    }
    if (l->record_size == 0) return "material_layout has record_size 0";
    if (l->field_count == 0) return "material_layout has no fields; declare the fields the blueprint reads, or leave "
                                    "material_layout NULL for raw materials";
    if (auto p = fields_problem("material_layout", *l); !p.empty()) return p;
    // Fields are filled independently: two that share bytes would overwrite each other.
    for (std::uint32_t i = 0; i < l->field_count; ++i)
        for (std::uint32_t j = i + 1; j < l->field_count; ++j) {
            const factory_field& a = l->fields[i];
            const factory_field& b = l->fields[j];
            if (std::uint64_t{a.offset} < std::uint64_t{b.offset} + b.size &&
                std::uint64_t{b.offset} < std::uint64_t{a.offset} + a.size)
                return "material_layout: fields " + quoted(a.name) + " and " + quoted(b.name) + " overlap";
        }
    return {};
}

std::string blueprint_problem(const factory_descriptor& d) {
    const std::uint32_t a = d.state_align;
    if (a == 0 || (a & (a - 1)) != 0 || a > 16)
        return "state_align is " + std::to_string(a) + ", must be a power of two from 1 to 16";
    if (d.pclass_count > 0 && d.pclasses == nullptr)
        return "pclass_count is " + std::to_string(d.pclass_count) + " but pclasses is NULL";
    std::set<std::string_view> names;
    for (std::uint32_t i = 0; i < d.pclass_count; ++i) {
        if (auto p = pclass_problem(d.pclasses[i]); !p.empty()) return p;
        if (!names.insert(d.pclasses[i].name).second)
            return "pclass " + quoted(d.pclasses[i].name) + " is declared twice";
    }
    return state_layouts_problem(d);
}

std::string not_blueprint_problem(const factory_descriptor& d) {
    if (d.state_size != 0 || d.state_align != 0 || d.pclass_count != 0 || d.pclasses != nullptr ||
        d.state_layout != nullptr || d.state_previous != nullptr)
        return std::string("a ") + to_string(static_cast<kind>(d.kind)) +
               " must leave state_size, state_align, pclass_count, pclasses, state_layout and state_previous zero";
    return {};
}

// Each kind's table: its size, and which of its hooks must be present.
template <class Hooks>
std::string table_problem(const char* kind_name, const Hooks* h,
                          std::initializer_list<std::pair<const char*, bool>> required) {
    const std::string self = std::string(kind_name) + " hooks";
    if (h == nullptr) return "the " + self + " table is NULL";
    if (h->struct_size != sizeof(Hooks))
        return self + " struct_size is " + std::to_string(h->struct_size) + ", must be " +
               std::to_string(sizeof(Hooks));
    for (auto [name, present] : required)
        if (!present) return self + ": " + name + " is NULL";
    return {};
}

std::string hooks_problem(const factory_descriptor& d, kind k) {
    const int tables = (d.source != nullptr) + (d.blueprint != nullptr) + (d.exporter != nullptr);
    if (tables > 1) return "more than one hooks table is set; only the " + std::string(to_string(k)) + " one may be";
    switch (k) {
    case kind::source: {
        const auto* h = d.source;
        auto p = table_problem("source", h, {{"on_open", h && h->on_open}, {"on_fill", h && h->on_fill},
                                             {"on_close", h && h->on_close}});
        if (p.empty() && (h->on_position == nullptr) != (h->on_seek == nullptr))
            return std::string("source hooks: ") + (h->on_position == nullptr ? "on_seek" : "on_position") +
                   " is set but " + (h->on_position == nullptr ? "on_position" : "on_seek") +
                   " is NULL; a resumable source sets both, another neither";
        if (p.empty() && h->on_checkpoint_done != nullptr && h->on_position == nullptr)
            return "source hooks: on_checkpoint_done is set but on_position and on_seek are NULL; only a resumable "
                   "source takes part in checkpoints";
        if (p.empty() && (h->traits & ~static_cast<std::uint32_t>(FACTORY_SOURCE_KEEPS_STATE)) != 0)
            return "source hooks: traits has bits this factory-host does not know (" + std::to_string(h->traits) + ")";
        if (p.empty() && (h->traits & FACTORY_SOURCE_KEEPS_STATE) != 0 && h->on_checkpoint_done == nullptr)
            return "source hooks: the trait FACTORY_SOURCE_KEEPS_STATE needs on_checkpoint_done (where the source "
                   "saves its workers)";
        return p;
    }
    case kind::blueprint: {
        const auto* h = d.blueprint;
        return table_problem("blueprint", h,
                             {{"on_open", h && h->on_open}, {"on_hire", h && h->on_hire},
                              {"on_material", h && h->on_material}, {"on_fire", h && h->on_fire},
                              {"on_close", h && h->on_close}});
    }
    case kind::exporter: {
        const auto* h = d.exporter;
        return table_problem("exporter", h, {{"on_open", h && h->on_open}, {"on_export", h && h->on_export},
                                             {"on_close", h && h->on_close}});
    }
    }
    return "unknown kind";
}

} // namespace

bool is_plain_name(std::string_view text) noexcept {
    if (text.empty()) return false;
    for (char c : text)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

std::string descriptor_problem(const factory_descriptor& d) {
    const auto k = kind_from_raw(d.kind);
    if (!k) return "kind is " + std::to_string(d.kind) + ", must be 1 (source), 2 (blueprint) or 3 (exporter)";
    if (auto p = name_problem("name", d.name); !p.empty()) return p;
    if (d.version == nullptr || *d.version == '\0') return "version is empty";
    if (d.description == nullptr) return "description is NULL";
    if (d.reserved != 0) return "reserved is " + std::to_string(d.reserved) + ", must be 0";
    if (auto p = settings_problem(d); !p.empty()) return p;
    if (auto p = *k == kind::blueprint ? blueprint_problem(d) : not_blueprint_problem(d); !p.empty()) return p;
    if (auto p = material_problem(d, *k); !p.empty()) return p;
    return hooks_problem(d, *k);
}

} // namespace factory::plugins
