#include "http/listen_address.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>
#include <stdexcept>

namespace factory::http {

listen_address listen_address::parse(std::string_view text, bool allow_public, const std::string& option) {
    const auto bad = [&](const std::string& why) {
        return std::invalid_argument(option + " wants ADDR:PORT such as 127.0.0.1:9100 or [::1]:9100, got '" +
                                     std::string(text) + "': " + why);
    };
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) throw bad("no port");
    std::string_view host = text.substr(0, colon), port_text = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535)
        throw bad("the port is not a number from 0 to 65535");
    listen_address a;
    a.address = host == "localhost" ? "127.0.0.1" : std::string(host);
    a.port = static_cast<std::uint16_t>(port);
    boost::system::error_code parse_error;
    const auto ip = boost::asio::ip::make_address(a.address, parse_error);
    if (parse_error) throw bad("not a numeric IP address");
    a.loopback = ip.is_loopback();
    if (!a.loopback && !allow_public)
        throw std::invalid_argument(option + " " + std::string(text) +
                                    " is not a loopback address: the ops endpoint shows every figure of the run to "
                                    "anyone who can reach it, without authentication; add --http-public to serve "
                                    "on it anyway, or use 127.0.0.1");
    return a;
}

std::string listen_address::to_string() const {
    const bool v6 = address.find(':') != std::string::npos;
    return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

} // namespace factory::http
