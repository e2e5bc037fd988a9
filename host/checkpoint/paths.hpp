// Where a checkpoint's files live in the --checkpoint folder, for every process that writes or
// reads them: DIR/epoch-000000000007/{purchasing,workshop-1,...,transport}.snap and MANIFEST.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace factory {

inline std::string epoch_folder_name(std::uint64_t epoch) {
    char name[32];
    std::snprintf(name, sizeof name, "epoch-%012llu", static_cast<unsigned long long>(epoch));
    return name;
}
inline std::filesystem::path epoch_dir(const std::string& checkpoint_dir, std::uint64_t epoch) {
    return std::filesystem::path(checkpoint_dir) / epoch_folder_name(epoch);
}

inline std::string purchasing_snapshot_name() { return "purchasing.snap"; }
inline std::string workshop_snapshot_name(std::uint32_t index) {
    return "workshop-" + std::to_string(index + 1) + ".snap";
}
inline std::string transport_snapshot_name() { return "transport.snap"; }

} // namespace factory
