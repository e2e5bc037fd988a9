#include "field_map.hpp"

#include <factory/schema.hpp>
#include <factory/settings.hpp>
#include <factory/util/values.hpp>

#include <cstring>

namespace factory::ipfix {

namespace {

struct known_name {
    const char* field;
    std::uint16_t id;      // for any type but ipv6
    std::uint16_t ipv6_id; // for an ipv6 field; 0: none
};

constexpr known_name known_names[] = {
    {"src_addr", 8, 27}, {"src_ip", 8, 27}, {"dst_addr", 12, 28}, {"dst_ip", 12, 28},
    {"next_hop", 15, 62}, {"src_port", 7, 0}, {"dst_port", 11, 0}, {"protocol", 4, 0},
    {"tcp_flags", 6, 0}, {"tos", 5, 0}, {"packets", 2, 0}, {"bytes", 1, 0},
    {"end_reason", 136, 0}, {"vlan", 58, 0}, {"if_index", 10, 0}, {"ip_version", 60, 0},
    {"flow_id", 148, 0}, {"ttl", 192, 0},
};

std::uint16_t time_element(time_unit u, bool start) {
    std::uint16_t base = u == time_unit::sec ? 150 : u == time_unit::milli ? 152 : u == time_unit::micro ? 154 : 156;
    return start ? base : static_cast<std::uint16_t>(base + 1);
}

// The IPv4 twin of an IPv6 address element, or 0.
std::uint16_t ipv4_twin(std::uint16_t id) {
    switch (id) {
    case 27: return 8;
    case 28: return 12;
    case 62: return 15;
    default: return 0;
    }
}

bool is_unsigned_field(std::uint32_t type) {
    return type == FACTORY_FIELD_U8 || type == FACTORY_FIELD_U16 || type == FACTORY_FIELD_U32 ||
           type == FACTORY_FIELD_U64 || type == FACTORY_FIELD_BOOL;
}

bool is_signed_field(std::uint32_t type) {
    return type == FACTORY_FIELD_I8 || type == FACTORY_FIELD_I16 || type == FACTORY_FIELD_I32 ||
           type == FACTORY_FIELD_I64;
}

// The column for `f` as element (id, enterprise) of type `type` (nullopt: an element this table
// does not know: the field's own type decides). Empty `why` on success.
std::optional<column> fit(const factory_field& f, std::uint16_t id, std::uint32_t enterprise,
                          std::optional<ie_type> type, std::string& why) {
    column c{&f, id, enterprise, 0, encoding::unsigned_int};
    const std::uint32_t size = field_type_size(f.type);
    if (!type) {
        switch (f.type) {
        case FACTORY_FIELD_U8: case FACTORY_FIELD_U16: case FACTORY_FIELD_U32: case FACTORY_FIELD_U64:
            c.length = static_cast<std::uint16_t>(size);
            return c;
        case FACTORY_FIELD_BOOL: c.length = 1; c.enc = encoding::boolean; return c;
        case FACTORY_FIELD_I8: case FACTORY_FIELD_I16: case FACTORY_FIELD_I32: case FACTORY_FIELD_I64:
            c.length = 8; // as signed64, sign-extended: RFC 7011 reduced-size encoding is not used
            c.enc = encoding::signed_int;
            return c;
        case FACTORY_FIELD_F32: case FACTORY_FIELD_F64: c.length = 8; c.enc = encoding::float64; return c;
        case FACTORY_FIELD_IPV4: c.length = 4; c.enc = encoding::ipv4; return c;
        case FACTORY_FIELD_IPV6: c.length = 16; c.enc = encoding::ipv6; return c;
        case FACTORY_FIELD_TIME_NS: c.length = 8; c.enc = encoding::millis; return c;
        case FACTORY_FIELD_STRING: c.length = variable_length; c.enc = encoding::string; return c;
        default: why = "its type is unknown"; return std::nullopt;
        }
    }
    const ie_type t = *type;
    auto refuse = [&] {
        why = std::string(field_type_name(f.type)) + " does not fit " + type_name(t);
        return std::nullopt;
    };
    c.length = natural_length(t);
    switch (t) {
    case ie_type::unsigned8: case ie_type::unsigned16: case ie_type::unsigned32: case ie_type::unsigned64:
        if (!is_unsigned_field(f.type) || size > c.length) return refuse();
        return c;
    case ie_type::signed64:
        if (!is_signed_field(f.type)) return refuse();
        c.enc = encoding::signed_int;
        return c;
    case ie_type::float64:
        if (f.type != FACTORY_FIELD_F64 && f.type != FACTORY_FIELD_F32) return refuse();
        c.enc = encoding::float64;
        return c;
    case ie_type::boolean:
        if (f.type != FACTORY_FIELD_BOOL) return refuse();
        c.enc = encoding::boolean;
        return c;
    case ie_type::ipv4_address:
        if (f.type != FACTORY_FIELD_IPV4) return refuse();
        c.enc = encoding::ipv4;
        return c;
    case ie_type::ipv6_address:
        if (f.type != FACTORY_FIELD_IPV6) return refuse();
        c.enc = encoding::ipv6;
        return c;
    case ie_type::string:
        if (f.type != FACTORY_FIELD_STRING) return refuse();
        c.length = variable_length;
        c.enc = encoding::string;
        return c;
    case ie_type::date_seconds: case ie_type::date_millis: case ie_type::date_micros: case ie_type::date_nanos:
        if (f.type != FACTORY_FIELD_TIME_NS) return refuse();
        c.enc = t == ie_type::date_seconds ? encoding::seconds
              : t == ie_type::date_millis  ? encoding::millis
              : t == ie_type::date_micros  ? encoding::micros
                                           : encoding::nanos;
        return c;
    }
    return refuse();
}

// "packetDeltaCount", "2" or "32473/7" -> (id, enterprise, type if known).
bool parse_element(std::string_view text, std::uint16_t& id, std::uint32_t& enterprise,
                   std::optional<ie_type>& type) {
    enterprise = 0;
    type.reset();
    if (const element* e = find_element(text)) {
        id = e->id;
        type = e->type;
        return true;
    }
    std::string_view number = text;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        std::uint64_t pen = 0;
        if (!values::parse_uint(text.substr(0, slash), pen) || pen == 0 || pen > 0xffffffffu) return false;
        enterprise = static_cast<std::uint32_t>(pen);
        number = text.substr(slash + 1);
    }
    std::uint64_t n = 0;
    if (!values::parse_uint(number, n) || n == 0 || n > 0x7fff) return false;
    id = static_cast<std::uint16_t>(n);
    if (enterprise == 0)
        if (const element* e = find_element(id)) type = e->type;
    return true;
}

void finish(layout& l) {
    l.fixed_size = 0;
    l.largest_size = 0;
    for (const column& c : l.columns) {
        if (c.length == variable_length) {
            l.largest_size += 3 + c.field->size;
            continue;
        }
        l.fixed_size += c.length;
        l.largest_size += c.length;
    }
}

} // namespace

