#include "common/material_layout.hpp"

#include <utility>

namespace factory {

material_layout::material_layout(const factory_pclass* pc) {
    if (pc == nullptr) return;
    record_size_ = pc->record_size;
    for (std::uint32_t i = 0; i < pc->field_count; ++i) {
        const factory_field& f = pc->fields[i];
        fields_.push_back(material_field{f.name, f.type, f.offset, f.size});
    }
    rebuild();
}

material_layout::material_layout(std::uint32_t record_size, std::vector<material_field> fields)
    : record_size_(record_size), fields_(std::move(fields)) {
    rebuild();
}

material_layout& material_layout::operator=(const material_layout& other) {
    if (this != &other) {
        record_size_ = other.record_size_;
        fields_ = other.fields_;
        rebuild();
    }
    return *this;
}

// The factory_field names point into fields_: rebuilt whenever fields_ changes.
void material_layout::rebuild() {
    raw_.clear();
    for (const auto& f : fields_) raw_.push_back(factory_field{f.name.c_str(), f.type, f.offset, f.size, 0});
    pclass_ = factory_pclass{"material", record_size_, static_cast<std::uint32_t>(raw_.size()),
                             raw_.empty() ? nullptr : raw_.data()};
}

} // namespace factory
