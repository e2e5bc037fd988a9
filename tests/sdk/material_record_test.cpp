// Typed materials in the C++ layer: material::record<R>() reads a FACTORY_FORMAT_RECORD material,
// and a blueprint that reads only records refuses a raw material before its on_material runs.
#include <factory/blueprint.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

namespace {

struct click { std::int64_t ts; char page[8]; };
struct seen { std::uint64_t n; std::int64_t ts; };

class records_only : public factory::blueprint<seen> {
public:
    static constexpr factory::info info{"records_only", "1.0.0", "reads records only"};
    using material_record = click;
    static inline const factory::schema material_layout =
        factory::make_schema<click>({FACTORY_FIELD(click, ts), FACTORY_FIELD(click, page)});
    records_only(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker& w, const factory::material& m) {
        ++w.state().n;
        w.state().ts = m.record<click>()->ts;
        return factory::verdict::keep;
    }
};

struct call {
    const factory_blueprint_hooks* hooks = factory::detail::blueprint_descriptor<records_only>()->blueprint;
    void* instance = nullptr;
    seen state{};
    factory_worker worker{};
    alignas(8) unsigned char material[sizeof(factory_material) + sizeof(click)]{};
    factory_error err{};

    call() {
        factory_host host{};
        host.struct_size = sizeof host;
        REQUIRE(hooks->on_open(&host, nullptr, &instance, &err) == FACTORY_OK);
        worker.state = &state;
    }
    ~call() { hooks->on_close(instance); }

    factory_material* with(std::uint16_t format, std::uint32_t size) {
        auto* m = reinterpret_cast<factory_material*>(material);
        m->format = format;
        m->size = size;
        return m;
    }
};

} // namespace

TEST_CASE("material::record reads a typed record, and nothing of another format or size") {
    alignas(8) unsigned char bytes[sizeof(factory_material) + sizeof(click)]{};
    auto* raw = reinterpret_cast<factory_material*>(bytes);
    raw->format = FACTORY_FORMAT_RECORD;
    raw->size = sizeof(click);
    click c{42, "/a"};
    std::memcpy(bytes + sizeof(factory_material), &c, sizeof c);
    const factory::material m(raw);
    REQUIRE(m.record<click>() != nullptr);
    CHECK(m.record<click>()->ts == 42);
    CHECK(std::string(m.record<click>()->page) == "/a");
    raw->format = FACTORY_FORMAT_JSON;
    CHECK(m.record<click>() == nullptr);
    raw->format = FACTORY_FORMAT_RECORD;
    raw->size = sizeof(click) - 1;
    CHECK(m.record<click>() == nullptr);
}

TEST_CASE("a blueprint that reads only records refuses a raw material before on_material") {
    call c;
    auto* m = c.with(FACTORY_FORMAT_RECORD, sizeof(click));
    const click rec{7, "/x"};
    std::memcpy(m + 1, &rec, sizeof rec);
    CHECK(c.hooks->on_material(c.instance, &c.worker, m, &c.err) == FACTORY_OK);
    CHECK(c.state.ts == 7);
    m = c.with(FACTORY_FORMAT_JSON, 5);
    CHECK(c.hooks->on_material(c.instance, &c.worker, m, &c.err) == FACTORY_ERROR);
    CHECK(std::string(c.err.message) == "expected a typed record of 16 bytes, got format 2 of 5 bytes");
    CHECK(c.state.n == 1); // its on_material did not run
}