std::size_t layout::template_size() const noexcept {
    std::size_t n = 4;
    for (const column& c : columns) n += c.enterprise != 0 ? 8 : 4;
    return n;
}

const layout& pclass_plan::layout_for(const unsigned char* record) const noexcept {
    if (!ipv4) return main;
    if (ip_version != nullptr) return record[ip_version->offset] == 4 ? *ipv4 : main;
    for (const column& c : ipv4->columns)
        if (c.enc == encoding::ipv6_as_ipv4 && !is_ipv4_mapped(record + c.field->offset)) return main;
    return *ipv4;
}

std::vector<map_entry> parse_map(std::string_view text) {
    std::vector<map_entry> out;
    while (!text.empty()) {
        std::size_t comma = text.find(',');
        std::string_view item = values::trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (item.empty()) continue;
        std::size_t colon = item.find(':');
        if (colon == std::string_view::npos || colon == 0 || colon + 1 == item.size())
            throw factory::error("setting 'map': '" + std::string(item) +
                                 "' is not field:element (e.g. materials:packetDeltaCount, pid:148, note:skip)");
        out.push_back({std::string(values::trim(item.substr(0, colon))),
                       std::string(values::trim(item.substr(colon + 1)))});
    }
    return out;
}

pclass_plan plan_pclass(const factory_pclass& pc, const map_options& o, std::uint16_t first_id) {
    const std::vector<map_entry> entries = parse_map(o.map);
    pclass_plan plan;
    plan.main.template_id = first_id;
    const std::string where = std::string("pclass '") + pc.name + "'";
    for (std::uint32_t i = 0; i < pc.field_count; ++i) {
        const factory_field& f = pc.fields[i];
        const std::string name = f.name;
        if (name == "ip_version" && f.type == FACTORY_FIELD_U8) plan.ip_version = &f;
        std::string why;
        const map_entry* explicit_entry = nullptr;
        for (const map_entry& e : entries)
            if (e.field == name) explicit_entry = &e;
        if (explicit_entry != nullptr) {
            if (explicit_entry->element == "skip") {
                plan.skipped.push_back(name + " (map: skip)");
                continue;
            }
            std::uint16_t id = 0;
            std::uint32_t pen = 0;
            std::optional<ie_type> type;
            if (!parse_element(explicit_entry->element, id, pen, type))
                throw factory::error("setting 'map': '" + explicit_entry->element + "' (for field '" + name +
                                     "') is neither an information element name this exporter knows, a "
                                     "number 1..32767, PEN/number nor skip");
            auto c = fit(f, id, pen, type, why);
            if (!c)
                throw factory::error("setting 'map': field '" + name + "' of " + where + " cannot go out as element " +
                                     explicit_entry->element + ": " + why + "; map it to another element or skip it");
            plan.main.columns.push_back(*c);
            continue;
        }
        std::uint16_t id = 0;
        if (f.type == FACTORY_FIELD_TIME_NS && (name == "first_seen" || name == "last_seen")) {
            id = time_element(o.times, name == "first_seen");
        } else {
            for (const known_name& k : known_names)
                if (name == k.field) id = f.type == FACTORY_FIELD_IPV6 ? k.ipv6_id : k.id;
        }
        std::optional<column> c;
        if (id != 0) {
            const element* e = find_element(id);
            c = fit(f, id, 0, e != nullptr ? std::optional<ie_type>(e->type) : std::nullopt, why);
        } else {
            why = "no element by that name";
        }
        if (c) {
            plan.main.columns.push_back(*c);
            continue;
        }
        if (!o.skip_unknown)
            throw factory::error("field '" + name + "' of " + where + " has no IPFIX element (" + why +
                                 "); name one with map=" + name + ":<element>, or skip it with map=" + name +
                                 ":skip or unknown=skip");
        plan.skipped.push_back(name + " (" + why + ")");
    }
    if (plan.main.columns.empty())
        throw factory::error(where + " has no field that maps to an IPFIX element; name some with the map setting");
    finish(plan.main);

    layout v4 = plan.main;
    v4.template_id = static_cast<std::uint16_t>(first_id + 1);
    bool twin = false;
    for (column& c : v4.columns) {
        std::uint16_t id4 = c.enterprise == 0 && c.enc == encoding::ipv6 ? ipv4_twin(c.id) : 0;
        if (id4 == 0) continue;
        c.id = id4;
        c.length = 4;
        c.enc = encoding::ipv6_as_ipv4;
        twin = true;
    }
    if (twin) {
        finish(v4);
        plan.ipv4 = std::move(v4);
    }
    return plan;
}

} // namespace factory::ipfix
