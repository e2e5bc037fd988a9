#include "click_reader.hpp"

#include <factory/settings.hpp>

#include <simdjson.h>

#include <cstring>
#include <vector>

namespace factory::sessionize {

namespace od = simdjson::ondemand;

struct click_parser {
    od::parser parser;
    std::vector<char> padded; // text + SIMDJSON_PADDING
};

void click_parser_deleter::operator()(click_parser* p) const noexcept { delete p; }

namespace {

bool grow(click_parser& p, std::size_t size) noexcept {
    // Growing allocates; it happens only for a text longer than any before it.
    try {
        if (p.padded.size() < size + simdjson::SIMDJSON_PADDING) p.padded.resize(size + simdjson::SIMDJSON_PADDING);
    } catch (...) {
        return false;
    }
    return p.parser.capacity() >= size || p.parser.allocate(size) == simdjson::SUCCESS;
}

} // namespace

click_reader::click_reader(std::string page_field, std::size_t max_text)
    : page_field_(std::move(page_field)), parser_(new click_parser) {
    if (!grow(*parser_, max_text))
        throw factory::error("blueprint sessionize: cannot allocate the JSON parser for " +
                             std::to_string(max_text) + "-byte materials");
}

bool click_reader::read(std::string_view json, std::string_view& page, const char*& why) noexcept {
    click_parser& p = *parser_;
    if ((p.padded.size() < json.size() + simdjson::SIMDJSON_PADDING || p.parser.capacity() < json.size()) &&
        !grow(p, json.size())) {
        why = "no memory to parse it";
        return false;
    }
    std::memcpy(p.padded.data(), json.data(), json.size());
    od::document doc;
    od::object obj;
    if (p.parser.iterate(p.padded.data(), json.size(), p.padded.size()).get(doc) || doc.get_object().get(obj)) {
        why = "invalid JSON";
        return false;
    }
    od::value v;
    const auto err = obj.find_field_unordered(page_field_).get(v);
    if (err == simdjson::NO_SUCH_FIELD) {
        why = "missing";
        return false;
    }
    if (err) {
        why = "invalid JSON";
        return false;
    }
    od::json_type type;
    if (v.type().get(type) || type != od::json_type::string) {
        why = "not a string";
        return false;
    }
    if (v.get_string().get(page)) {
        why = "invalid JSON";
        return false;
    }
    return true;
}

} // namespace factory::sessionize
