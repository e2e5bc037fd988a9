#include "checkpoint/manifest.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>

namespace factory::checkpoint {
namespace {

using json = nlohmann::json;

[[noreturn]] void field_error(const std::string& name, const char* what) {
    throw checkpoint_error("field '" + name + "' " + what);
}

// Field access that names the field (with its path) in every error.
class fields {
public:
    fields(const json& j, std::string path) : j_(j), path_(std::move(path)) {
        if (!j_.is_object()) {
            if (path_.empty()) throw checkpoint_error("not a JSON object");
            field_error(path_, "is not an object");
        }
    }
    const json& at(const char* key) const {
        auto it = j_.find(key);
        if (it == j_.end()) field_error(name(key), "is missing");
        return *it;
    }
    std::uint64_t u64(const char* key) const {
        const json& v = at(key);
        if (!v.is_number_unsigned()) field_error(name(key), "is not an unsigned integer");
        return v.get<std::uint64_t>();
    }
    std::uint32_t u32(const char* key) const {
        const std::uint64_t v = u64(key);
        if (v > 0xffffffffULL) field_error(name(key), "is over 4294967295");
        return static_cast<std::uint32_t>(v);
    }
    std::int64_t i64(const char* key) const {
        const json& v = at(key);
        if (!v.is_number_integer()) field_error(name(key), "is not an integer");
        return v.get<std::int64_t>();
    }
    bool boolean(const char* key) const {
        const json& v = at(key);
        if (!v.is_boolean()) field_error(name(key), "is not true or false");
        return v.get<bool>();
    }
    std::string text(const char* key) const {
        const json& v = at(key);
        if (!v.is_string()) field_error(name(key), "is not a string");
        return v.get<std::string>();
    }
    std::uint64_t hex(const char* key) const {
        std::uint64_t v = 0;
        if (!from_hex(text(key), v)) field_error(name(key), "is not 1 to 16 hex digits");
        return v;
    }
    const json& array(const char* key) const {
        const json& v = at(key);
        if (!v.is_array()) field_error(name(key), "is not an array");
        return v;
    }
    std::string name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

private:
    const json& j_;
    std::string path_;
};

} // namespace

std::string to_hex(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

bool from_hex(std::string_view text, std::uint64_t& v) {
    if (text.empty() || text.size() > 16) return false;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v, 16);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

std::string manifest::to_json() const {
    json j;
    j["format_version"] = format_version;
    j["epoch"] = epoch;
    j["created_unix_ns"] = created_unix_ns;
    j["workshops"] = workshops;
    j["source"] = {{"name", source_name}, {"settings", source_settings}, {"position", position_text}};
    j["purchased"] = purchased;
    j["blueprint"] = {{"name", blueprint.name},
                      {"version", blueprint.version},
                      {"state_size", blueprint.state_size},
                      {"state_align", blueprint.state_align},
                      {"layout", to_hex(blueprint.layout)}};
    j["final"] = final;
    j["end_of_input"] = end_of_input;
    j["exporters"] = exporters;
    json files_json = json::array();
    for (const auto& f : files)
        files_json.push_back(
            {{"name", f.name}, {"bytes", f.bytes}, {"checksum", to_hex(f.checksum)}, {"workers", f.workers}});
    j["files"] = std::move(files_json);
    return j.dump(2) + "\n";
}

manifest manifest::from_json(std::string_view text) {
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) throw checkpoint_error("not JSON (cut short or damaged)");
    const fields top(j, "");
    const std::uint64_t version = top.u64("format_version");
    if (version != format_version)
        throw checkpoint_error("format version " + std::to_string(version) + ", this factory-host reads " +
                               std::to_string(format_version));
    manifest m;
    m.epoch = top.u64("epoch");
    m.created_unix_ns = top.i64("created_unix_ns");
    m.workshops = top.u32("workshops");
    const fields source(top.at("source"), "source");
    m.source_name = source.text("name");
    m.source_settings = source.text("settings");
    m.position_text = source.text("position");
    m.purchased = top.u64("purchased");
    const fields bp(top.at("blueprint"), "blueprint");
    m.blueprint.name = bp.text("name");
    m.blueprint.version = bp.text("version");
    m.blueprint.state_size = bp.u32("state_size");
    m.blueprint.state_align = bp.u32("state_align");
    m.blueprint.layout = bp.hex("layout");
    m.final = top.boolean("final");
    m.end_of_input = top.boolean("end_of_input");
    const json& exporters = top.array("exporters");
    for (std::size_t i = 0; i < exporters.size(); ++i) {
        if (!exporters[i].is_string()) field_error("exporters[" + std::to_string(i) + "]", "is not a string");
        m.exporters.push_back(exporters[i].get<std::string>());
    }
    const json& files = top.array("files");
    for (std::size_t i = 0; i < files.size(); ++i) {
        const fields f(files[i], "files[" + std::to_string(i) + "]");
        file_entry e{f.text("name"), f.u64("bytes"), f.hex("checksum"), f.u64("workers")};
        if (e.name.empty() || e.name.find('/') != std::string::npos || e.name == "." || e.name == "..")
            field_error(f.name("name"), "is not a plain file name");
        m.files.push_back(std::move(e));
    }
    return m;
}

} // namespace factory::checkpoint
