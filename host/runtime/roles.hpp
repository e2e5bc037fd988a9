// The processes of a run and how a child learns who it is. The host starts each child afresh
// (posix_spawn of its own executable: no thread, logger or Asio state crosses a fork), with its
// role in the environment and its title as argv[0], which is what `ps` shows
// ("factory: workshop 2"), the way nginx and PostgreSQL name their processes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace factory::runtime {

enum class role { purchasing, workshop, transportation };

struct child_identity {
    role what;
    std::uint32_t index = 0; // workshops: 0-based
    std::string segment;     // the run's shared segment name
    int host_pid = 0;
};

inline constexpr const char* role_env = "FACTORY_ROLE";
inline constexpr const char* segment_env = "FACTORY_SEGMENT";

// "workshop 2" (1-based for people), "purchasing", "transportation".
std::string role_name(role r, std::uint32_t index);
// The identity from the environment, if this process is a child of a run.
std::optional<child_identity> identity_from_env();

} // namespace factory::runtime
