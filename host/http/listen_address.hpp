// Where the ops HTTP server listens (--http ADDR:PORT), and the rule that keeps it private: a
// loopback address unless the user opts in to another (--http-public). The endpoint shows every
// figure of the run and has no authentication, so exposing it must be a decision, not a typo.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace factory::http {

struct listen_address {
    std::string address; // numeric, as given ("127.0.0.1", "::1"); "localhost" becomes 127.0.0.1
    std::uint16_t port = 0; // 0: a free port chosen by the system (logged at start)
    bool loopback = true;

    // "ADDR:PORT", "[V6ADDR]:PORT" or "localhost:PORT". Throws std::invalid_argument naming
    // `option` and saying what it wants; refuses a non-loopback address unless `allow_public`.
    static listen_address parse(std::string_view text, bool allow_public, const std::string& option = "--http");
    // "127.0.0.1:9100", "[::1]:9100"
    std::string to_string() const;
};

} // namespace factory::http
