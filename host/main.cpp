// factory-host: the CEO of the factory, and, started by itself, every child process of a run.
#include "checkpoint/list_command.hpp"
#include "cli/command_line.hpp"
#include "plugins/plugins_command.hpp"
#include "plugins/search_path.hpp"
#include "runtime/ceo.hpp"
#include "runtime/child.hpp"
#include "runtime/roles.hpp"

#include <iostream>

int main(int argc, char** argv) {
    using namespace factory;
    if (auto id = runtime::identity_from_env()) return runtime::child_main(*id);

    auto inv = cli::parse(argc, argv, std::cout, std::cerr);
    switch (inv.what) {
    case cli::invocation::command::exit: return inv.exit_code;
    case cli::invocation::command::plugins:
        return plugins::plugins_command(plugins::standard_search_path(inv.plugin_dirs), inv.plugin_name,
                                        std::cout, std::cerr);
    case cli::invocation::command::checkpoints:
        return checkpoint::list_command(inv.checkpoint_dir, inv.json, std::cout, std::cerr);
    case cli::invocation::command::run: return runtime::ceo(inv.run);
    }
    return 2;
}
