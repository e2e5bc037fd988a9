// Reads the one field sessionize needs (the page) out of a click event's JSON text with
// simdjson's On-Demand parser. simdjson reads up to 64 bytes past the end of its input, and a
// material's bytes are followed by whatever the production line holds next, so the text is first
// copied into the reader's own padded buffer: one memcpy, no allocation once the buffer has the
// size of the largest material seen.
//
// Only what the field needs is checked (On-Demand): the jsonl source has already refused every
// line that is not one JSON object, so this does not check the rest of the text again.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace factory::sessionize {

struct click_parser; // simdjson's parser and the padded buffer (click_reader.cpp)
struct click_parser_deleter {
    void operator()(click_parser* p) const noexcept;
};

class click_reader {
public:
    // `page_field`: the top-level member that names the page, matched as written in the JSON
    // (no unescaping of the key). Allocates room for texts of `max_text` bytes.
    click_reader(std::string page_field, std::size_t max_text);

    // The page of `json`: true and `page` (its unescaped bytes, valid until the next read()), or
    // false and a static reason ("invalid JSON", "missing", "not a string",
    // "no memory to parse it"). Not thread-safe: the reader keeps the parser's state.
    bool read(std::string_view json, std::string_view& page, const char*& why) noexcept;

    const std::string& page_field() const noexcept { return page_field_; }

private:
    std::string page_field_;
    std::unique_ptr<click_parser, click_parser_deleter> parser_;
};

} // namespace factory::sessionize
