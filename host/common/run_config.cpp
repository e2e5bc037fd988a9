#include "common/run_config.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace factory {

using nlohmann::json;

static json plugin_to_json(const plugin_choice& p) {
    json settings = json::array();
    for (const auto& [k, v] : p.settings) settings.push_back(json::array({k, v}));
    return json{{"name", p.name}, {"file", p.file}, {"settings", settings}};
}

static plugin_choice plugin_from_json(const json& j) {
    plugin_choice p;
    p.name = j.at("name").get<std::string>();
    p.file = j.at("file").get<std::string>();
    for (const auto& kv : j.at("settings"))
        p.settings.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
    return p;
}

static json layout_to_json(const material_layout& l) {
    json fields = json::array();
    for (const auto& f : l.fields()) fields.push_back(json::array({f.name, f.type, f.offset, f.size}));
    return json{{"record_size", l.record_size()}, {"fields", fields}};
}

static material_layout layout_from_json(const json& j) {
    std::vector<material_field> fields;
    for (const auto& f : j.at("fields"))
        fields.push_back(material_field{f.at(0).get<std::string>(), f.at(1).get<std::uint32_t>(),
                                        f.at(2).get<std::uint32_t>(), f.at(3).get<std::uint32_t>()});
    return material_layout(j.at("record_size").get<std::uint32_t>(), std::move(fields));
}

std::string run_config::to_json() const {
    json exporters_json = json::array();
    for (const auto& e : exporters) exporters_json.push_back(plugin_to_json(e));
    json j{{"source", plugin_to_json(source)},
           {"blueprint", plugin_to_json(blueprint)},
           {"exporters", exporters_json},
           {"material_layout", layout_to_json(materials)},
           {"workshops", workshops},
           {"rate", rate},
           {"contract_ns", contract_ns},
           {"inspect_ns", inspect_ns},
           {"max_age_ns", max_age_ns},
           {"max_workers", max_workers},
           {"expect_workers", expect_workers},
           {"material_clock", material_clock},
           {"flush_ns", flush_ns},
           {"max_material", max_material},
           {"export_retries", export_retries},
           {"retry_backoff_ns", retry_backoff_ns},
           {"hang_timeout_ns", hang_timeout_ns},
           {"max_restarts", max_restarts},
           {"max_dead_letters", max_dead_letters},
           {"dead_letter_dir", dead_letter_dir},
           {"log_level", log_level},
           {"quiet", quiet},
           {"checkpoint_dir", checkpoint_dir},
           {"checkpoint_every_ns", checkpoint_every_ns},
           {"checkpoints_kept", checkpoints_kept},
           {"savepoint_on_stop", savepoint_on_stop},
           {"resuming", resuming},
           {"source_keeps_state", source_keeps_state},
           {"resume_epoch", resume_epoch},
           {"resume_workshops", resume_workshops},
           {"skip_seqs", skip_seqs}};
    return j.dump();
}

run_config run_config::from_json(std::string_view text) {
    try {
        json j = json::parse(text);
        run_config c;
        c.source = plugin_from_json(j.at("source"));
        c.blueprint = plugin_from_json(j.at("blueprint"));
        for (const auto& e : j.at("exporters")) c.exporters.push_back(plugin_from_json(e));
        c.materials = layout_from_json(j.at("material_layout"));
        j.at("workshops").get_to(c.workshops);
        j.at("rate").get_to(c.rate);
        j.at("contract_ns").get_to(c.contract_ns);
        j.at("inspect_ns").get_to(c.inspect_ns);
        j.at("max_age_ns").get_to(c.max_age_ns);
        j.at("max_workers").get_to(c.max_workers);
        j.at("expect_workers").get_to(c.expect_workers);
        j.at("material_clock").get_to(c.material_clock);
        j.at("flush_ns").get_to(c.flush_ns);
        j.at("max_material").get_to(c.max_material);
        j.at("export_retries").get_to(c.export_retries);
        j.at("retry_backoff_ns").get_to(c.retry_backoff_ns);
        j.at("hang_timeout_ns").get_to(c.hang_timeout_ns);
        j.at("max_restarts").get_to(c.max_restarts);
        j.at("max_dead_letters").get_to(c.max_dead_letters);
        j.at("dead_letter_dir").get_to(c.dead_letter_dir);
        j.at("log_level").get_to(c.log_level);
        j.at("quiet").get_to(c.quiet);
        j.at("checkpoint_dir").get_to(c.checkpoint_dir);
        j.at("checkpoint_every_ns").get_to(c.checkpoint_every_ns);
        j.at("checkpoints_kept").get_to(c.checkpoints_kept);
        j.at("savepoint_on_stop").get_to(c.savepoint_on_stop);
        j.at("resuming").get_to(c.resuming);
        j.at("source_keeps_state").get_to(c.source_keeps_state);
        j.at("resume_epoch").get_to(c.resume_epoch);
        j.at("resume_workshops").get_to(c.resume_workshops);
        j.at("skip_seqs").get_to(c.skip_seqs);
        return c;
    } catch (const json::exception& e) {
        throw std::runtime_error(std::string("the run's configuration in the shared segment is unreadable: ") + e.what());
    }
}

} // namespace factory
