// blueprint::refuse(): a hook refuses a material with a status and a reason written into the
// host's factory_error, through the C hooks the host calls; no exception involved.
#include <factory/blueprint.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

namespace {

struct count_state { std::uint64_t n; };

class picky : public factory::blueprint<count_state> {
public:
    static constexpr factory::info info{"picky", "1.0.0", "refuses odd pids at hire, sizes over 4 always"};
    picky(const factory::settings&, factory::host h) : blueprint(h) {}

    factory::verdict on_hire(worker& w, const factory::material&) {
        if (w.pid() % 2 == 1) return refuse("pid %llu is odd", static_cast<unsigned long long>(w.pid()));
        return factory::verdict::keep;
    }
    factory::verdict on_material(worker& w, const factory::material& m) {
        if (m.size() > 4) return refuse("material %llu: %u bytes, at most 4", static_cast<unsigned long long>(m.seq()),
                                        unsigned{m.size()});
        if (m.size() == 0) return refuse("%s", std::string(400, 'x').c_str());
        return ++w.state().n == 3 ? factory::verdict::done : factory::verdict::keep;
    }
};

struct call {
    const factory_blueprint_hooks* hooks = factory::detail::blueprint_descriptor<picky>()->blueprint;
    void* instance = nullptr;
    count_state state{};
    factory_worker worker{};
    alignas(8) unsigned char material[sizeof(factory_material) + 8]{};
    factory_error err{};

    call() {
        factory_host host{};
        host.struct_size = sizeof host;
        REQUIRE(hooks->on_open(&host, nullptr, &instance, &err) == FACTORY_OK);
        worker.state = &state;
    }
    ~call() { hooks->on_close(instance); }

    const factory_material* with(std::uint64_t pid, std::uint32_t size) {
        auto* m = reinterpret_cast<factory_material*>(material);
        m->pid = worker.pid = pid;
        m->seq = 7;
        m->size = size;
        std::memset(err.message, 0, sizeof err.message);
        return m;
    }
};

} // namespace

TEST_CASE("on_hire refuses with its reason, and a kept hire answers OK") {
    call c;
    CHECK(c.hooks->on_hire(c.instance, &c.worker, c.with(3, 1), &c.err) == FACTORY_ERROR);
    CHECK(std::string(c.err.message) == "pid 3 is odd");
    CHECK(c.hooks->on_hire(c.instance, &c.worker, c.with(4, 1), &c.err) == FACTORY_OK);
    CHECK(std::string(c.err.message).empty());
}

TEST_CASE("on_material answers OK, DONE or ERROR with the reason refuse() wrote") {
    call c;
    REQUIRE(c.hooks->on_hire(c.instance, &c.worker, c.with(2, 1), &c.err) == FACTORY_OK);
    CHECK(c.hooks->on_material(c.instance, &c.worker, c.with(2, 9), &c.err) == FACTORY_ERROR);
    CHECK(std::string(c.err.message) == "material 7: 9 bytes, at most 4");
    CHECK(c.hooks->on_material(c.instance, &c.worker, c.with(2, 1), &c.err) == FACTORY_OK);
    CHECK(c.hooks->on_material(c.instance, &c.worker, c.with(2, 1), &c.err) == FACTORY_OK);
    CHECK(c.hooks->on_material(c.instance, &c.worker, c.with(2, 1), &c.err) == FACTORY_DONE);
    CHECK(c.state.n == 3);
}

TEST_CASE("a reason longer than the ABI's buffer is cut to 255 bytes and terminated") {
    call c;
    CHECK(c.hooks->on_material(c.instance, &c.worker, c.with(2, 0), &c.err) == FACTORY_ERROR);
    CHECK(std::strlen(c.err.message) == sizeof(c.err.message) - 1);
    CHECK(std::string(c.err.message) == std::string(255, 'x'));
}

TEST_CASE("verdicts compare by what they answer") {
    CHECK(factory::verdict::keep.code() == FACTORY_OK);
    CHECK(factory::verdict::done.code() == FACTORY_DONE);
    CHECK(factory::verdict::refused.code() == FACTORY_ERROR);
    CHECK(factory::verdict::keep != factory::verdict::done);
}
