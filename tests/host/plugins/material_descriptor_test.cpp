// The descriptor checks of ABI v4's typed materials: a blueprint's material_layout is checked as a
// pclass's (plus: at least one field, none overlapping), and material_flags carry only the kind's
// own bit. The SDK's C++ layer fills both from the plugin class.
#include "plugins/descriptor_check.hpp"

#include <factory/blueprint.hpp>
#include <factory/source.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace factory::plugins;

namespace {

struct click { std::int64_t ts; char page[16]; };
struct nothing { std::uint64_t n; };

class typed_only : public factory::blueprint<nothing> {
public:
    static constexpr factory::info info{"typed_only", "1.0.0", "reads records only"};
    using material_record = click;
    static inline const factory::schema material_layout =
        factory::make_schema<click>({FACTORY_FIELD(click, ts), FACTORY_FIELD(click, page)});
    typed_only(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker&, const factory::material&) { return factory::verdict::keep; }
};

class typed_or_raw : public typed_only {
public:
    static constexpr factory::info info{"typed_or_raw", "1.0.0", "reads records and raw materials"};
    static constexpr bool takes_raw = true;
    using typed_only::typed_only;
};

class filling : public factory::source {
public:
    static constexpr factory::info info{"filling", "1.0.0", "fills records"};
    static constexpr bool fills_records = true;
    filling(const factory::settings&, factory::host h) : source(h) {}
    factory::fill_result on_fill(factory::filler&) { return factory::fill_result::end; }
};

// A copy of a blueprint descriptor whose material layout a test may change.
struct editable {
    explicit editable(const factory_descriptor* d) : d(*d) {
        bp = *d->blueprint;
        this->d.blueprint = &bp;
        if (d->material_layout != nullptr) {
            layout = *d->material_layout;
            fields.assign(layout.fields, layout.fields + layout.field_count);
            layout.fields = fields.data();
            this->d.material_layout = &layout;
        }
    }
    factory_descriptor d;
    factory_blueprint_hooks bp{};
    factory_pclass layout{};
    std::vector<factory_field> fields;
};

const factory_descriptor* typed_d() { return factory::detail::blueprint_descriptor<typed_only>(); }

} // namespace

TEST_CASE("the SDK declares a blueprint's material layout and flags, and a source's") {
    const factory_descriptor* d = typed_d();
    REQUIRE(d->material_layout != nullptr);
    CHECK(d->material_layout->record_size == sizeof(click));
    REQUIRE(d->material_layout->field_count == 2);
    CHECK(std::string(d->material_layout->fields[1].name) == "page");
    CHECK(d->material_layout->fields[1].type == FACTORY_FIELD_STRING);
    CHECK(d->material_layout->fields[1].size == 16);
    CHECK(d->material_flags == 0);
    CHECK(descriptor_problem(*d).empty());
    const factory_descriptor* both = factory::detail::blueprint_descriptor<typed_or_raw>();
    CHECK(both->material_flags == FACTORY_MATERIAL_TAKES_RAW);
    CHECK(descriptor_problem(*both).empty());
    const factory_descriptor* src = factory::detail::source_descriptor<filling>();
    CHECK(src->material_flags == FACTORY_MATERIAL_FILLS_RECORDS);
    CHECK(src->material_layout == nullptr);
    CHECK(descriptor_problem(*src).empty());
}

TEST_CASE("a bad material layout is refused, naming the layout and its flaw") {
    SECTION("overlapping fields") {
        editable e(typed_d());
        e.fields[1].offset = 4; // page starts inside ts
        CHECK(descriptor_problem(e.d) == "material_layout: fields 'ts' and 'page' overlap");
    }
    SECTION("a field past the record") {
        editable e(typed_d());
        e.layout.record_size = 20;
        CHECK(descriptor_problem(e.d) == "material_layout: field 'page' (offset 8, size 16) ends past record_size 20");
    }
    SECTION("a size that does not match the type") {
        editable e(typed_d());
        e.fields[0].size = 4;
        CHECK(descriptor_problem(e.d) == "material_layout: field 'ts' of type i64 has size 4, must be 8");
    }
    SECTION("a name that is not plain") {
        editable e(typed_d());
        e.fields[0].name = "Ts";
        CHECK(descriptor_problem(e.d) == "material_layout: field name 'Ts' is not a plain name ([a-z0-9_]+)");
    }
    SECTION("two fields of one name") {
        editable e(typed_d());
        e.fields[1].name = "ts";
        e.fields[1].type = FACTORY_FIELD_I64;
        e.fields[1].size = 8;
        CHECK(descriptor_problem(e.d) == "material_layout: field 'ts' is declared twice");
    }
    SECTION("no fields") {
        editable e(typed_d());
        e.layout.field_count = 0;
        CHECK(descriptor_problem(e.d) == "material_layout has no fields; declare the fields the blueprint reads, or "
                                         "leave material_layout NULL for raw materials");
    }
    SECTION("record_size 0") {
        editable e(typed_d());
        e.layout.record_size = 0;
        CHECK(descriptor_problem(e.d) == "material_layout has record_size 0");
    }
}

TEST_CASE("material flags are the kind's own, and only a blueprint has a material layout") {
    SECTION("a blueprint that says it fills records") {
        editable e(typed_d());
        e.d.material_flags = FACTORY_MATERIAL_FILLS_RECORDS;
        CHECK(descriptor_problem(e.d) == "material_flags has bits 0x1 that a blueprint may not set");
    }
    SECTION("takes_raw without a layout") {
        editable e(typed_d());
        e.d.material_layout = nullptr;
        e.d.material_flags = FACTORY_MATERIAL_TAKES_RAW;
        CHECK(descriptor_problem(e.d) == "material_flags has FACTORY_MATERIAL_TAKES_RAW but material_layout is NULL; "
                                         "a blueprint without a layout takes raw materials anyway");
    }
    SECTION("a source with a layout") {
        factory_descriptor d = *factory::detail::source_descriptor<filling>();
        d.material_layout = typed_d()->material_layout;
        CHECK(descriptor_problem(d) == "a source must leave material_layout NULL");
    }
    SECTION("reserved2") {
        editable e(typed_d());
        e.d.reserved2 = 3;
        CHECK(descriptor_problem(e.d) == "reserved2 is 3, must be 0");
    }
}
