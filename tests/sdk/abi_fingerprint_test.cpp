// The ABI guard: abi.h and formats.h may not change without a FACTORY_ABI_VERSION bump.
//
// sdk/abi.lock holds one line "<abi version> <fingerprint>" per version. The fingerprint is FNV-1a 64
// of both headers with comments removed and every run of blanks made one space, so that comments and
// layout may change freely; the number in "#define FACTORY_ABI_VERSION" is left out, so that the
// fingerprint this test prints after a change is the one to record with the bumped version.
#include <factory/abi.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

namespace {

const std::string sdk_dir = std::string(FACTORY_TEST_SOURCE_DIR) + "/sdk";

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) FAIL("cannot read " << path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Comments out, blank runs to one space; string and character literals are kept as written.
std::string normalise(const std::string& text) {
    std::string out;
    bool pending_space = false;
    auto put = [&](char c) {
        if (pending_space && !out.empty()) out += ' ';
        pending_space = false;
        out += c;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            const auto end = text.find("*/", i + 2);
            i = end == std::string::npos ? text.size() : end + 1;
            pending_space = true;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
            pending_space = true;
        } else if (c == '"' || c == '\'') {
            put(c);
            for (++i; i < text.size() && text[i] != c; ++i) {
                out += text[i];
                if (text[i] == '\\' && i + 1 < text.size()) out += text[++i];
            }
            if (i < text.size()) out += c;
        } else if (blank(c)) {
            pending_space = true;
        } else {
            put(c);
        }
    }
    return out;
}

const std::regex version_define("#define FACTORY_ABI_VERSION ([0-9]+)u?");

std::uint64_t fnv1a64(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string fingerprint(const std::string& abi_h, const std::string& formats_h) {
    const std::string both = std::regex_replace(normalise(abi_h), version_define, "#define FACTORY_ABI_VERSION N") +
                             "\n" + normalise(formats_h);
    char hex[17];
    std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(fnv1a64(both)));
    return hex;
}

} // namespace

TEST_CASE("normalising ignores comments and layout, not content") {
    CHECK(normalise("int  a;/* x */\n\tint b; // y\n") == "int a; int b;");
    CHECK(normalise("const char* s = \"a  /* b */\";") == "const char* s = \"a  /* b */\";");
    CHECK(fingerprint("struct s { int a; };", "") == fingerprint("struct s {\n    int a; /* the a */\n};\n", ""));
    CHECK(fingerprint("struct s { int a; };", "") != fingerprint("struct s { long a; };", ""));
    CHECK(fingerprint("enum { X = 1 };", "") != fingerprint("enum { X = 2 };", ""));
    CHECK(fingerprint("#define FACTORY_ABI_VERSION 1u\nint a;", "") == fingerprint("#define FACTORY_ABI_VERSION 2u\nint a;", ""));
}

TEST_CASE("abi_fingerprint: abi.h and formats.h match the fingerprint recorded for their ABI version") {
    const std::string abi_h = read_file(sdk_dir + "/include/factory/abi.h");
    const std::string formats_h = read_file(sdk_dir + "/include/factory/formats.h");

    std::smatch m;
    REQUIRE(std::regex_search(abi_h, m, version_define));
    const unsigned version = static_cast<unsigned>(std::stoul(m[1].str()));
    CHECK(version == FACTORY_ABI_VERSION);

    std::map<unsigned, std::string> recorded;
    std::istringstream lock(read_file(sdk_dir + "/abi.lock"));
    for (std::string line; std::getline(lock, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        unsigned v = 0;
        std::string hash;
        if (!(fields >> v >> hash)) FAIL("sdk/abi.lock: cannot read '" << line << "'; write '<abi version> <fingerprint>'");
        if (!recorded.emplace(v, hash).second) FAIL("sdk/abi.lock records version " << v << " twice; keep one line per version");
    }

    const std::string now = fingerprint(abi_h, formats_h);
    const auto it = recorded.find(version);
    if (it == recorded.end())
        FAIL("abi.h is at FACTORY_ABI_VERSION " << version << ", which sdk/abi.lock does not record: add '" << version << " "
                                                << now << "' to sdk/abi.lock");
    if (it->second != now)
        FAIL("abi.h changed: bump FACTORY_ABI_VERSION and add '" << version + 1 << " " << now << "' to sdk/abi.lock");
    CHECK(recorded.rbegin()->first == version); // a version never goes back
}
