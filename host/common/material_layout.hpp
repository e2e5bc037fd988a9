// The run's typed-material layout (the blueprint's material_layout, abi.h), as the host passes it
// from the parent, which read the blueprint's descriptor, to purchasing, which hands it to the
// source: purchasing never loads the blueprint. It travels in run_config's JSON, so it owns its
// names; as_pclass() gives the ABI view of it, valid while this object lives and is not changed.
#pragma once

#include <factory/abi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace factory {

struct material_field {
    std::string name;
    std::uint32_t type = 0;
    std::uint32_t offset = 0;
    std::uint32_t size = 0;
};

class material_layout {
public:
    material_layout() = default;
    // A copy of `pc` (checked by the descriptor check already); a NULL pc gives an empty layout.
    explicit material_layout(const factory_pclass* pc);
    material_layout(std::uint32_t record_size, std::vector<material_field> fields);
    material_layout(const material_layout& other) : material_layout(other.record_size_, other.fields_) {}
    material_layout& operator=(const material_layout& other);

    // No layout: the source gives raw materials.
    bool empty() const noexcept { return record_size_ == 0; }
    std::uint32_t record_size() const noexcept { return record_size_; }
    const std::vector<material_field>& fields() const noexcept { return fields_; }
    // The ABI view (nullptr when empty), pointing into this object.
    const factory_pclass* as_pclass() const noexcept { return empty() ? nullptr : &pclass_; }

private:
    void rebuild();

    std::uint32_t record_size_ = 0;
    std::vector<material_field> fields_;
    std::vector<factory_field> raw_;
    factory_pclass pclass_{};
};

} // namespace factory
