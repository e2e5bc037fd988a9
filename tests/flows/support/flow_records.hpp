// Reading factory's flow records back (the jsonl exporter's flows_ipv4.jsonl / flows_ipv6.jsonl)
// as the capture maker's expected_flow, so that a test compares them with its own calculation
// field by field; and running factory-host on a capture with the flowmeter.
#pragma once

#include "capture/expected.hpp"
#include "support/host_run.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace factory::testing {

inline capture::address parse_address(const std::string& text, int version) {
    capture::address a{};
    if (inet_pton(version == 4 ? AF_INET : AF_INET6, text.c_str(), a.data()) != 1)
        throw std::runtime_error("not an IPv" + std::to_string(version) + " address: " + text);
    return a;
}

inline std::string address_text(const capture::address& a, int version) {
    char buf[64];
    inet_ntop(version == 4 ? AF_INET : AF_INET6, a.data(), buf, sizeof buf);
    return buf;
}

inline std::string describe(const capture::expected_flow& f) {
    std::ostringstream o;
    o << "proto " << int(f.key.protocol) << " " << address_text(f.key.src, f.key.ip_version) << ":"
      << f.key.src_port << " > " << address_text(f.key.dst, f.key.ip_version) << ":" << f.key.dst_port
      << " packets " << f.packets << " bytes " << f.bytes << " first " << f.first_ns << " last " << f.last_ns
      << " flags " << int(f.tcp_flags) << " end " << f.end_reason << " vlan " << f.vlan;
    return o.str();
}

// Every record in `dir`'s flows_ipv4.jsonl and flows_ipv6.jsonl, sorted like expected_run::flows.
inline std::vector<capture::expected_flow> read_flows(const std::filesystem::path& dir) {
    std::vector<capture::expected_flow> out;
    for (int version : {4, 6}) {
        const auto file = dir / (version == 4 ? "flows_ipv4.jsonl" : "flows_ipv6.jsonl");
        if (!std::filesystem::exists(file)) continue;
        for (const auto& j : read_jsonl(file)) {
            capture::expected_flow f;
            f.key.ip_version = static_cast<std::uint8_t>(version);
            f.key.protocol = j.at("protocol").get<std::uint8_t>();
            f.key.src = parse_address(j.at("src_addr").get<std::string>(), version);
            f.key.dst = parse_address(j.at("dst_addr").get<std::string>(), version);
            f.key.src_port = j.at("src_port").get<std::uint16_t>();
            f.key.dst_port = j.at("dst_port").get<std::uint16_t>();
            f.packets = j.at("packets").get<std::uint64_t>();
            f.bytes = j.at("bytes").get<std::uint64_t>();
            f.first_ns = j.at("first_seen").get<std::int64_t>();
            f.last_ns = j.at("last_seen").get<std::int64_t>();
            f.tcp_flags = j.at("tcp_flags").get<std::uint8_t>();
            f.end_reason = j.at("end_reason").get<int>();
            f.vlan = j.at("vlan").get<std::uint16_t>();
            out.push_back(f);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// factory-host with the pcap source, the flowmeter and the jsonl exporter into `dir`/out, on the
// material clock; `extra` adds or overrides options (later options win).
inline host_result meter(const std::filesystem::path& dir, const std::string& capture_file,
                         const std::string& source_settings, const std::string& flowmeter_settings,
                         std::vector<std::string> extra) {
    std::vector<std::string> args = {"--source", "pcap:file=" + capture_file + source_settings,
                                     "--blueprint", "flowmeter" + flowmeter_settings,
                                     "--exporter", "jsonl:dir=out,mode=replace",
                                     "--clock", "material", "--inspect", "0", "--dead-letter", "dead", "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_host(args, {.timeout = std::chrono::seconds(120), .cwd = dir});
}

} // namespace factory::testing
