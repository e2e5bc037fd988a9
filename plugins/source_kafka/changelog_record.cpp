#include "changelog_record.hpp"

#include <factory/plugin.hpp>

#include <charconv>
#include <cstring>

namespace factory::kafka {
namespace {

constexpr char magic[3] = {'F', 'W', 1};
constexpr std::size_t fixed = sizeof magic + 8 + 8 + 4 + 4 + 2;
constexpr std::string_view metadata_prefix = "changelog=";

template <class T>
void put(std::string& out, T v) {
    char b[sizeof v];
    for (std::size_t i = 0; i < sizeof v; ++i) b[i] = static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
    out.append(b, sizeof v);
}

template <class T>
T get(std::string_view in, std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
    return static_cast<T>(v);
}

} // namespace

std::string changelog_key(std::uint64_t pid) { return std::to_string(pid); }

std::uint64_t changelog_pid(std::string_view key) {
    std::uint64_t pid = 0;
    const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), pid);
    if (key.empty() || ec != std::errc() || end != key.data() + key.size())
        throw factory::error("changelog record key '" + std::string(key.substr(0, 40)) +
                             "' is not a pid: the changelog topic holds records factory did not write");
    return pid;
}

std::string encode_changelog_value(const changelog_worker& w) {
    std::string out;
    out.reserve(fixed + w.topic.size() + w.state.size());
    out.append(magic, sizeof magic);
    put(out, w.hired_ns);
    put(out, w.last_seen_ns);
    put(out, w.materials);
    put(out, static_cast<std::uint32_t>(w.state.size()));
    put(out, static_cast<std::uint16_t>(w.topic.size()));
    out += w.topic;
    out += w.state;
    return out;
}

changelog_worker decode_changelog_value(std::string_view in) {
    if (in.size() < sizeof magic || std::memcmp(in.data(), magic, sizeof magic) != 0)
        throw factory::error("changelog record value is not a worker written by the kafka source (version 1)");
    if (in.size() < fixed) throw factory::error("changelog record value is cut short (" + std::to_string(in.size()) + " bytes)");
    changelog_worker w;
    std::size_t at = sizeof magic;
    w.hired_ns = get<std::int64_t>(in, at);
    w.last_seen_ns = get<std::int64_t>(in, at + 8);
    w.materials = get<std::uint32_t>(in, at + 16);
    const auto state_size = get<std::uint32_t>(in, at + 20);
    const auto topic_size = get<std::uint16_t>(in, at + 24);
    at = fixed;
    if (in.size() != at + topic_size + state_size)
        throw factory::error("changelog record value has " + std::to_string(in.size()) + " bytes, its header says " +
                             std::to_string(at + topic_size + state_size));
    w.topic = std::string(in.substr(at, topic_size));
    w.state = std::string(in.substr(at + topic_size, state_size));
    return w;
}

std::string commit_metadata(changelog_range r) {
    return std::string(metadata_prefix) + std::to_string(r.start) + "-" + std::to_string(r.end);
}

changelog_range changelog_range_of(std::string_view metadata) noexcept {
    changelog_range none;
    if (metadata.substr(0, metadata_prefix.size()) != metadata_prefix) return none;
    metadata.remove_prefix(metadata_prefix.size());
    const auto number = [](std::string_view text, std::int64_t& v) {
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        return !text.empty() && ec == std::errc() && end == text.data() + text.size() && v >= 0;
    };
    changelog_range r;
    const auto dash = metadata.find('-');
    if (dash == std::string_view::npos) {
        if (!number(metadata, r.end)) return none;
        return r;
    }
    if (!number(metadata.substr(0, dash), r.start) || !number(metadata.substr(dash + 1), r.end) || r.start > r.end)
        return none;
    return r;
}

void changelog_state::apply(std::string_view key, const std::optional<std::string_view>& value) {
    const std::uint64_t pid = changelog_pid(key);
    if (!value) {
        workers_.erase(pid);
        return;
    }
    workers_.insert_or_assign(pid, decode_changelog_value(*value));
}

} // namespace factory::kafka
