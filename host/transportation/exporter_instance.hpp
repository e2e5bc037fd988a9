// An exporter plugin as the transportation process holds it (plugins/instance.hpp: loaded in this
// process, opened with its checked settings and the blueprint's product classes, closed exactly
// once), its hooks run under a hook_watch.
#pragma once

#include "common/host_services.hpp"
#include "common/run_config.hpp"
#include "plugins/instance.hpp"
#include "shm/stats.hpp"
#include "transportation/hook_watch.hpp"

#include <factory/abi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

namespace factory::transportation {

// How a run with --checkpoint opens its exporters (factory_export_info's flags and resume_epoch):
// `flags` of enum factory_export_flag; `resume_epoch` with FACTORY_EXPORT_RESUME only.
struct export_checkpoints {
    std::uint32_t flags = 0;
    std::uint64_t resume_epoch = 0;
};

class exporter_instance {
public:
    // Loads and opens the exporter; throws std::runtime_error with one line naming the plugin.
    // `info` gives the product classes; its flags and resume_epoch are replaced by `checkpoints`'
    // (the exporter undoes what it wrote after resume_epoch before this returns). Its hooks run
    // under a hook_watch of `hang_limit_ns` (0: none) that beats `heartbeat` while it waits.
    exporter_instance(const plugin_choice& choice, const factory_export_info& info,
                      const std::atomic<std::uint32_t>* abort_flag, std::int64_t hang_limit_ns = 0,
                      shm::counter* heartbeat = nullptr, export_checkpoints checkpoints = {});
    // An exporter already open in this process, given as its hooks and instance (the driver's unit
    // tests): used and closed like a loaded one. `hooks` must outlive this object.
    exporter_instance(std::string name, const factory_exporter_hooks* hooks, void* instance) noexcept
        : name_(std::move(name)), plugin_(hooks, instance), watch_(name_, 0, nullptr) {}
    ~exporter_instance() { close(); }
    exporter_instance(const exporter_instance&) = delete;
    exporter_instance& operator=(const exporter_instance&) = delete;

    const std::string& name() const noexcept { return name_; }
    int export_batch(const factory_batch* b, factory_error* err) noexcept;
    int flush(factory_error* err) noexcept;
    // Products the exporter made durable in this run (on_durable, under the same watch as the
    // other hooks); false when it does not keep such a count or could not say, with `why` then.
    bool durable_count(std::uint64_t& count, std::string& why) noexcept;
    // True when the exporter commits epochs (on_commit): exactly once under --checkpoint; otherwise
    // at least once.
    bool commits() const noexcept { return plugin_.hooks().on_commit != nullptr; }
    // on_commit(epoch) under the same watch as the other hooks: call after a successful flush().
    // FACTORY_OK, or FACTORY_ERROR with `err` (also when the exporter does not commit, or hung).
    int commit(std::uint64_t epoch, factory_error* err) noexcept;
    // Calls on_close, unless the exporter got stuck in a hook (it is never called again).
    void close() noexcept;

private:
    std::string name_;
    std::unique_ptr<host_services> services_; // before plugin_: the plugin keeps its address
    plugins::instance<factory_exporter_hooks> plugin_;
    hook_watch watch_;
};

// Called in a transportation process before it delivers anything. The products a dead
// predecessor had taken but not counted exported were counted lost by the host
// (ops::settle_transport_death): those the exporter proves it made durable (durable_count() above `counts.exported`)
// move from lost to exported. Returns how many moved.
std::uint64_t take_back_durable(exporter_instance& e, shm::exporter_stats& counts);

} // namespace factory::transportation
