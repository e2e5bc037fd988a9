// Must not compile: a source with on_position but no on_seek could not be resumed.
#include <factory/source.hpp>

class half : public factory::source {
public:
    static constexpr factory::info info{"half", "1.0.0", "position without seek"};
    half(const factory::settings&, factory::host h) : source(h) {}
    factory::fill_result on_fill(factory::filler&) { return factory::fill_result::end; }
    std::size_t on_position(std::span<std::byte>) { return 0; }
};

FACTORY_SOURCE(half)
