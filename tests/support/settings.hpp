// Plugin settings as the host hands them over: every key the descriptor declares, with its
// default unless the test overrides it. Throws std::logic_error for an unknown key (a mistake in
// the test, not in the plugin). Values are passed as given: a plugin's tests of bad values go
// through factory-host, whose checks (host/plugins/setting_types) are the host's own.
#pragma once

#include <factory/abi.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace factory::testing {

class fake_settings {
public:
    using overrides = std::vector<std::pair<std::string, std::string>>;

    fake_settings(const factory_descriptor* d, const overrides& given = {}) {
        if (d == nullptr) throw std::logic_error("no descriptor");
        for (std::uint32_t i = 0; i < d->setting_count; ++i) {
            const factory_setting_spec& s = d->settings[i];
            keys_.emplace_back(s.key);
            values_.emplace_back(s.default_value != nullptr ? s.default_value : "");
        }
        for (const auto& [key, value] : given) {
            std::size_t i = 0;
            while (i < keys_.size() && keys_[i] != key) ++i;
            if (i == keys_.size()) throw std::logic_error("plugin declares no setting '" + key + "'");
            values_[i] = value;
        }
        for (std::size_t i = 0; i < keys_.size(); ++i) {
            key_ptrs_.push_back(keys_[i].c_str());
            value_ptrs_.push_back(values_[i].c_str());
        }
        raw_.count = static_cast<std::uint32_t>(keys_.size());
        raw_.keys = key_ptrs_.data();
        raw_.values = value_ptrs_.data();
        raw_.struct_size = sizeof(factory_settings);
    }
    fake_settings(const fake_settings&) = delete;
    fake_settings& operator=(const fake_settings&) = delete;

    const factory_settings* raw() const noexcept { return &raw_; }

private:
    std::vector<std::string> keys_, values_;
    std::vector<const char*> key_ptrs_, value_ptrs_;
    factory_settings raw_{};
};

} // namespace factory::testing
