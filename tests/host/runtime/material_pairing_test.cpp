// Typed materials at start: which layout purchasing hands the source, and the pairing the host
// refuses (a blueprint that reads only records with a source that cannot fill them).
#include "runtime/configure.hpp"

#include <factory/blueprint.hpp>
#include <factory/source.hpp>

#include <catch2/catch.hpp>

using factory::runtime::material_layout_for;

namespace {

struct click { char page[8]; };
struct nothing { std::uint64_t n; };

class records_only : public factory::blueprint<nothing> {
public:
    static constexpr factory::info info{"records_only", "1.0.0", "reads records only"};
    using material_record = click;
    static inline const factory::schema material_layout = factory::make_schema<click>({FACTORY_FIELD(click, page)});
    records_only(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker&, const factory::material&) { return factory::verdict::keep; }
};
class either : public records_only {
public:
    static constexpr factory::info info{"either", "1.0.0", "reads records and raw materials"};
    static constexpr bool takes_raw = true;
    using records_only::records_only;
};
class raw_reader : public factory::blueprint<nothing> {
public:
    static constexpr factory::info info{"raw_reader", "1.0.0", "declares no layout"};
    raw_reader(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker&, const factory::material&) { return factory::verdict::keep; }
};
class filling : public factory::source {
public:
    static constexpr factory::info info{"filling", "1.0.0", "fills records"};
    static constexpr bool fills_records = true;
    filling(const factory::settings&, factory::host h) : source(h) {}
    factory::fill_result on_fill(factory::filler&) { return factory::fill_result::end; }
};
class raw_source : public factory::source {
public:
    static constexpr factory::info info{"raw_source", "1.0.0", "gives raw materials"};
    raw_source(const factory::settings&, factory::host h) : source(h) {}
    factory::fill_result on_fill(factory::filler&) { return factory::fill_result::end; }
};

template <class T>
factory::plugins::plugin source_of() {
    return {"/x/lib" + std::string(T::info.name) + ".so", factory::detail::source_descriptor<T>()};
}
template <class T>
factory::plugins::plugin blueprint_of() {
    return {"/x/lib" + std::string(T::info.name) + ".so", factory::detail::blueprint_descriptor<T>()};
}

} // namespace

TEST_CASE("the source gets the blueprint's layout when it fills records") {
    const auto l = material_layout_for(source_of<filling>(), blueprint_of<records_only>());
    REQUIRE(!l.empty());
    CHECK(l.record_size() == 8);
    REQUIRE(l.fields().size() == 1);
    CHECK(l.fields()[0].name == "page");
    const factory_pclass* pc = l.as_pclass();
    REQUIRE(pc != nullptr);
    CHECK(std::string(pc->fields[0].name) == "page");
    CHECK(pc->fields[0].type == FACTORY_FIELD_STRING);
    // A copy (as run_config travels) points into itself, not into the original.
    const factory::material_layout copy = l;
    CHECK(copy.as_pclass()->fields != pc->fields);
    CHECK(std::string(copy.as_pclass()->fields[0].name) == "page");
}

TEST_CASE("no layout for a blueprint without one, nor for a source that cannot fill one") {
    CHECK(material_layout_for(source_of<filling>(), blueprint_of<raw_reader>()).empty());
    CHECK(material_layout_for(source_of<raw_source>(), blueprint_of<either>()).empty());
}

TEST_CASE("a blueprint that reads only records is refused with a source that cannot fill them") {
    CHECK_THROWS_WITH(material_layout_for(source_of<raw_source>(), blueprint_of<records_only>()),
                      "blueprint records_only reads typed materials (its material_layout) and source raw_source cannot "
                      "fill them (it gives raw materials); use a source that fills records, such as jsonl, or a "
                      "blueprint that reads raw materials");
}
