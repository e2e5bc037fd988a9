// Entry points of libsource_kafka.so; the source itself is in kafka_source.cpp.
//
// The descriptor is built here rather than by FACTORY_SOURCE because the C++ SDK on this branch
// does not yet wire a source's on_position/on_seek (ABI v3 hooks): these two trampolines do, with
// the signatures the SDK's own are to have. Once <factory/source.hpp> wires them, this file is
// FACTORY_SOURCE(factory::kafka::kafka_source) alone.
#include "kafka_source.hpp"

namespace {

using factory::kafka::kafka_source;

int position(void* self, void* buf, std::uint32_t room, std::uint32_t* size, factory_error* err) noexcept {
    try {
        *size = static_cast<std::uint32_t>(
            static_cast<kafka_source*>(self)->on_position(std::span<std::byte>(static_cast<std::byte*>(buf), room)));
        return FACTORY_OK;
    } catch (const std::exception& e) { return factory::detail::fail(err, e); } catch (...) {
        return factory::detail::fail_unknown(err);
    }
}

int seek(void* self, const void* pos, std::uint32_t size, factory_error* err) noexcept {
    try {
        static_cast<kafka_source*>(self)->on_seek(std::span<const std::byte>(static_cast<const std::byte*>(pos), size));
        return FACTORY_OK;
    } catch (const std::exception& e) { return factory::detail::fail(err, e); } catch (...) {
        return factory::detail::fail_unknown(err);
    }
}

template <class T>
const factory_descriptor* kafka_source_descriptor() noexcept {
    return factory::detail::build_descriptor<T, factory_source_hooks>(FACTORY_KIND_SOURCE, [](auto& s) {
        using tr = factory::detail::source_trampolines<T>;
        s.hooks.on_open = &tr::open;
        s.hooks.on_fill = &tr::fill;
        s.hooks.on_close = &tr::close;
        s.hooks.on_position = &position;
        s.hooks.on_seek = &seek;
        s.descriptor.source = &s.hooks;
    });
}

} // namespace

FACTORY_DEFINE_ENTRY_POINTS(kafka_source_descriptor, factory::kafka::kafka_source)
