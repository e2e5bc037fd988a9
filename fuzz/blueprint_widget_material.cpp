// Fuzz target for the widget's material reader (plugins/blueprint_widget/material_reader.*): a
// material of any payload bytes, whose format (JSON, FLOW4 or another) is chosen by the input's
// first byte, laid out as the host lays it out in a production line (header, then payload).
//
// The reader either reads an observation or says false with a reason in why() (the widget then
// refuses that one material); anything else (a crash, an exception, a read past the payload) is a
// bug. Also: JSON is counted only when it is one valid object, and a FLOW4 payload of
// full size is always read, its bytes and protocol as they are.
#include "fuzz_check.hpp"

#include "blueprint_widget/material_reader.hpp"

#include <factory/formats.h>
#include <factory/util/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

using factory::widget::material_reader;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static material_reader reader("bytes", "protocol");
    if (size < 1) return 0;
    const std::uint16_t formats[] = {FACTORY_FORMAT_JSON, FACTORY_FORMAT_FLOW4, FACTORY_FORMAT_BYTES,
                                     FACTORY_FORMAT_PACKET};
    const std::uint16_t format = formats[data[0] & 3];
    const std::size_t payload = size - 1;

    // Exactly the header and the payload, so that ASan sees any read past the payload's end.
    auto room = std::make_unique<unsigned char[]>(sizeof(factory_material) + payload);
    factory_material head{};
    head.pid = 7;
    head.seq = 1;
    head.size = static_cast<std::uint32_t>(payload);
    head.format = format;
    std::memcpy(room.get(), &head, sizeof head);
    std::memcpy(room.get() + sizeof head, data + 1, payload);
    const factory::material m(reinterpret_cast<const factory_material*>(room.get()));

    factory::widget::observation o;
    if (reader.read(m, o)) {
        FUZZ_CHECK(format == FACTORY_FORMAT_JSON || format == FACTORY_FORMAT_FLOW4, "read a format it does not know");
        if (format == FACTORY_FORMAT_JSON)
            FUZZ_CHECK(factory::json::validate_object(m.text()).ok(), "counted JSON that is not one object");
        if (format == FACTORY_FORMAT_FLOW4) {
            factory_flow4 f;
            std::memcpy(&f, data + 1, sizeof f);
            FUZZ_CHECK(o.bytes == f.bytes && o.protocol == f.protocol, "a FLOW4 read differently");
        }
    } else {
        FUZZ_CHECK(std::strlen(reader.why()) > 0, "a refusal without a message");
        FUZZ_CHECK(format != FACTORY_FORMAT_FLOW4 || payload < sizeof(factory_flow4), "refused a whole FLOW4");
    }
    return 0;
}
