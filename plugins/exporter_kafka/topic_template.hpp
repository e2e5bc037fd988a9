// The exporter's topic setting: a template in which {pclass} stands for a product's pclass name
// ("factory.{pclass}" -> "factory.tcp"). A template without it names one topic for every pclass.
#pragma once

#include <string>
#include <string_view>

namespace factory::kafka {

// The topic of pclass `pclass` under `tmpl`. Throws factory::error naming the setting when the
// template holds a brace that is not part of {pclass}, or when the topic is not a legal Kafka
// topic name (1 to 249 characters of a-z A-Z 0-9 . _ -, and not "." or "..").
std::string topic_for(std::string_view tmpl, std::string_view pclass);

// Whether the template names a topic per pclass (holds {pclass}).
bool per_pclass(std::string_view tmpl) noexcept;

} // namespace factory::kafka
