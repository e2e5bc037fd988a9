// The tests' own IPFIX (RFC 7011) reader, written from the RFC and independent of the exporter's
// code: splits a message into its header, templates and data records, each record as the raw
// bytes of every field keyed by element (enterprise << 16 | id). Throws std::runtime_error on
// anything malformed, so that a test fails on a bad message.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace factory::testing::ipfix {

using bytes = std::vector<unsigned char>;

inline std::uint64_t be(const unsigned char* p, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v << 8 | p[i];
    return v;
}
inline std::uint64_t be(const bytes& b) { return be(b.data(), b.size()); }

struct field_spec {
    std::uint32_t key;    // enterprise << 16 | element id
    std::uint16_t length; // 0xffff: variable
};

struct template_record {
    std::uint16_t id;
    std::vector<field_spec> fields;
};

struct data_record {
    std::uint16_t template_id;
    std::map<std::uint32_t, bytes> values; // by key
    bool has(std::uint32_t key) const { return values.count(key) != 0; }
    std::uint64_t number(std::uint32_t key) const { return be(values.at(key)); }
};

struct message {
    std::uint16_t version = 0;
    std::uint16_t length = 0;
    std::uint32_t export_time = 0;
    std::uint32_t sequence = 0;
    std::uint32_t domain = 0;
    std::vector<template_record> templates;
    std::vector<data_record> records;
    std::size_t data_sets = 0;
};

// Templates learnt so far, by id (a collector's memory across messages).
using template_store = std::map<std::uint16_t, template_record>;

inline message parse(const unsigned char* p, std::size_t size, template_store& known) {
    auto fail = [](const std::string& why) { return std::runtime_error("bad IPFIX message: " + why); };
    if (size < 16) throw fail("shorter than its header");
    message m;
    m.version = static_cast<std::uint16_t>(be(p, 2));
    m.length = static_cast<std::uint16_t>(be(p + 2, 2));
    m.export_time = static_cast<std::uint32_t>(be(p + 4, 4));
    m.sequence = static_cast<std::uint32_t>(be(p + 8, 4));
    m.domain = static_cast<std::uint32_t>(be(p + 12, 4));
    if (m.version != 10) throw fail("version " + std::to_string(m.version));
    if (m.length != size) throw fail("length field " + std::to_string(m.length) + " != " + std::to_string(size));
    std::size_t at = 16;
    while (at < size) {
        if (size - at < 4) throw fail("truncated set header");
        std::uint16_t set_id = static_cast<std::uint16_t>(be(p + at, 2));
        std::uint16_t set_len = static_cast<std::uint16_t>(be(p + at + 2, 2));
        if (set_len < 4 || set_len > size - at) throw fail("set length " + std::to_string(set_len));
        const unsigned char* s = p + at + 4;
        const unsigned char* end = p + at + set_len;
        if (set_id == 2) {
            while (end - s >= 4) {
                template_record t;
                t.id = static_cast<std::uint16_t>(be(s, 2));
                std::uint16_t count = static_cast<std::uint16_t>(be(s + 2, 2));
                s += 4;
                for (std::uint16_t i = 0; i < count; ++i) {
                    if (end - s < 4) throw fail("truncated field specifier");
                    std::uint16_t id = static_cast<std::uint16_t>(be(s, 2));
                    std::uint16_t len = static_cast<std::uint16_t>(be(s + 2, 2));
                    s += 4;
                    std::uint32_t pen = 0;
                    if (id & 0x8000) {
                        if (end - s < 4) throw fail("truncated enterprise number");
                        pen = static_cast<std::uint32_t>(be(s, 4));
                        s += 4;
                        id &= 0x7fff;
                    }
                    if (pen > 0xffff) throw fail("enterprise number too large for this reader's keys");
                    t.fields.push_back({pen << 16 | id, len});
                }
                if (t.id < 256) throw fail("template id " + std::to_string(t.id));
                known[t.id] = t;
                m.templates.push_back(t);
            }
        } else if (set_id >= 256) {
            auto found = known.find(set_id);
            if (found == known.end()) throw fail("data set for unknown template " + std::to_string(set_id));
            ++m.data_sets;
            const template_record& t = found->second;
            while (s < end) {
                data_record r;
                r.template_id = set_id;
                for (const field_spec& f : t.fields) {
                    std::size_t len = f.length;
                    if (len == 0xffff) {
                        if (end - s < 1) throw fail("truncated variable length");
                        len = *s++;
                        if (len == 255) {
                            if (end - s < 2) throw fail("truncated long variable length");
                            len = be(s, 2);
                            s += 2;
                        }
                    }
                    if (static_cast<std::size_t>(end - s) < len) throw fail("truncated record");
                    r.values[f.key] = bytes(s, s + len);
                    s += len;
                }
                m.records.push_back(std::move(r));
            }
        } else {
            throw fail("set id " + std::to_string(set_id));
        }
        at += set_len;
    }
    return m;
}

inline message parse(const bytes& b, template_store& known) { return parse(b.data(), b.size(), known); }

} // namespace factory::testing::ipfix
