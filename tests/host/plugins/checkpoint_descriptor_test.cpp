// The descriptor checks of ABI v3's checkpoint parts (state layouts, on_upgrade, source position
// hooks), and the state fingerprint.
#include "plugins/descriptor_check.hpp"
#include "plugins/state_fingerprint.hpp"

#include <factory/blueprint.hpp>
#include <factory/source.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace factory::plugins;

namespace {

struct old_state { std::uint32_t count; };
struct state { std::uint64_t count; std::uint32_t flags; char tag[4]; };

class layered : public factory::blueprint<state> {
public:
    static constexpr factory::info info{"layered", "1.0.0", "declares its state"};
    static inline const factory::schema state_layout = factory::make_schema<state>(
        {FACTORY_FIELD(state, count), FACTORY_FIELD(state, flags), FACTORY_FIELD(state, tag)});
    using previous_state = old_state;
    static inline const factory::schema previous_state_layout =
        factory::make_schema<old_state>({FACTORY_FIELD(old_state, count)});
    layered(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker&, const factory::material&) { return factory::verdict::keep; }
    void on_upgrade(const old_state& o, state& s) { s.count = o.count; }
};

class bare : public factory::blueprint<state> {
public:
    static constexpr factory::info info{"bare", "1.0.0", "declares nothing of its state"};
    bare(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker&, const factory::material&) { return factory::verdict::keep; }
};

class resumable : public factory::source {
public:
    static constexpr factory::info info{"resumable", "1.0.0", "has position hooks"};
    resumable(const factory::settings&, factory::host h) : source(h) {}
    factory::fill_result on_fill(factory::filler&) { return factory::fill_result::end; }
    std::size_t on_position(std::span<std::byte>) { return 0; }
    void on_seek(std::span<const std::byte>) {}
};

// A copy of a descriptor whose parts a test may change without touching the plugin's own.
struct editable {
    explicit editable(const factory_descriptor* d) : d(*d) {
        if (d->blueprint) { bp = *d->blueprint; this->d.blueprint = &bp; }
        if (d->source) { src = *d->source; this->d.source = &src; }
        if (d->state_layout) {
            layout = *d->state_layout;
            fields.assign(layout.fields, layout.fields + layout.field_count);
            layout.fields = fields.data();
            this->d.state_layout = &layout;
        }
        if (d->state_previous) { previous = *d->state_previous; this->d.state_previous = &previous; }
    }
    factory_descriptor d;
    factory_blueprint_hooks bp{};
    factory_source_hooks src{};
    factory_pclass layout{}, previous{};
    std::vector<factory_field> fields;
};

// A build whose current state is old_state, declared with the same fields.
class older : public factory::blueprint<old_state> {
public:
    static constexpr factory::info info{"older", "0.9.0", "the older build"};
    static inline const factory::schema state_layout =
        factory::make_schema<old_state>({FACTORY_FIELD(old_state, count)});
    older(const factory::settings&, factory::host h) : blueprint(h) {}
    factory::verdict on_material(worker&, const factory::material&) { return factory::verdict::keep; }
};

const factory_descriptor* layered_d() { return factory::detail::blueprint_descriptor<layered>(); }

} // namespace

TEST_CASE("a blueprint's state layout and upgrade as the SDK declares them pass") {
    CHECK(descriptor_problem(*layered_d()) == "");
    CHECK(descriptor_problem(*factory::detail::source_descriptor<resumable>()) == "");
}

TEST_CASE("a state layout whose size is not the state's is refused") {
    editable e(layered_d());
    e.layout.record_size = 12;
    CHECK(descriptor_problem(e.d) ==
          "state_layout has record_size 12, but state_size is 16; declare the layout of the state type itself");
}

TEST_CASE("a state layout field outside the state is refused, naming the field") {
    editable e(layered_d());
    e.fields[2].offset = 14;
    CHECK(descriptor_problem(e.d) == "state_layout: field 'tag' (offset 14, size 4) ends past record_size 16");
    editable t(layered_d());
    t.fields[1].size = 8;
    CHECK(descriptor_problem(t.d) == "state_layout: field 'flags' of type u32 has size 8, must be 4");
}

TEST_CASE("state_previous and on_upgrade go together") {
    editable no_upgrade(layered_d());
    no_upgrade.bp.on_upgrade = nullptr;
    CHECK(descriptor_problem(no_upgrade.d) == "state_previous is set but the blueprint hooks' on_upgrade is NULL; "
                                              "a checkpoint of the previous state could not be read");
    editable no_previous(layered_d());
    no_previous.d.state_previous = nullptr;
    CHECK(descriptor_problem(no_previous.d) ==
          "blueprint hooks: on_upgrade is set but state_previous is NULL; declare the state it upgrades from");
}

TEST_CASE("a source has both position hooks or neither") {
    editable e(factory::detail::source_descriptor<resumable>());
    e.src.on_seek = nullptr;
    CHECK(descriptor_problem(e.d) == "source hooks: on_position is set but on_seek is NULL; a resumable source "
                                     "sets both, another neither");
    editable f(factory::detail::source_descriptor<resumable>());
    f.src.on_position = nullptr;
    CHECK(descriptor_problem(f.d) == "source hooks: on_seek is set but on_position is NULL; a resumable source "
                                     "sets both, another neither");
    editable g(factory::detail::source_descriptor<resumable>());
    factory_pclass layout{};
    g.d.state_layout = &layout;
    CHECK(descriptor_problem(g.d) == "a source must leave state_size, state_align, pclass_count, pclasses, "
                                     "state_layout and state_previous zero");
}

