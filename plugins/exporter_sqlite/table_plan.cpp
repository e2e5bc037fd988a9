#include "table_plan.hpp"

#include <factory/util/render.hpp>
#include <factory/schema.hpp>
#include <factory/settings.hpp>
#include <factory/util/values.hpp>

#include <cmath>
#include <cstring>

namespace factory::sqlite {

namespace {

const char* sql_type(std::uint32_t type, bool iso_times) {
    switch (type) {
    case FACTORY_FIELD_F32: case FACTORY_FIELD_F64: return "REAL";
    case FACTORY_FIELD_IPV4: case FACTORY_FIELD_IPV6: case FACTORY_FIELD_STRING: return "TEXT";
    case FACTORY_FIELD_TIME_NS: return iso_times ? "TEXT" : "INTEGER";
    default: return "INTEGER";
    }
}

bool is_ipv4_mapped(const unsigned char* a) noexcept {
    static constexpr unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(a, prefix, sizeof prefix) == 0;
}

int bind_text(sqlite3_stmt* s, int at, const std::string& text) {
    return sqlite3_bind_text(s, at, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

} // namespace

std::string quoted(std::string_view name) {
    std::string q = "\"";
    for (char c : name) {
        if (c == '"') q.push_back('"');
        q.push_back(c);
    }
    q.push_back('"');
    return q;
}

std::vector<std::vector<std::string>> parse_indexes(std::string_view text) {
    std::vector<std::vector<std::string>> out;
    while (!text.empty()) {
        std::size_t comma = text.find(',');
        std::string_view item = values::trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (item.empty()) continue;
        std::vector<std::string> cols;
        while (true) {
            std::size_t plus = item.find('+');
            std::string_view col = values::trim(item.substr(0, plus));
            if (col.empty())
                throw factory::error("setting 'index': an index has an empty column name; write col or col+col, "
                                     "comma-separated");
            cols.emplace_back(col);
            if (plus == std::string_view::npos) break;
            item = item.substr(plus + 1);
        }
        out.push_back(std::move(cols));
    }
    return out;
}

table_plan plan_table(const factory_pclass& pc, const std::vector<std::vector<std::string>>& indexes,
                      bool iso_times) {
    table_plan p;
    p.table = pc.name;
    p.iso_times = iso_times;
    std::string cols, names, marks;
    for (std::uint32_t i = 0; i < pc.field_count; ++i) {
        const factory_field& f = pc.fields[i];
        if (!render::field_fits(pc, f))
            throw factory::error(std::string("pclass '") + pc.name + "': field '" + f.name + "' lies outside its records");
        p.fields.push_back(&f);
        if (std::string_view(f.name) == "ip_version" && f.type == FACTORY_FIELD_U8) p.ip_version = &f;
        if (i > 0) {
            cols += ", ";
            names += ", ";
            marks += ", ";
        }
        cols += quoted(f.name) + " " + sql_type(f.type, iso_times);
        names += quoted(f.name);
        marks += "?";
    }
    if (p.fields.empty()) throw factory::error(std::string("pclass '") + pc.name + "' has no fields to store");
    p.create_sql = "CREATE TABLE IF NOT EXISTS " + quoted(pc.name) + " (" + cols + ")";
    p.insert_sql = "INSERT INTO " + quoted(pc.name) + " (" + names + ") VALUES (" + marks + ")";
    for (const auto& index : indexes) {
        bool all = true;
        for (const std::string& c : index) all = all && find_field(pc, c) != nullptr;
        if (!all) continue;
        std::string name = std::string(pc.name), list;
        for (std::size_t i = 0; i < index.size(); ++i) {
            name += "_" + index[i];
            list += (i > 0 ? ", " : "") + quoted(index[i]);
        }
        p.index_sql.push_back("CREATE INDEX IF NOT EXISTS " + quoted(name + "_idx") + " ON " + quoted(pc.name) + " (" +
                              list + ")");
    }
    return p;
}

int bind_record(const table_plan& plan, sqlite3_stmt* s, const unsigned char* record, std::string& scratch) {
    const bool v4_record = plan.ip_version != nullptr && record[plan.ip_version->offset] == 4;
    int rc = SQLITE_OK;
    for (std::size_t i = 0; i < plan.fields.size() && rc == SQLITE_OK; ++i) {
        const factory_field& f = *plan.fields[i];
        const int at = static_cast<int>(i + 1);
        const unsigned char* p = record + f.offset;
        switch (f.type) {
        case FACTORY_FIELD_U8: rc = sqlite3_bind_int64(s, at, read_field<std::uint8_t>(record, f)); break;
        case FACTORY_FIELD_U16: rc = sqlite3_bind_int64(s, at, read_field<std::uint16_t>(record, f)); break;
        case FACTORY_FIELD_U32: rc = sqlite3_bind_int64(s, at, read_field<std::uint32_t>(record, f)); break;
        case FACTORY_FIELD_BOOL: rc = sqlite3_bind_int64(s, at, *p != 0 ? 1 : 0); break;
        case FACTORY_FIELD_I8: rc = sqlite3_bind_int64(s, at, read_field<std::int8_t>(record, f)); break;
        case FACTORY_FIELD_I16: rc = sqlite3_bind_int64(s, at, read_field<std::int16_t>(record, f)); break;
        case FACTORY_FIELD_I32: rc = sqlite3_bind_int64(s, at, read_field<std::int32_t>(record, f)); break;
        case FACTORY_FIELD_I64: rc = sqlite3_bind_int64(s, at, read_field<std::int64_t>(record, f)); break;
        case FACTORY_FIELD_F32: {
            const float v = read_field<float>(record, f);
            rc = std::isnan(v) ? sqlite3_bind_null(s, at) : sqlite3_bind_double(s, at, v);
            break;
        }
        case FACTORY_FIELD_U64:
            // Bit-exact over approximate: a hash (a pid) must read back as itself.
            rc = sqlite3_bind_int64(s, at, static_cast<std::int64_t>(read_field<std::uint64_t>(record, f)));
            break;
        case FACTORY_FIELD_F64: {
            double v = read_field<double>(record, f);
            rc = std::isnan(v) ? sqlite3_bind_null(s, at) : sqlite3_bind_double(s, at, v);
            break;
        }
        case FACTORY_FIELD_IPV4:
            scratch.clear();
            render::append_ipv4(scratch, p);
            rc = bind_text(s, at, scratch);
            break;
        case FACTORY_FIELD_IPV6:
            scratch.clear();
            if (is_ipv4_mapped(p)) render::append_ipv4(scratch, p + 12);
            else if (v4_record) render::append_ipv4(scratch, p);
            else render::append_ipv6(scratch, p);
            rc = bind_text(s, at, scratch);
            break;
        case FACTORY_FIELD_TIME_NS:
            if (!plan.iso_times) {
                rc = sqlite3_bind_int64(s, at, read_field<std::int64_t>(record, f));
                break;
            }
            scratch.clear();
            render::append_iso8601(scratch, read_field<std::int64_t>(record, f));
            rc = bind_text(s, at, scratch);
            break;
        case FACTORY_FIELD_STRING: {
            std::string_view text = render::string_field(p, f.size);
            rc = sqlite3_bind_text(s, at, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
            break;
        }
        default: rc = sqlite3_bind_null(s, at);
        }
    }
    return rc;
}

} // namespace factory::sqlite
