// source_instance's checkpoint calls: position() and seek() through the SDK's trampolines, with the
// plugin's own message when it refuses.
#include "purchasing/source_instance.hpp"

#include "support/fake_fill.hpp"
#include "support/fake_host.hpp"
#include "support/settings.hpp"

#include <factory/source.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

using factory::purchasing::source_instance;

namespace {

// Counts from 0; its position is the next number. stdin=true: it cannot be resumed.
class counter : public factory::source {
public:
    static constexpr factory::info info{"counter", "1.0.0", "0, 1, 2, ..."};
    static inline const factory::setting settings[] = {{"stdin", FACTORY_SETTING_BOOL, "false", "refuse positions"}};
    counter(const factory::settings& s, factory::host h) : source(h), stdin_(s.boolean("stdin")) {}
    factory::fill_result on_fill(factory::filler& f) {
        while (f.room() > 0) {
            auto* v = f.add<std::uint64_t>(next_, 0, FACTORY_FORMAT_BYTES);
            if (v == nullptr) break;
            *v = next_++;
        }
        return factory::fill_result::more;
    }
    std::size_t on_position(std::span<std::byte> out) {
        if (stdin_) throw factory::error("counter reads stdin, which cannot be read again");
        factory::position_writer w(out);
        w.put(next_);
        return w.size();
    }
    void on_seek(std::span<const std::byte> pos) {
        factory::position_reader r(pos);
        next_ = r.get<std::uint64_t>();
        r.finish();
    }
    std::uint64_t next_ = 0;

private:
    bool stdin_;
};

class plain : public factory::source {
public:
    static constexpr factory::info info{"plain", "1.0.0", "nothing"};
    plain(const factory::settings&, factory::host h) : source(h) {}
    factory::fill_result on_fill(factory::filler&) { return factory::fill_result::end; }
};

template <class T>
std::unique_ptr<source_instance> open(factory::testing::fake_host& host,
                                      const factory::testing::fake_settings::overrides& s = {}) {
    const factory_descriptor* d = factory::detail::source_descriptor<T>();
    factory::testing::fake_settings settings(d, s);
    void* handle = nullptr;
    factory_error err{};
    if (d->source->on_open(host.raw(), settings.raw(), &handle, &err) != FACTORY_OK)
        throw std::runtime_error(err.message);
    return std::make_unique<source_instance>(d->name, d->source, handle);
}

} // namespace

TEST_CASE("a source with position hooks gives its position and seeks to it", "[source_instance]") {
    factory::testing::fake_host host;
    auto a = open<counter>(host);
    CHECK(a->can_checkpoint());
    factory::testing::fake_fill room(64);
    factory_error err{};
    REQUIRE(a->fill(room.room(5), &err) == FACTORY_OK);
    const std::string pos = a->position();
    CHECK(pos.size() == 8);

    auto b = open<counter>(host);
    b->seek(pos);
    factory::testing::fake_fill more(64);
    REQUIRE(b->fill(more.room(1), &err) == FACTORY_OK);
    REQUIRE(more.materials.size() == 1);
    CHECK(more.materials[0].pid == 5);
}

TEST_CASE("a source's refusals reach the host as its own message", "[source_instance]") {
    factory::testing::fake_host host;
    auto s = open<counter>(host, {{"stdin", "true"}});
    CHECK(s->can_checkpoint());
    CHECK_THROWS_WITH(s->position(), "source counter: counter reads stdin, which cannot be read again");
    CHECK_THROWS_WITH(s->seek(std::string(3, 'x')),
                      "source counter: cannot resume from the checkpoint's position: source position is too short "
                      "(3 bytes): it was not written by this source");
    CHECK_THROWS_WITH(s->seek(std::string(9, 'x')),
                      "source counter: cannot resume from the checkpoint's position: source position has 1 bytes "
                      "more than this source writes: it was not written by this source");
}

TEST_CASE("a source without position hooks cannot checkpoint", "[source_instance]") {
    factory::testing::fake_host host;
    auto s = open<plain>(host);
    CHECK_FALSE(s->can_checkpoint());
    CHECK_THROWS_WITH(s->position(), Catch::StartsWith("source plain cannot resume after a crash"));
}