// ABI v4: a source whose state lives in its own storage (FACTORY_SOURCE_KEEPS_STATE).
class keeper : public resumable {
public:
    static constexpr factory::info info{"keeper", "1.0.0", "keeps its workers' state"};
    static constexpr std::uint32_t traits = FACTORY_SOURCE_KEEPS_STATE;
    using resumable::resumable;
    void on_checkpoint_done(std::uint64_t, std::span<const std::byte>, factory::worker_walk&) {}
};

TEST_CASE("a source that keeps its state needs on_checkpoint_done, which needs the position hooks") {
    const factory_descriptor* d = factory::detail::source_descriptor<keeper>();
    CHECK(d->source->traits == FACTORY_SOURCE_KEEPS_STATE);
    CHECK(d->source->on_checkpoint_done != nullptr);
    CHECK(descriptor_problem(*d) == "");
    CHECK(factory::detail::source_descriptor<resumable>()->source->on_checkpoint_done == nullptr);
    editable e(d);
    e.src.on_checkpoint_done = nullptr;
    CHECK(descriptor_problem(e.d) == "source hooks: the trait FACTORY_SOURCE_KEEPS_STATE needs on_checkpoint_done "
                                     "(where the source saves its workers)");
    editable f(d);
    f.src.on_position = nullptr;
    f.src.on_seek = nullptr;
    CHECK(descriptor_problem(f.d) == "source hooks: on_checkpoint_done is set but on_position and on_seek are NULL; "
                                     "only a resumable source takes part in checkpoints");
    editable g(d);
    g.src.traits = 6;
    CHECK(descriptor_problem(g.d) == "source hooks: traits has bits this factory-host does not know (6)");
}

TEST_CASE("the state fingerprint changes with a field's offset, type, size or name, and with size or align") {
    const std::uint64_t base = state_fingerprint(*layered_d());
    CHECK(base == state_fingerprint(*layered_d())); // the same declaration, the same fingerprint
    editable offset(layered_d());
    offset.fields[2].offset = 13;
    CHECK(state_fingerprint(offset.d) != base);
    editable type(layered_d());
    type.fields[1].type = FACTORY_FIELD_I32;
    CHECK(state_fingerprint(type.d) != base);
    editable size(layered_d());
    size.fields[2].size = 3;
    CHECK(state_fingerprint(size.d) != base);
    editable name(layered_d());
    name.fields[0].name = "total";
    CHECK(state_fingerprint(name.d) != base);
    editable align(layered_d());
    align.d.state_align = 16;
    CHECK(state_fingerprint(align.d) != base);
    // The layout's own name is unused by the ABI, and not hashed.
    editable label(layered_d());
    label.layout.name = "anything";
    CHECK(state_fingerprint(label.d) == base);
}

TEST_CASE("without a layout the fingerprint covers size and align only") {
    const factory_descriptor* d = factory::detail::blueprint_descriptor<bare>();
    CHECK(d->state_layout == nullptr);
    editable other(d);
    other.d.pclass_count = 0; // anything but size and align is left out
    other.d.name = "renamed";
    CHECK(state_fingerprint(other.d) == state_fingerprint(*d));
    CHECK(state_fingerprint(*d) != state_fingerprint(*layered_d())); // same size and align, but a layout
    other.d.state_size = 24;
    CHECK(state_fingerprint(other.d) != state_fingerprint(*d));
}

TEST_CASE("the previous fingerprint is that of a build whose state is the previous one, 0 without") {
    CHECK(previous_state_fingerprint(*layered_d()) ==
          state_fingerprint(*factory::detail::blueprint_descriptor<older>()));
    CHECK(previous_state_fingerprint(*factory::detail::blueprint_descriptor<bare>()) == 0);
}

TEST_CASE("the fingerprint of a fixed layout is a fixed number") {
    // FNV-1a 64 over: size 4, align 4, "count\0", type u32 (3), offset 0, size 4, each u32 little-endian.
    factory_field f{"count", FACTORY_FIELD_U32, 0, 4, 0};
    factory_pclass layout{"state", 4, 1, &f};
    factory_descriptor d{};
    d.state_size = 4;
    d.state_align = 4;
    d.state_layout = &layout;
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto add = [&h](unsigned char b) { h = (h ^ b) * 0x100000001b3ULL; };
    for (std::uint32_t v : {4u, 4u}) for (int i = 0; i < 4; ++i) add(static_cast<unsigned char>(v >> (8 * i)));
    for (char c : std::string("count")) add(static_cast<unsigned char>(c));
    add(0);
    for (std::uint32_t v : {std::uint32_t{FACTORY_FIELD_U32}, 0u, 4u})
        for (int i = 0; i < 4; ++i) add(static_cast<unsigned char>(v >> (8 * i)));
    CHECK(state_fingerprint(d) == h);
}
